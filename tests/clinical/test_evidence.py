"""Evidence rules and the KB ids the engine relies on: everything resolves, nothing is invented."""
from __future__ import annotations

import pytest

from myoclonus.clinical.evidence import AXES, EvidenceError, load_evidence, parse_evidence
from myoclonus.clinical.triage import CARE_RULES, RED_FLAG_RULES
from myoclonus.knowledge import load_kb


@pytest.fixture(scope="module")
def kb():
    return load_kb()


@pytest.fixture(scope="module")
def book():
    return load_evidence()


def test_every_source_key_resolves(kb, book):
    known = set(kb.references) | set(book.local_references)
    for rule in book.rules:
        missing = [k for k in rule.sources if k not in known]
        assert not missing, f"rule {rule.id}: unknown source keys {missing}"
    for axis, prior in book.priors.items():
        assert all(k in known for k in prior.sources), axis


def test_every_weight_size_is_marked_or_sourced(book):
    # every rule cites at least one real source besides the engineering-choice marker
    for rule in book.rules:
        assert [k for k in rule.sources if k != "engineering_choice"], rule.id


def test_group_prior_keeps_caviness_proportions(book):
    prior = book.priors["clinical_group"].values
    # symptomatic 72% : epileptic 17% : essential 11% (Caviness 1999, CRITERIA.md section 0)
    assert prior["symptomatic"] / prior["epileptic"] == pytest.approx(72 / 17, rel=1e-3)
    assert prior["symptomatic"] / prior["essential"] == pytest.approx(72 / 11, rel=1e-3)
    for axis, labels in AXES.items():
        assert sum(book.priors[axis].values.values()) == pytest.approx(1.0, abs=1e-9)


def test_kb_causes_exist_and_match_a_weighted_cause_class(kb, book):
    for rule in book.rules:
        for cid in rule.kb_causes:
            assert cid in kb, f"rule {rule.id}: unknown KB cause {cid}"
            cls = kb.get(cid).cause_class
            assert rule.weights.get("cause", {}).get(cls, 0) > 0, f"rule {rule.id}: {cid} is {cls}, not weighted"


def test_condition_synonyms_point_to_kb_causes(kb, book):
    for syn, cid in book.condition_synonyms.items():
        assert cid in kb and kb.get(cid).kind == "cause", syn


def test_kb_ids_used_by_triage_workup_and_treatment_exist(kb):
    import inspect

    from myoclonus.clinical import treatment, workup

    for fid in RED_FLAG_RULES:
        assert fid in kb, fid
    for cid in CARE_RULES:
        assert cid in kb, cid
    assert "care.no_visit_needed" in kb
    for wid in set(__import__("re").findall(r'"(workup\.[a-z_]+)"', inspect.getsource(workup))):
        assert wid in kb, wid
    for tid in set(__import__("re").findall(r'"(treatment\.[a-z_]+)"', inspect.getsource(treatment))):
        assert tid in kb, tid


def test_bad_evidence_file_errors_name_the_rule():
    text = """
schema: myoclonus.evidence/1
priors:
  clinical_group: {values: {physiologic: 1, essential: 1, epileptic: 1, symptomatic: 1, functional: 1}, sources: [S0]}
  origin: {values: {cortical: 1, cortical_subcortical: 1, subcortical: 1, spinal_segmental: 1, propriospinal: 1, peripheral: 1, functional: 1}, sources: [S0]}
  cause: {values: {drug_induced: 1, metabolic: 1, hypoxic: 1, neurodegenerative: 1, infectious_prion: 1, autoimmune_paraneoplastic: 1, epileptic_syndrome: 1, structural: 1, genetic: 1, functional: 1, physiologic: 1, essential: 1, toxic: 1}, sources: [S0]}
rules:
  - id: typo_rule
    finding: {clinician: x, patient: y}
    when: [occurs_at:action]
    weights: {origin: {cortcal: 1.0}}
    sources: [S0]
"""
    with pytest.raises(EvidenceError) as err:
        parse_evidence(text, where="test.yaml")
    assert "typo_rule" in str(err.value) and "cortcal" in str(err.value)
    with pytest.raises(EvidenceError, match="unknown clue"):
        parse_evidence(text.replace("occurs_at:action", "ocurs:action").replace("cortcal", "cortical"))
