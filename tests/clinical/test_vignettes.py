"""Literature vignettes: each YAML in ``vignettes/`` holds an intake and what the literature says.

Expectations come from the cited literature (in each file's ``literature`` field), never from
running the engine. ``null`` means the compiled sources do not settle the item (reason in the
file); a list means any of those labels is accepted by the literature.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import parse_intake

VIGNETTES = sorted((Path(__file__).parent / "vignettes").glob("*.yaml"))


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_there_are_at_least_25_vignettes_with_literature():
    assert len(VIGNETTES) >= 25
    for path in VIGNETTES:
        v = _load(path)
        assert v.get("literature"), f"{path.name} has no literature field"
        assert {"top_group", "top_origin", "triage"} <= set(v["expected"]), path.name


def _accepts(expected, got) -> bool:
    return got in expected if isinstance(expected, list) else got == expected


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_vignette(path):
    v = _load(path)
    exp = v["expected"]
    a = assess(parse_intake(v["intake"], where=path.name))
    problems: list[str] = []
    if exp["top_group"] is not None and not _accepts(exp["top_group"], a.clinical_group[0].label):
        problems.append(f"top group {a.clinical_group[0].label} (p={a.clinical_group[0].probability}), expected {exp['top_group']}")
    if exp["top_origin"] is not None and not _accepts(exp["top_origin"], a.origin[0].label):
        problems.append(f"top origin {a.origin[0].label} (p={a.origin[0].probability}), expected {exp['top_origin']}")
    if a.triage.level != exp["triage"]:
        problems.append(f"triage {a.triage.level}, expected {exp['triage']}: {a.triage.reasons}")
    ranked = [c.id for c in a.causes]
    for cause in exp.get("causes", []):
        rank = ranked.index(cause["id"]) + 1
        if rank > cause.get("within_top", 1):
            problems.append(f"cause {cause['id']} ranked {rank}, expected within top {cause.get('within_top', 1)}: {ranked[:4]}")
        item = a.causes[rank - 1]
        if "detail" in cause and item.detail != cause["detail"]:
            problems.append(f"cause {cause['id']} detail {item.detail!r}, expected {cause['detail']!r}")
        if "detail_contains" in cause and cause["detail_contains"] not in (item.detail or ""):
            problems.append(f"cause {cause['id']} detail {item.detail!r} lacks {cause['detail_contains']!r}")
    kb_ids = {cid for c in a.causes for cid in c.kb_ids}
    for cid in exp.get("kb_causes", []):
        if cid not in kb_ids:
            problems.append(f"KB cause {cid} not supported (got {sorted(kb_ids)})")
    flags = {f.id for f in a.red_flags}
    for fid in exp.get("red_flags", []):
        if fid not in flags:
            problems.append(f"red flag {fid} missing (got {sorted(flags)})")
    caution_drugs = {d.strip() for c in a.cautions for d in c.drug.split(",")}
    for drug in exp.get("cautions", []):
        if drug not in caution_drugs:
            problems.append(f"caution for {drug} missing (got {sorted(caution_drugs)})")
    treatments = [t.id for t in a.treatment]
    for tid in exp.get("treatment_includes", []):
        if tid not in treatments:
            problems.append(f"treatment {tid} missing (got {treatments})")
    workup = [w.id for w in a.workup]
    for wid in exp.get("workup_includes", []):
        if wid not in workup:
            problems.append(f"work-up {wid} missing (got {workup})")
    with_reasons = [d.id for d in a.differential if d.for_]
    for did in exp.get("differential_includes", []):
        if did not in with_reasons:
            problems.append(f"differential {did} has no reason (got {with_reasons})")
    if "top_differential" in exp and a.differential[0].id != exp["top_differential"]:
        problems.append(f"top differential {a.differential[0].id}, expected {exp['top_differential']}")
    assert not problems, f"{v['title']}:\n  " + "\n  ".join(problems)


def summarise() -> list[str]:
    """One line per vignette: what the engine produced (for the issue's closing note)."""
    lines = ["vignette | group | origin | triage | top causes (detail) | red flags | cautions"]
    for path in VIGNETTES:
        v = _load(path)
        a = assess(parse_intake(v["intake"], where=path.name))
        causes = ", ".join(f"{c.id}{f' ({c.detail})' if c.detail else ''} {c.probability:.2f}" for c in a.causes[:2])
        flags = ", ".join(f.id.split(".", 1)[1] for f in a.red_flags) or "-"
        cautions = ", ".join(dict.fromkeys(c.drug for c in a.cautions)) or "-"
        lines.append(f"{path.stem} | {a.clinical_group[0].label} {a.clinical_group[0].probability:.2f} | "
                     f"{a.origin[0].label} {a.origin[0].probability:.2f} | {a.triage.level} | {causes} | {flags} | {cautions}")
    return lines


if __name__ == "__main__":  # python tests/clinical/test_vignettes.py
    print("\n".join(summarise()))
