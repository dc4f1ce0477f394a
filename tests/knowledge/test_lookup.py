"""search(): every word must match; ranking by where it matched."""
from __future__ import annotations

import pytest

from myoclonus.errors import InputError
from myoclonus.knowledge import search


def test_all_words_must_match():
    ids = [e.id for e in search(["startle", "clonazepam"])]
    assert "treatment.clonazepam" in ids and "cause.hyperekplexia" in ids
    assert "treatment.levetiracetam" not in ids


def test_prefix_and_case_insensitive_and_kind_filter():
    ids = [e.id for e in search("HEPATIC", kind="cause")]
    assert ids[0] == "cause.hepatic_failure"
    assert all(i.startswith("cause.") for i in ids)


def test_alias_match():
    assert [e.id for e in search("lyrica")] == ["treatment.pregabalin"]


def test_empty_query_is_an_input_error():
    with pytest.raises(InputError, match="at least one search word"):
        search(["--", " "])
