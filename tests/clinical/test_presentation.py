"""Intake reading: strict validation with errors that name the file, the field and the fix."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from myoclonus.clinical.presentation import Intake, load_intake, match_conditions, parse_intake
from myoclonus.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _write(tmp_path: Path, text: str, name: str = "intake.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_example_is_a_valid_intake(path):
    intake = load_intake(path)
    assert isinstance(intake, Intake)
    assert intake.source_path == path


def test_misspelled_label_names_file_field_and_closest_label(tmp_path):
    path = _write(tmp_path, "schema: myoclonus.intake/1\njerks:\n  distribution: multifocl\n")
    with pytest.raises(InputError) as err:
        load_intake(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "jerks.distribution" in msg
    assert "Did you mean 'multifocal'?" in msg


def test_unknown_field_suggests_the_closest_field(tmp_path):
    path = _write(tmp_path, "schema: myoclonus.intake/1\njerks:\n  ocurs_at: [action]\n")
    with pytest.raises(InputError) as err:
        load_intake(path)
    assert "jerks.ocurs_at" in str(err.value)
    assert "Did you mean 'occurs_at'?" in str(err.value)


def test_label_inside_a_list_is_located_by_index(tmp_path):
    path = _write(tmp_path, "schema: myoclonus.intake/1\njerks:\n  triggers: [touch, sond]\n")
    with pytest.raises(InputError) as err:
        load_intake(path)
    assert "jerks.triggers[1]" in str(err.value)
    assert "Did you mean 'sound'?" in str(err.value)


def test_unknown_medication_field_is_an_error(tmp_path):
    path = _write(tmp_path, "schema: myoclonus.intake/1\nmedications:\n  - {name: tramadol, startd_days_ago: 3}\n")
    with pytest.raises(InputError) as err:
        load_intake(path)
    assert "medications[0].startd_days_ago" in str(err.value)
    assert "Did you mean 'started_days_ago'?" in str(err.value)


def test_wrong_schema_version_is_a_clear_error(tmp_path):
    path = _write(tmp_path, "schema: myoclonus.intake/2\n")
    with pytest.raises(InputError) as err:
        load_intake(path)
    assert "myoclonus.intake/1" in str(err.value) and "schema" in str(err.value)


def test_missing_schema_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="missing field 'schema'"):
        load_intake(_write(tmp_path, "onset: sudden\n"))


def test_malformed_yaml_reports_the_line(tmp_path):
    path = _write(tmp_path, "schema: myoclonus.intake/1\njerks:\n  distribution: [focal\n  rhythm: irregular\n")
    with pytest.raises(InputError) as err:
        load_intake(path)
    assert "malformed YAML at line" in str(err.value)


def test_malformed_json_reports_the_line(tmp_path):
    path = _write(tmp_path, '{"schema": "myoclonus.intake/1",\n "onset": }', name="intake.json")
    with pytest.raises(InputError, match="malformed JSON at line 2"):
        load_intake(path)


def test_json_intake_is_read(tmp_path):
    path = _write(tmp_path, json.dumps({"schema": "myoclonus.intake/1", "onset": "sudden",
                                         "jerks": {"persists_in_sleep": None, "suppressible": "unknown"}}),
                  name="intake.json")
    intake = load_intake(path)
    assert intake.onset == "sudden"
    assert intake.jerks.suppressible == "unknown"
    assert intake.jerks.persists_in_sleep is None


def test_wrong_types_are_errors_not_coerced():
    with pytest.raises(InputError, match="patient.age_years"):
        parse_intake({"schema": "myoclonus.intake/1", "patient": {"age_years": "sixty"}})
    with pytest.raises(InputError, match="exam.asterixis"):
        parse_intake({"schema": "myoclonus.intake/1", "exam": {"asterixis": "yes please"}})
    with pytest.raises(InputError, match="labs.sodium_mmol_l"):
        parse_intake({"schema": "myoclonus.intake/1", "labs": {"sodium_mmol_l": -3}})


def test_unknown_is_accepted_everywhere_a_value_is():
    intake = parse_intake({"schema": "myoclonus.intake/1", "onset": "unknown", "patient": {"age_years": "unknown"},
                           "jerks": {"distribution": "unknown", "occurs_at": ["unknown"], "rate_hz": "unknown"}})
    assert intake.patient.age_years == "unknown"


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_intake(tmp_path / "nope.yaml")


def test_conditions_match_kb_ids_names_and_synonyms_and_report_the_rest():
    names = {"cause.renal_failure": "Kidney failure (uraemia)", "cause.alzheimer": "Alzheimer's disease"}
    result = match_conditions(["CKD", "Alzheimer's disease", "renal failure", "hypertension"], names,
                              {"ckd": "cause.renal_failure"})
    assert result.matched == {"CKD": "cause.renal_failure", "Alzheimer's disease": "cause.alzheimer",
                              "renal failure": "cause.renal_failure"}
    assert result.unmatched == ["hypertension"]


def test_json_schema_of_the_intake_accepts_every_example():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = Intake.model_json_schema(by_alias=True)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema": "myoclonus.intake/1", "onset": "yesterday"}, schema)


def test_wrong_container_types_say_what_was_expected():
    with pytest.raises(InputError, match=r"medications\[0\].*expected a mapping with fields name"):
        parse_intake({"schema": "myoclonus.intake/1", "medications": ["tramadol"]})
    with pytest.raises(InputError, match="medications.*expected a YAML list"):
        parse_intake({"schema": "myoclonus.intake/1", "medications": "tramadol"})
