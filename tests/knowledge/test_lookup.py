"""search(): every word must match; ranking by where it matched."""
from __future__ import annotations

import pytest

from myoclonus.errors import InputError
from myoclonus.knowledge import load_kb, resolve, search


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


@pytest.mark.parametrize(
    ("term", "expected"),
    [("Chronic kidney disease", "cause.renal_failure"), ("chronic_kidney_disease", "cause.renal_failure"),
     ("CJD", "cause.creutzfeldt_jakob"), ("Parkinson's disease", "cause.parkinson"),
     ("cause.stroke", "cause.stroke"), ("hyponatremia", "cause.hyponatraemia")],
)
def test_resolve_maps_free_text_to_a_cause(term, expected):
    assert resolve(term, kind="cause").id == expected


def test_resolve_is_exact_never_fuzzy():
    assert resolve("chronic kidney diseas", kind="cause") is None
    assert resolve("", kind="cause") is None


def test_names_and_aliases_are_unambiguous_within_a_kind():
    from myoclonus.knowledge.lookup import _normalise

    kb = load_kb()
    for kind in ("cause", "treatment", "differential", "form"):
        seen: dict[str, str] = {}
        for entry in kb.of_kind(kind):
            for name in {_normalise(n) for n in [entry.id.split(".", 1)[1], entry.name, *entry.aliases]}:
                assert seen.setdefault(name, entry.id) == entry.id, f"{name!r}: {seen[name]} and {entry.id}"
