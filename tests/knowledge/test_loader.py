"""load_kb(): validation at load, cross-entry links, error messages naming file, entry and field."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from myoclonus.errors import InputError
from myoclonus.knowledge import KnowledgeBaseError, load_kb
from myoclonus.knowledge.loader import ENTRY_FILES, data_dir, load_kb_from
from myoclonus.knowledge.models import ORIGINS


def test_bundled_kb_loads_and_is_cached():
    kb = load_kb()
    assert load_kb() is kb
    assert len(kb.entries) > 200
    assert set(kb.lab_ranges) == {
        "sodium_mmol_l", "glucose_mmol_l", "egfr_ml_min", "urea_mmol_l", "ammonia_umol_l",
        "calcium_mmol_l", "magnesium_mmol_l", "alt_u_l", "bilirubin_umol_l",
    }


def test_every_origin_has_an_entry():
    kb = load_kb()
    assert {f"origin.{o}" for o in ORIGINS} <= set(kb.entries)


def test_get_unknown_id_suggests_closest():
    kb = load_kb()
    with pytest.raises(InputError, match="Did you mean 'treatment.levetiracetam'"):
        kb.get("treatment.levetiracetan")
    with pytest.raises(InputError, match="Did you mean 'treatment.clonazepam'"):
        kb.get("clonazepam")


def test_of_kind_rejects_unknown_kind():
    kb = load_kb()
    assert all(e.kind == "treatment" for e in kb.of_kind("treatment"))
    with pytest.raises(InputError, match="Did you mean 'treatment'"):
        kb.of_kind("treatments")


def test_describe_sources_gives_readable_citations():
    kb = load_kb()
    cites = kb.describe_sources("treatment.carbamazepine")
    assert any(c.startswith("[S0]") and "source article" in c for c in cites)
    assert any("Levy A, Chen R" in c and "[primary]" in c for c in cites)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    return folder


def _edit(folder: Path, name: str, entry_id: str, **changes):
    path = folder / name
    doc = yaml.safe_load(path.read_text())
    for entry in doc["entries"]:
        if entry["id"] == entry_id:
            entry.update(changes)
            break
    else:  # pragma: no cover - test set-up error
        raise AssertionError(entry_id)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_copy_of_bundled_data_is_valid(kb_copy):
    assert len(load_kb_from(kb_copy).entries) == len(load_kb().entries)


@pytest.mark.parametrize(
    ("file", "entry_id", "changes", "message"),
    [
        ("treatments.yaml", "treatment.clonazepam", {"sources": []}, r"treatments.yaml: entry 'treatment.clonazepam': field 'sources'"),
        ("treatments.yaml", "treatment.clonazepam", {"sources": ["S9"]}, r"treatments.yaml: entry 'treatment.clonazepam': field 'sources': unknown source 'S9'"),
        ("forms.yaml", "form.sleep", {"hpo": ["HP:9999999"]}, r"forms.yaml: entry 'form.sleep': field 'hpo': 'HP:9999999' is not in the verified list"),
        ("causes.yaml", "cause.stroke", {"related": ["cause.strok"]}, r"causes.yaml: entry 'cause.stroke': field 'related': unknown id 'cause.strok'.*Did you mean 'cause.stroke'"),
        ("causes.yaml", "cause.stroke", {"cause_class": "vascular"}, r"causes.yaml: entry 'cause.stroke': field 'cause_class'"),
        ("red_flags.yaml", "red_flag.falls", {"triage": "soon"}, r"red_flags.yaml: entry 'red_flag.falls': field 'triage'"),
        ("care.yaml", "care.frequent", {"text": {"clinician": "x", "patient": "  "}}, r"care.yaml: entry 'care.frequent': field 'text.patient'"),
        ("care.yaml", "care.frequent", {"colour": "red"}, r"care.yaml: entry 'care.frequent': field 'colour': Extra inputs"),
        ("lab_ranges.yaml", "lab.sodium_mmol_l", {"low": 150}, r"lab_ranges.yaml: entry 'lab.sodium_mmol_l'.*'low' \(150.0\) must be below 'high'"),
        ("criteria.yaml", "criterion.bp_onset", {"threshold": 5.0}, r"criteria.yaml: entry 'criterion.bp_onset'.*'between' needs threshold"),
        ("faq.yaml", "faq.course", {"id": "form.course"}, r"faq.yaml: entry 'form.course'.*must start with its kind 'faq.'"),
    ],
)
def test_invalid_entry_names_file_entry_and_field(kb_copy, file, entry_id, changes, message):
    _edit(kb_copy, file, entry_id, **changes)
    with pytest.raises(KnowledgeBaseError, match=message):
        load_kb_from(kb_copy)


def test_duplicate_id_is_rejected(kb_copy):
    _edit(kb_copy, "faq.yaml", "faq.course", id="faq.can_it_kill")
    with pytest.raises(KnowledgeBaseError, match="entry 'faq.can_it_kill' is already defined in faq.yaml"):
        load_kb_from(kb_copy)


def test_broken_yaml_names_the_file(kb_copy):
    (kb_copy / "faq.yaml").write_text("entries: [\n")
    with pytest.raises(KnowledgeBaseError, match="faq.yaml: not valid YAML"):
        load_kb_from(kb_copy)


def test_entry_files_exist():
    for name in ENTRY_FILES:
        assert (data_dir() / name).is_file(), name
