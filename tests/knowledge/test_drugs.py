"""The bundled drug table (knowledge/data/drugs.yaml): coverage, evidence levels, sources, errors."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from myoclonus.clinical.drug_models import normalise_drug_name
from myoclonus.clinical.medications import load_drugs, read_drug_table, resolve_drug
from myoclonus.errors import InputError

# Level-A drugs of Rissardo et al., Medicina 2025;61:131, exactly as CRITERIA.md 3.1 lists them.
LEVEL_A = {
    "etomidate", "ceftazidime", "cefepime", "ciprofloxacin", "citalopram", "escitalopram",
    "paroxetine", "sertraline", "amitriptyline", "amantadine", "clozapine", "quetiapine",
    "carbamazepine", "oxcarbazepine", "phenytoin", "gabapentin", "pregabalin", "valproate",
    "fentanyl", "morphine", "bismuth", "lithium",
}

# Drugs CRITERIA.md 3.1 says may only rise above "unverified" with their own citation.
NEED_OWN_CITATION = {
    "tramadol", "meperidine", "hydromorphone", "levodopa", "propofol", "iodinated_contrast",
    "venlafaxine", "desvenlafaxine", "duloxetine", "milnacipran", "levomilnacipran",
    "benzylpenicillin", "amoxicillin", "amoxicillin_clavulanate", "ampicillin", "flucloxacillin",
    "piperacillin_tazobactam", "cefazolin", "ceftriaxone", "cefotaxime", "cefuroxime", "cefalexin",
    "ceftaroline", "imipenem_cilastatin", "meropenem", "ertapenem", "doripenem",
}

BRANDS = {
    "Ultram": "tramadol", "Neurontin": "gabapentin", "Lyrica": "pregabalin", "Keppra": "levetiracetam",
    "Tegretol": "carbamazepine", "Zoloft": "sertraline", "Cipro": "ciprofloxacin", "Trileptal": "oxcarbazepine",
    "Dilantin": "phenytoin", "Depakote": "valproate", "Epilim": "valproate", "Seroquel": "quetiapine",
    "Clozaril": "clozapine", "Lexapro": "escitalopram", "Celexa": "citalopram", "Paxil": "paroxetine",
    "Seroxat": "paroxetine", "Elavil": "amitriptyline", "Symmetrel": "amantadine", "Duragesic": "fentanyl",
    "MS Contin": "morphine", "Maxipime": "cefepime", "Fortaz": "ceftazidime", "Pepto-Bismol": "bismuth",
    "Lithobid": "lithium", "Demerol": "meperidine", "Dilaudid": "hydromorphone", "Diprivan": "propofol",
    "Sinemet": "levodopa", "Madopar": "levodopa", "Prozac": "fluoxetine", "Effexor": "venlafaxine",
    "Cymbalta": "duloxetine", "Haldol": "haloperidol", "Zyprexa": "olanzapine", "Risperdal": "risperidone",
    "Zyvox": "linezolid", "Rocephin": "ceftriaxone", "Zosyn": "piperacillin_tazobactam", "Augmentin": "amoxicillin_clavulanate",
    "Klonopin": "clonazepam", "Rivotril": "clonazepam", "Nootropil": "piracetam", "Lamictal": "lamotrigine",
    "Imitrex": "sumatriptan", "Zofran": "ondansetron", "OxyContin": "oxycodone", "Omnipaque": "iodinated_contrast",
}


@pytest.fixture(scope="module")
def table():
    return load_drugs()


def test_at_least_150_generics_with_brands(table):
    assert len(table.drugs) >= 150
    assert len({d.id for d in table.drugs}) == len(table.drugs)
    assert sum(len(d.brands) for d in table.drugs) >= 250


@pytest.mark.parametrize(("brand", "generic"), sorted(BRANDS.items()))
def test_brand_maps_to_generic(brand, generic):
    drug = resolve_drug(brand)
    assert drug is not None, brand
    assert drug.id == generic


def test_level_a_exactly_as_criteria(table):
    level_a = {d.id for d in table.drugs if d.evidence == "A"}
    assert level_a == LEVEL_A
    for drug in table.drugs:
        if drug.evidence == "A":
            assert "rissardo2025" in drug.sources, drug.id


def test_unverified_unless_own_citation(table):
    by_id = {d.id: d for d in table.drugs}
    for drug_id in NEED_OWN_CITATION:
        drug = by_id[drug_id]
        if drug.evidence != "unverified":
            assert drug.evidence == "case_report" and drug.citation, drug_id
            assert drug.citation not in {"janssen2017", "rissardo2025"}, drug_id


def test_every_drug_has_class_sources_and_resolvable_references(table):
    for drug in table.drugs:
        assert drug.drug_class.strip(), drug.id
        assert drug.sources, drug.id
        for key in drug.reference_keys():
            assert table.references[key].strip(), (drug.id, key)
        if drug.evidence == "class":
            assert "janssen2017" in drug.sources, drug.id
        if drug.evidence == "case_report":
            assert drug.citation in drug.sources, drug.id


def test_serotonergic_and_renal_flags_carry_a_source(table):
    serotonergic = {d.id for d in table.drugs if d.serotonergic}
    assert {"sertraline", "tramadol", "fentanyl", "meperidine", "methadone", "linezolid", "lithium",
            "sumatriptan", "ondansetron", "phenelzine", "amitriptyline", "venlafaxine"} <= serotonergic
    assert not {"gabapentin", "levetiracetam", "clonazepam", "haloperidol"} & serotonergic
    renal = {d.id for d in table.drugs if d.renally_cleared}
    assert {"gabapentin", "pregabalin", "cefepime", "ceftazidime", "lithium", "levetiracetam", "aciclovir", "valaciclovir"} <= renal
    for drug in table.drugs:
        assert not drug.serotonergic or drug.serotonergic_source in table.references
        assert not drug.renally_cleared or drug.renal_source in table.references


def test_worsening_contexts_from_criteria(table):
    by_id = {d.id: {w.context for w in d.worsens} for d in table.drugs}
    assert {"cortical_myoclonus", "epileptic_negative_myoclonus"} <= by_id["phenytoin"]
    assert {"cortical_myoclonus", "myoclonic_seizures", "epileptic_negative_myoclonus"} <= by_id["carbamazepine"]
    assert "myoclonic_seizures" in by_id["gabapentin"]
    assert "myoclonic_seizures" in by_id["pregabalin"]
    assert "jme" in by_id["lamotrigine"]
    assert "jme" in by_id["oxcarbazepine"]
    assert not by_id["levetiracetam"]


def test_no_name_maps_to_two_drugs(table):
    owner = {}
    for drug in table.drugs:
        for name in drug.all_names():
            key = normalise_drug_name(name)
            assert owner.setdefault(key, drug.id) == drug.id, name


# ---------------------------------------------------------------- bad data gives clear errors

DATA = Path(__file__).resolve().parents[2] / "src" / "myoclonus" / "knowledge" / "data" / "drugs.yaml"


def _write(tmp_path, raw) -> Path:
    path = tmp_path / "drugs.yaml"
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw), encoding="utf-8")
    return path


def _minimal():
    return {
        "schema": "myoclonus.drugs/1",
        "references": {"r1": "Ref one"},
        "drugs": [
            {"id": "alpha", "name": "Alpha", "brands": ["Alphex"], "drug_class": "SSRI",
             "associations": ["myoclonus"], "evidence": "class", "sources": ["r1"]},
        ],
    }


def test_minimal_table_reads(tmp_path):
    assert read_drug_table(_write(tmp_path, _minimal())).drugs[0].id == "alpha"


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = _write(tmp_path, "schema: myoclonus.drugs/1\ndrugs: [\n  {id: a, name: [}\n")
    with pytest.raises(InputError, match=r"drugs\.yaml: invalid YAML at line \d+"):
        read_drug_table(path)


def test_unknown_field_names_drug_and_field(tmp_path):
    raw = _minimal()
    raw["drugs"][0]["evidense"] = "A"
    with pytest.raises(InputError, match=r"drug 'alpha' field 'evidense': unknown field"):
        read_drug_table(_write(tmp_path, raw))


def test_bad_evidence_level_is_named(tmp_path):
    raw = _minimal()
    raw["drugs"][0]["evidence"] = "strong"
    with pytest.raises(InputError, match=r"drug 'alpha' field 'evidence'.*'strong'"):
        read_drug_table(_write(tmp_path, raw))


def test_missing_reference_key_is_named(tmp_path):
    raw = _minimal()
    raw["drugs"][0]["sources"] = ["nosuchref"]
    with pytest.raises(InputError, match="nosuchref"):
        read_drug_table(_write(tmp_path, raw))


def test_case_report_without_citation_rejected(tmp_path):
    raw = _minimal()
    raw["drugs"][0]["evidence"] = "case_report"
    with pytest.raises(InputError, match="citation"):
        read_drug_table(_write(tmp_path, raw))


def test_brand_shared_by_two_drugs_rejected(tmp_path):
    raw = _minimal()
    raw["drugs"].append({"id": "beta", "name": "Beta", "brands": ["ALPHEX"], "drug_class": "SSRI",
                         "evidence": "none", "sources": ["r1"]})
    with pytest.raises(InputError, match="maps to both 'alpha' and 'beta'"):
        read_drug_table(_write(tmp_path, raw))


def test_bundled_file_is_the_one_loaded(table):
    assert read_drug_table(DATA) == table
