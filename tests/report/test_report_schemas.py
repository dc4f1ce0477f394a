"""Published JSON Schemas: in sync with the models, and every JSON the package writes validates."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import load_intake
from myoclonus.errors import InputError
from myoclonus.report.schemas import SCHEMA_NAMES, generate_schema, load_schema, validate_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", ["assessment", "intake"])
def test_published_schema_matches_the_model(name):
    # regenerate with `python -m myoclonus.report.schemas` after changing the pydantic models
    assert load_schema(name) == json.loads(json.dumps(generate_schema(name)))


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schemas_are_valid_json_schema(name):
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(load_schema(name))


def test_findings_written_by_analyze_validate(tmp_path, cortical_analysis, no_jerk_analysis, no_eeg_analysis,
                                              one_channel_analysis, many_channel_analysis):
    for k, analysis in enumerate((cortical_analysis, no_jerk_analysis, no_eeg_analysis, one_channel_analysis, many_channel_analysis)):
        files = analysis.write(tmp_path / str(k))
        written = json.loads((tmp_path / str(k) / "findings.json").read_text(encoding="utf-8"))
        validate_document(written, "findings", where=f"case {k}")
        assert any(p.name == "findings.json" for p in files)
    # the cortical case carries the origin estimate and its criteria
    assert cortical_analysis.findings["origin"][0]["label"] in load_schema("findings")["$defs"]["origin_item"]["properties"]["label"]["enum"]


def test_every_example_intake_and_its_assessments_validate():
    intakes = sorted(EXAMPLES.glob("*.yaml"))
    assert len(intakes) >= 3
    for path in intakes:
        validate_document(yaml.safe_load(path.read_text(encoding="utf-8")), "intake", where=path.name)
        for audience in ("clinician", "patient"):
            validate_document(assess(load_intake(path), audience=audience).to_dict(), where=path.name)


def test_assessment_merged_with_findings_validates(cortical_analysis):
    assessment = assess(load_intake(EXAMPLES / "lance_adams.yaml"), findings=cortical_analysis.findings)
    validate_document(json.loads(assessment.to_json()))


def test_violations_are_named_with_path_and_suggestion(cortical_analysis):
    doc = copy.deepcopy(cortical_analysis.findings)
    doc["origin"][0]["label"] = "cortcal"
    with pytest.raises(InputError, match=r"\$\.origin\[0\]\.label: 'cortcal' is not one of .* Did you mean 'cortical'"):
        validate_document(doc, where="findings.json")
    doc = copy.deepcopy(cortical_analysis.findings)
    doc["input"]["patient_name"] = "Jane Doe"
    with pytest.raises(InputError, match=r"\$\.input"):
        validate_document(doc)
    assessment = assess(load_intake(EXAMPLES / "lance_adams.yaml")).to_dict()
    assessment["clinical_group"][0]["probability"] = 0.2
    with pytest.raises(InputError, match=r"clinical_group: probabilities sum to .*expected 1"):
        validate_document(assessment)
    assessment = assess(load_intake(EXAMPLES / "lance_adams.yaml")).to_dict()
    assessment["origin"].reverse()
    with pytest.raises(InputError, match="origin: not sorted"):
        validate_document(assessment)
    with pytest.raises(InputError, match="cannot tell which schema"):
        validate_document({"schema": "myoclonus.other/1"})
    with pytest.raises(InputError, match="Did you mean 'intake'"):
        load_schema("intak")


def test_findings_schema_uses_the_channel_kinds_and_sides_of_the_code():
    from typing import get_args

    from myoclonus.signals.channels import ChannelKind, Side

    defs = load_schema("findings")["$defs"]
    assert defs["channel"]["properties"]["kind"]["enum"] == list(get_args(ChannelKind))
    assert set(defs["channel"]["properties"]["side"]["enum"]) == set(get_args(Side)) | {None}
