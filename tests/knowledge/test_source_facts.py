"""Every bullet of SOURCE-FACTS.md is represented in the knowledge base, with its source keys.

The test parses ``../shared/spec/SOURCE-FACTS.md`` itself, so a new or edited bullet without a
row in ``source_facts_checklist.yaml`` fails, and so does a row whose entries do not cite the
source articles (S0-S4) that the bullet names.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from myoclonus.knowledge import load_kb

CHECKLIST = Path(__file__).with_name("source_facts_checklist.yaml")
ALL_SOURCES = {"S0", "S1", "S2", "S3", "S4"}
_KEY = re.compile(r"\bS[0-4]\b")


@dataclass
class Bullet:
    section: str
    text: str

    @property
    def explicit_sources(self) -> set[str]:
        """Source keys the bullet itself names ('all sources' means S0-S4)."""
        if "(all sources)" in self.text:
            return set(ALL_SOURCES)
        return set(_KEY.findall(self.text))

    @property
    def section_sources(self) -> set[str]:
        return set(_KEY.findall(self.section))


def _norm(text: str) -> str:
    return " ".join(text.split())


def parse_source_facts(text: str) -> list[Bullet]:
    """Bullets (and free paragraph lines) of every numbered section, continuation lines joined."""
    bullets: list[Bullet] = []
    section = None
    in_item = False
    for line in text.splitlines():
        heading = re.match(r"^## (\d+\..*)$", line)
        if heading:
            section, in_item = heading.group(1).strip(), False
            continue
        if section is None or line.startswith("#"):
            continue
        if not line.strip():
            in_item = False
        elif line.startswith("- "):
            bullets.append(Bullet(section, line[2:].strip()))
            in_item = True
        elif in_item:
            bullets[-1].text = _norm(bullets[-1].text + " " + line)
        else:
            bullets.append(Bullet(section, line.strip()))
            in_item = True
    return bullets


@pytest.fixture(scope="module")
def bullets(spec_dir: Path) -> list[Bullet]:
    return parse_source_facts((spec_dir / "SOURCE-FACTS.md").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def checklist() -> dict:
    return yaml.safe_load(CHECKLIST.read_text(encoding="utf-8"))


def _rows_for(bullet: Bullet, checklist: dict) -> list[dict]:
    return [row for row in checklist.get(bullet.section, []) if _norm(row["fragment"]) in _norm(bullet.text)]


def test_parser_finds_every_section_and_joins_continuation_lines(bullets):
    sections = {b.section.split(".")[0] for b in bullets}
    assert sections == {str(i) for i in range(1, 12)}
    assert len(bullets) >= 35
    differential = [b for b in bullets if b.section.startswith("10.")]
    assert len(differential) == 1 and "Huntington" in differential[0].text


def test_parser_reads_sources_of_a_bullet():
    parsed = parse_source_facts("## 1. Definition\n- A jerk (all sources).\n- B (S1,\n  S3).\n\n## 4. Triggers (S0, S2)\nSound; none.\n")
    assert [b.explicit_sources for b in parsed] == [ALL_SOURCES, {"S1", "S3"}, set()]
    assert parsed[2].section_sources == {"S0", "S2"}


def unmatched_bullets(bullets: list[Bullet], checklist: dict) -> list[str]:
    """Bullets with no row, or with several rows."""
    return [b.text[:60] for b in bullets if len(_rows_for(b, checklist)) != 1]


def representation_problems(bullets: list[Bullet], checklist: dict, kb) -> list[str]:
    """Unknown ids, entries not citing the bullet's source keys, facts missing from the text."""
    problems = []
    for bullet in bullets:
        for row in _rows_for(bullet, checklist):
            if not row.get("ids"):
                problems.append(f"{row['fragment']!r}: maps to no id")
                continue
            union: set[str] = set()
            wanted = bullet.explicit_sources or bullet.section_sources
            for entry_id in row["ids"]:
                if entry_id not in kb:
                    problems.append(f"{row['fragment']!r}: unknown id {entry_id}")
                    continue
                cited = set(kb.get(entry_id).all_sources())
                union |= cited
                if not cited & wanted:
                    problems.append(f"{row['fragment']!r}: {entry_id} cites none of {sorted(wanted)}")
            if bullet.explicit_sources - union:
                problems.append(f"{row['fragment']!r}: no entry cites {sorted(bullet.explicit_sources - union)}")
            texts = " ".join(  # what a reader sees: name and both registers
                kb.get(i).name + " " + kb.get(i).text.clinician + " " + kb.get(i).text.patient
                for i in row["ids"] if i in kb
            ).lower()
            for word in row.get("mentions", []):
                if str(word).lower() not in texts:
                    problems.append(f"{row['fragment']!r}: no entry text mentions {word!r}")
    return problems


def test_every_bullet_has_exactly_one_checklist_row(bullets, checklist):
    assert not unmatched_bullets(bullets, checklist)


def test_every_checklist_row_matches_a_bullet(bullets, checklist):
    stale = []
    for section, rows in checklist.items():
        texts = [_norm(b.text) for b in bullets if b.section == section]
        assert texts, f"checklist section {section!r} is not a section of SOURCE-FACTS.md"
        stale += [row["fragment"] for row in rows if not any(_norm(row["fragment"]) in t for t in texts)]
    assert not stale, f"checklist rows that match no bullet: {stale}"


def test_every_bullet_is_represented_and_sourced(bullets, checklist):
    problems = representation_problems(bullets, checklist, load_kb())
    assert not problems, "\n".join(problems)


def test_a_missing_row_is_detected(bullets, checklist):
    broken = copy.deepcopy(checklist)
    broken["8. Prevention (S2)"] = []
    assert [t.strip() for t in unmatched_bullets(bullets, broken)] == ["Avoid brain injury (helmets); report jerks that start after"]


def test_an_unsourced_or_unknown_id_is_detected(bullets, checklist):
    broken = copy.deepcopy(checklist)
    row = broken["2. Epidemiology and risk"][1]  # "Prevalence rises after age 50 (S1) ... (S4)"
    row["ids"] = ["treatment.baclofen", "epidemiology.nope"]
    problems = representation_problems(bullets, broken, load_kb())
    assert "'Prevalence rises after age 50': treatment.baclofen cites none of ['S1', 'S4']" in problems
    assert "'Prevalence rises after age 50': unknown id epidemiology.nope" in problems
    assert "'Prevalence rises after age 50': no entry cites ['S1', 'S4']" in problems


def test_a_fact_missing_from_the_text_is_detected(bullets, checklist):
    broken = copy.deepcopy(checklist)
    broken["1. Definition"][2]["ids"] = ["definition.clinical_sign"]  # drops the 72% entry
    problems = representation_problems(bullets, broken, load_kb())
    assert "'Not a disease but a clinical sign': no entry text mentions '72%'" in problems
