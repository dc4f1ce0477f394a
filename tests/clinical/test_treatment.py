"""Treatment: cause first, then the origin's lines, with the cautions that apply in context."""
from __future__ import annotations

from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import parse_intake

CORTICAL = {"jerks": {"occurs_at": ["action", "stimulus"], "triggers": ["touch"], "body_regions": ["hand_right"],
                      "distribution": "focal"}}


def _assess(**fields):
    return assess(parse_intake({"schema": "myoclonus.intake/1", **fields}))


def test_cortical_myoclonus_lists_first_line_before_second_and_avoid_cautions():
    a = _assess(**CORTICAL)
    assert a.origin[0].label == "cortical"
    lines = [t.line for t in a.treatment if t.for_origin == "cortical"]
    assert lines == sorted(lines) and 1 in lines and 2 in lines
    assert {"levetiracetam", "valproate", "clonazepam"} <= {t.id for t in a.treatment if t.line == 1}
    assert "piracetam" in {t.id for t in a.treatment if t.line == 2}
    avoid = {c.drug for c in a.cautions if c.context == "cortical"}
    assert {"carbamazepine", "phenytoin"} <= avoid


def test_offending_drug_is_stopped_first_and_named_in_the_cautions():
    a = _assess(**CORTICAL, medications=[{"name": "Lyrica", "started_days_ago": 7}])
    assert a.treatment[0].id == "stop_offending_drug"
    assert "pregabalin" in (a.treatment[0].context or "")
    assert "pregabalin" in {c.drug for c in a.cautions}


def test_patient_drug_that_worsens_the_suspected_origin_is_cautioned():
    a = _assess(history={"seizures": ["myoclonic", "generalized_tonic_clonic"]},
                patient={"age_years": 16, "age_at_onset_years": 14},
                medications=[{"name": "Lamictal", "started_days_ago": 400}])
    assert "lamotrigine" in {c.drug for c in a.cautions}


def test_physiological_myoclonus_needs_no_treatment():
    a = _assess(course="static", jerks={"occurs_at": ["sleep_onset"], "episodes_per_day": 0.1})
    assert [t.id for t in a.treatment][0] == "no_treatment_needed"
    assert not any(t.line == 2 for t in a.treatment)
    assert a.cautions == []


def test_peripheral_origin_gets_botulinum_toxin_first():
    a = _assess(jerks={"distribution": "focal", "body_regions": ["eyes", "face"]}, exam={"hemifacial": True})
    assert a.origin[0].label == "peripheral"
    first = [t.id for t in a.treatment if t.line == 1]
    assert "botulinum_toxin" in first
    assert "microvascular_decompression" in {t.id for t in a.treatment if t.line == 2}


def test_every_treatment_item_carries_sources():
    a = _assess(**CORTICAL, labs={"sodium_mmol_l": 120})
    assert a.treatment and all(t.sources for t in a.treatment)
    assert a.treatment[0].id == "treat_underlying_cause"


def test_patient_register_cautions_are_plain_for_taken_drugs():
    fields = {"history": {"seizures": ["myoclonic"]}, "medications": [
        {"name": "sertraline", "started_days_ago": 100}, {"name": "tramadol", "started_days_ago": 2},
        {"name": "gabapentin", "started_days_ago": 300}], "labs": {"egfr_ml_min": 20}}
    intake = parse_intake({"schema": "myoclonus.intake/1", **fields})
    clin = {(c.drug, c.context): c.text for c in assess(intake).cautions}
    pat = {(c.drug, c.context): c.text for c in assess(intake, audience="patient").cautions}
    assert clin.keys() == pat.keys()
    assert any(ctx == "serotonin_toxicity" for _, ctx in pat)
    taken = [k for k in pat if k[1] in ("drug_induced", "serotonin_toxicity", "renal")]
    assert len(taken) >= 3
    assert all(pat[k] != clin[k] for k in taken)
    assert all("doi" not in pat[k] and "et al" not in pat[k] for k in taken)
