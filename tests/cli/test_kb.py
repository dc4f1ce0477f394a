"""``myoclonus kb``: list, show and search through the real CLI (Typer CliRunner)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from myoclonus.cli import app
from myoclonus.knowledge import load_kb

runner = CliRunner()


def test_list_json_all_and_by_kind():
    result = runner.invoke(app, ["kb", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == len(load_kb().entries)
    result = runner.invoke(app, ["kb", "list", "--kind", "red_flag", "--json"])
    rows = json.loads(result.output)
    assert rows and {r["kind"] for r in rows} == {"red_flag"}
    assert all(r["sources"] for r in rows)


def test_list_table_shows_ids():
    result = runner.invoke(app, ["kb", "list", "--kind", "care"])
    assert result.exit_code == 0
    assert "care.no_visit_needed" in result.output


def test_list_unknown_kind_exits_2_with_suggestion():
    result = runner.invoke(app, ["kb", "list", "--kind", "treatments"])
    assert result.exit_code == 2
    assert "Did you mean 'treatment'?" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_show_clinician_has_caution_claim_and_citations():
    result = runner.invoke(app, ["kb", "show", "treatment.carbamazepine"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "CAUTION (cortical)" in out
    assert "source S0 says" in out
    assert "Levy A, Chen R" in out and "[primary]" in out
    assert "not a diagnosis" in out


def test_show_patient_register():
    result = runner.invoke(app, ["kb", "show", "cause.hypoglycaemia", "--audience", "patient"])
    assert result.exit_code == 0
    out = " ".join(result.output.split())
    assert load_kb().get("cause.hypoglycaemia").text.patient in out
    assert "Hypoglycaemia causes myoclonus" not in out  # clinician text not shown
    assert "cause class" not in out and "HPO" not in out  # technical labels are clinician-only
    assert "[S1]" in out  # sources stay visible


def test_show_json_has_hpo_labels_and_citations():
    result = runner.invoke(app, ["kb", "show", "cause.opsoclonus_myoclonus", "--json", "--audience", "patient"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["id"] == "cause.opsoclonus_myoclonus"
    assert data["hpo_labels"] == {"HP:0010543": "Opsoclonus"}
    assert data["display_text"] == data["text"]["patient"]
    assert any(c.startswith("[pranzatelli_2017]") for c in data["citations"])


def test_show_unknown_id_exits_2_with_did_you_mean():
    result = runner.invoke(app, ["kb", "show", "treatment.levetiracetan"])
    assert result.exit_code == 2
    assert "Did you mean 'treatment.levetiracetam'?" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_show_bad_audience_exits_2():
    result = runner.invoke(app, ["kb", "show", "treatment.clonazepam", "--audience", "patients"])
    assert result.exit_code == 2
    assert "Did you mean 'patient'?" in " ".join(result.output.split())


def test_search_ranks_name_matches_first():
    result = runner.invoke(app, ["kb", "search", "clonazepam", "--json"])
    assert result.exit_code == 0
    ids = [r["id"] for r in json.loads(result.output)]
    assert ids[0] == "treatment.clonazepam"
    assert "cause.hyperekplexia" in ids  # mentioned in the text


def test_search_by_alias_and_no_match():
    result = runner.invoke(app, ["kb", "search", "Keppra", "--json"])
    assert [r["id"] for r in json.loads(result.output)] == ["treatment.levetiracetam"]
    result = runner.invoke(app, ["kb", "search", "zzzqqq"])
    assert result.exit_code == 0
    assert "No entry matches" in result.output


def test_refs_lists_unverified_references_with_citing_entries():
    result = runner.invoke(app, ["kb", "refs", "--tag", "unverified", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {r["tag"] for r in rows} == {"unverified"}
    kratz = next(r for r in rows if r["key"] == "kratz_2004")
    assert "lab.sodium_mmol_l" in kratz["cited_by"]


def test_refs_bad_tag_exits_2():
    result = runner.invoke(app, ["kb", "refs", "--tag", "primry"])
    assert result.exit_code == 2
    assert "Did you mean 'primary'?" in " ".join(result.output.split())
