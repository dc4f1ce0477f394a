import subprocess
import sys

import pytest

import myoclonus


@pytest.mark.parametrize("name", [n for n in myoclonus.__all__ if n != "__version__"])
def test_public_name_resolves(name):
    assert callable(getattr(myoclonus, name))


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        myoclonus.nope  # noqa: B018


def test_import_is_light():
    code = "import sys, myoclonus; print('mne' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
