"""create_app refuses unusable settings with a message naming the option, never a traceback."""
from __future__ import annotations

import pytest

from myoclonus.errors import InputError
from myoclonus.web import WebConfig, create_app


@pytest.mark.parametrize(("url", "expected"), [
    ("nosuchdb://x", "not a database URL this app understands"),
    ("postgresql+nosuchdriver://u:pw@db.example/x", "not a database URL"),
    ("sqlite:////nonexistent-folder/x.sqlite3", "cannot open the database"),
])
def test_bad_database_url(tmp_path, url, expected):
    with pytest.raises(InputError, match=expected) as info:
        create_app(WebConfig(data_dir=tmp_path, database_url=url))
    assert info.value.where == "--database-url"
    assert "pw" not in str(info.value)  # a password in the URL is never echoed


def test_unwritable_data_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot be written"):
        create_app(WebConfig(data_dir=blocker / "data"))
