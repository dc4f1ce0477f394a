"""The clinical literature of CRITERIA.md is in the knowledge base.

Parses the treatment-by-origin table (§4) and the named-syndrome table (§2.2) of
``../shared/spec/CRITERIA.md`` and checks each row against the knowledge base.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from myoclonus.knowledge import load_kb
from myoclonus.knowledge.models import TreatmentEntry


#: §4 row label -> origins its lines may use in the KB. Palatal (branchial) myoclonus is segmental in
#: the six-class scheme of van der Veen 2022, so the palatal drugs of the 'peripheral / focal /
#: segmental' row may sit under spinal_segmental.
ROW_ORIGINS = {
    "Cortical": {"cortical"},
    "Cortical-subcortical": {"cortical_subcortical"},
    "Subcortical / brainstem": {"subcortical"},
    "Hyperekplexia / startle": {"subcortical"},
    "Myoclonus-dystonia": {"subcortical"},
    "Spinal segmental": {"spinal_segmental"},
    "Propriospinal": {"propriospinal"},
    "Peripheral / focal / segmental": {"peripheral", "spinal_segmental"},
    "Epileptic negative myoclonus": {"cortical"},
    "Post-hypoxic, acute / early LAS": {"cortical", "any"},
    "Functional": {"functional", "propriospinal"},
    "Any type": {"any"},
}


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---") and not line.startswith("| Origin") and not line.startswith("| Syndrome"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def criteria_text(spec_dir: Path) -> str:
    return (spec_dir / "CRITERIA.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def treatment_rows(criteria_text) -> list[list[str]]:
    section = criteria_text[criteria_text.index("## 4. Treatment by anatomical origin") : criteria_text.index("## 5.")]
    return [r for r in _table_rows(section) if len(r) == 5]


def _label(cell: str) -> str:
    return re.sub(r"\*\*|\(.*?\)", "", cell).strip()


def _named_treatments(cell: str) -> list[TreatmentEntry]:
    found = []
    for entry in load_kb().of_kind("treatment"):
        names = [entry.id.split(".", 1)[1].replace("_", " "), entry.name, *entry.aliases]
        if any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", cell, flags=re.IGNORECASE) for n in names):
            found.append(entry)
    return found


def test_every_treatment_row_is_mapped(treatment_rows):
    assert {_label(r[0]) for r in treatment_rows} == set(ROW_ORIGINS)


def test_first_and_second_line_drugs_per_origin(treatment_rows):
    problems, checked = [], 0
    for row in treatment_rows:
        origins = ROW_ORIGINS[_label(row[0])]
        first = _named_treatments(row[1])
        for entry in first:
            checked += 1
            if not any(l.origin in origins and l.line == 1 for l in entry.lines):
                problems.append(f"{_label(row[0])}: {entry.id} is not first line for {sorted(origins)}")
        for entry in _named_treatments(row[2]):
            checked += 1
            if entry in first:
                continue
            if not any(l.origin in origins and l.line == 2 for l in entry.lines):
                problems.append(f"{_label(row[0])}: {entry.id} is not second line for {sorted(origins)}")
    assert checked >= 35
    assert not problems, "\n".join(problems)


def test_avoid_column_drugs_carry_a_caution(treatment_rows):
    problems, checked = [], 0
    for row in treatment_rows:
        for entry in _named_treatments(row[3]):
            checked += 1
            if not entry.cautions:
                problems.append(f"{_label(row[0])}: {entry.id} has no caution")
    assert checked >= 8  # phenytoin, carbamazepine, gabapentin, pregabalin, lamotrigine, ...
    assert not problems, "\n".join(problems)


#: §2.2 syndrome (start of the row label) -> KB entry that holds it.
SYNDROMES = {
    "Physiological myoclonus": "group.physiologic",
    "Hypnic jerk EMG": "criterion.hypnic_jerk_duration",
    "Sleep myoclonus / fragmentary myoclonus": "form.fragmentary_myoclonus",
    "Palatal tremor": "cause.palatal_tremor",
    "Opsoclonus-myoclonus syndrome": "cause.opsoclonus_myoclonus",
    "OMS in adults": "cause.opsoclonus_myoclonus",
    "Post-hypoxic, acute": "cause.status_myoclonus",
    "Acute myoclonus in comatose survivors": "red_flag.post_cardiac_arrest_coma",
    "Early Lance-Adams syndrome": "cause.lance_adams",
    "Chronic post-hypoxic myoclonus": "cause.lance_adams",
    "Progressive myoclonus epilepsies": "cause.progressive_myoclonus_epilepsy",
    "Juvenile myoclonic epilepsy": "cause.juvenile_myoclonic_epilepsy",
    "Myoclonus-dystonia": "cause.myoclonus_dystonia",
    "Hyperekplexia": "cause.hyperekplexia",
    "Propriospinal myoclonus at sleep onset": "form.propriospinal_sleep_onset",
}


def test_every_named_syndrome_has_an_entry(criteria_text):
    section = criteria_text[criteria_text.index("### 2.2") : criteria_text.index("## 3.")]
    labels = [_label(r[0]) for r in _table_rows(section)]
    assert len(labels) == len(SYNDROMES)
    kb = load_kb()
    for label in labels:
        key = next((k for k in SYNDROMES if label.startswith(k)), None)
        assert key, f"CRITERIA §2.2 row {label!r} has no knowledge-base entry"
        assert SYNDROMES[key] in kb


@pytest.mark.parametrize(
    ("entry_id", "figures"),
    [
        ("cause.opsoclonus_myoclonus", ["1.5 y", "50%", "389", "39%", "114"]),
        ("cause.status_myoclonus", ["11.7 h", "30 min", "30-40%"]),
        ("cause.lance_adams", ["7/458", "1.5%"]),
        ("cause.palatal_tremor", ["20-420", "ear click"]),
        ("form.hypnic_jerks", ["60-70%"]),
        ("treatment.piracetam", ["24 g/day", "2.4-16.8 g/day", "45 g/day"]),
        ("criterion.cortical_burst_duration", ["45", "89.5%", "0.947"]),
        ("workup.nerve_conduction", ["49/98", "65%", "27%"]),
    ],
)
def test_key_figures_of_the_literature_are_stored(entry_id, figures):
    text = load_kb().get(entry_id).text.clinician
    for figure in figures:
        assert figure in text, f"{entry_id} lacks {figure!r}"
