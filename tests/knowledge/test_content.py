"""Content rules of the knowledge base: HPO ids, registers, source claims vs literature cautions."""
from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from myoclonus.knowledge import CAUSE_CLASSES, CLINICAL_GROUPS, ORIGINS, load_kb
from myoclonus.knowledge.models import CauseEntry, TreatmentEntry


#: Technical words a patient text must not use (reading age about 12).
PATIENT_JARGON = (
    "cortical", "subcortical", "EMG", "polymyography", "aetiology", "etiology", "myotome",
    "encephalopathy", "contralateral", "ipsilateral", "SEP", "JLBA", "uV", "Hz", "agonist",
    "antagonist", "multifocal", "segmental", "propriospinal", "reticular", "paraneoplastic",
    "idiopathic", "sensorimotor", "afferent", "efferent", "hyponatraemia", "hypoglycaemia",
)


def _syllables(word: str) -> int:
    """Heuristic English syllable count (vowel groups, silent final e), as readability tools use."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) <= 3:
        return 1 if word else 0
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", re.sub(r"^y", "", word))))


def flesch_kincaid_grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    sentences = [s for s in re.split(r"[.!?](?:\s|$)", text) if s.strip()]
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59


def _criteria_hpo_ids(spec_dir: Path) -> set[str]:
    text = (spec_dir / "CRITERIA.md").read_text(encoding="utf-8")
    section = text[text.index("### 6.1") : text.index("### 6.2")]
    return set(re.findall(r"HP:\d{7}", section))


def test_hpo_list_is_exactly_the_verified_list_of_criteria(spec_dir):
    kb = load_kb()
    assert set(kb.hpo) == _criteria_hpo_ids(spec_dir)


def test_entries_use_only_allowed_hpo_ids():
    kb = load_kb()
    used = {hp for e in kb.entries.values() for hp in e.hpo}
    assert used and used <= set(kb.hpo)


def test_no_hpo_id_where_criteria_says_none_exists():
    """CRITERIA §6.1: essential myoclonus and myoclonus-dystonia have no HPO term; none is invented."""
    kb = load_kb()
    for entry_id in ("form.essential", "group.essential", "cause.essential", "cause.myoclonus_dystonia"):
        assert kb.get(entry_id).hpo == [], entry_id


def test_both_registers_present_and_patient_text_is_plain():
    kb = load_kb()
    problems = []
    for entry in kb.entries.values():
        clinician, patient = entry.text.clinician, entry.text.patient
        assert clinician.strip() and patient.strip(), entry.id
        if clinician == patient:
            problems.append(f"{entry.id}: both registers identical")
        for word in PATIENT_JARGON:
            if re.search(rf"\b{re.escape(word)}\b", patient, flags=re.IGNORECASE):
                problems.append(f"{entry.id}: patient text uses jargon {word!r}")
        sentences = [s for s in re.split(r"[.!?](?:\s|$)", patient) if s.strip()]
        words_per_sentence = len(patient.split()) / len(sentences)
        if words_per_sentence > 25:
            problems.append(f"{entry.id}: patient sentences average {words_per_sentence:.0f} words")
    assert not problems, "\n".join(problems)


def test_patient_texts_read_at_about_age_12():
    """Grade 6-7 (age 11-13) for the typical patient text; none above grade 12; clinician texts harder."""
    kb = load_kb()
    patient = {e.id: flesch_kincaid_grade(e.text.patient) for e in kb.entries.values()}
    clinician = [flesch_kincaid_grade(e.text.clinician) for e in kb.entries.values()]
    assert statistics.median(patient.values()) <= 7.5
    assert statistics.median(clinician) > statistics.median(patient.values()) + 4
    hard = {k: round(v, 1) for k, v in patient.items() if v > 12}
    assert not hard, f"patient texts above grade 12: {hard}"


def test_readability_formula_separates_plain_from_technical():
    assert flesch_kincaid_grade("The cat sat on the mat. It was fun.") < 2
    assert flesch_kincaid_grade("Electrophysiological characterisation necessitates multichannel polymyography.") > 16


@pytest.mark.parametrize("drug", ["carbamazepine", "gabapentin"])
def test_source_claim_and_literature_caution_are_both_kept(drug):
    kb = load_kb()
    entry = kb.get(f"treatment.{drug}")
    assert isinstance(entry, TreatmentEntry)
    claims = [c for c in entry.source_claims if c.source in {"S0", "S1", "S2", "S3", "S4"}]
    assert claims and drug in claims[0].claim.lower()
    worsening = [c for c in entry.cautions if c.worsens]
    assert worsening, "the literature caution must be attached"
    # at least one caution rests only on read literature (primary/secondary), not on the source articles
    literature_backed = [
        c for c in worsening if all(kb.references[s].tag in {"primary", "secondary"} for s in c.sources)
    ]
    assert literature_backed
    assert "cortical_subcortical" in {c.context for c in literature_backed}


def test_carbamazepine_cautions_cover_cortical_and_myoclonic_seizures():
    kb = load_kb()
    contexts = {c.context for c in kb.get("treatment.carbamazepine").cautions if c.worsens}
    assert {"cortical", "cortical_subcortical"} <= contexts


@pytest.mark.parametrize("drug", ["phenytoin", "pregabalin", "lamotrigine", "carbamazepine", "gabapentin"])
def test_drugs_that_can_worsen_myoclonus_are_never_first_line_where_they_worsen(drug):
    entry = load_kb().get(f"treatment.{drug}")
    worsen_contexts = {c.context for c in entry.cautions if c.worsens}
    assert worsen_contexts
    assert not [line for line in entry.lines if line.origin in worsen_contexts]


def test_every_origin_has_first_line_treatment():
    kb = load_kb()
    first_line = {line.origin for t in kb.of_kind("treatment") for line in t.lines if line.line == 1}
    assert set(ORIGINS) <= first_line


def test_cause_classes_and_groups_complete():
    kb = load_kb()
    causes = [e for e in kb.of_kind("cause") if isinstance(e, CauseEntry)]
    assert {f"cause.{c}" for c in CAUSE_CLASSES} <= set(kb.entries)
    assert {c.cause_class for c in causes} == set(CAUSE_CLASSES)
    assert {f"group.{g}" for g in CLINICAL_GROUPS} <= set(kb.entries)


def test_every_reference_is_cited_and_tags_are_valid():
    kb = load_kb()
    cited = {s for e in kb.entries.values() for s in e.all_sources()}
    cited.add("hpo_translations")  # cited by hpo.yaml itself
    assert set(kb.references) - cited == set()


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [("sodium_mmol_l", 128, "low"), ("sodium_mmol_l", 140, "normal"), ("glucose_mmol_l", 2.4, "low"),
     ("egfr_ml_min", 14, "low"), ("egfr_ml_min", 95, "normal"), ("ammonia_umol_l", 90, "high"), ("urea_mmol_l", 30, "high"),
     ("bilirubin_umol_l", 20, "high"), ("alt_u_l", 40, "normal")],
)
def test_lab_ranges_judge_values(key, value, expected):
    assert load_kb().lab_ranges[key].judge(value) == expected


def test_lab_ranges_cite_a_reference_table():
    kb = load_kb()
    for lab in kb.lab_ranges.values():
        assert any(s in {"oxford_lab_table", "kratz_2004", "kdigo_2012"} for s in lab.sources), lab.id


def test_emergency_red_flags():
    kb = load_kb()
    emergencies = {e.id for e in kb.of_kind("red_flag") if e.triage == "emergency"}
    assert {"red_flag.serotonin_toxicity", "red_flag.hypoglycaemia", "red_flag.encephalopathy_with_fever",
            "red_flag.post_cardiac_arrest_coma"} <= emergencies


def test_no_visit_rule_is_self_care_and_others_are_visits():
    kb = load_kb()
    levels = {e.id: e.triage for e in kb.of_kind("care")}
    assert levels.pop("care.no_visit_needed") == "self_care"
    assert set(levels.values()) == {"routine"}
