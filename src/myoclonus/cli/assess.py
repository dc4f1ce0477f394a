"""``myoclonus assess FILE``: the clinical assessment of one intake (terminal, JSON or files)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from myoclonus.cli import app

__all__ = ["assess", "print_summary", "write_assessment", "run_assessment"]

_TRIAGE_STYLE = {"emergency": "bold white on red", "urgent": "bold white on dark_orange3",
                 "routine": "bold white on blue", "self_care": "bold white on green"}


def run_assessment(path: Path, *, audience: str = "clinician") -> tuple[Any, Any]:
    """Load the intake at ``path`` and assess it; return ``(assessment, kb)``.

    An :class:`InputError` propagates to the CLI's error printer, which escapes Rich markup.
    """
    from myoclonus.clinical.engine import assess as run
    from myoclonus.clinical.presentation import load_intake
    from myoclonus.knowledge import load_kb

    intake = load_intake(path)
    kb = load_kb()
    return run(intake, audience=audience, kb=kb), kb


def write_assessment(assessment: Any, out_dir: Path, *, title: str | None = None, kb: Any = None) -> list[Path]:
    """Write ``assessment.json`` and ``assessment.html`` into ``out_dir`` atomically (both or neither)."""
    from myoclonus.atomic import staged_directory
    from myoclonus.report.assessment_html import render_assessment_html

    html = render_assessment_html(assessment, title=title, kb=kb)
    with staged_directory(out_dir) as stage:
        (stage / "assessment.json").write_text(assessment.to_json() + "\n", encoding="utf-8")
        (stage / "assessment.html").write_text(html, encoding="utf-8")
    return [out_dir / "assessment.json", out_dir / "assessment.html"]


def _headline(reason: str) -> str:
    """``"urgent: Name - long text [src]"`` -> ``"urgent: Name"`` (the full text is in JSON/HTML)."""
    return reason.split(" - ", 1)[0]


def _first(items: list[str], n: int) -> list[str]:
    return items[:n]


_LEVEL_MEANING = {  # CONTRACTS.md section 2
    "clinician": {"emergency": "Emergency: act now.", "urgent": "Urgent: assess within days.",
                  "routine": "Routine: book a visit.", "self_care": "Self care: no visit needed."},
    "patient": {"emergency": "Get emergency help now.", "urgent": "See a doctor within the next few days.",
                "routine": "Book a visit with your doctor.", "self_care": "No doctor visit is needed for this."},
}

_HEADINGS = {
    "clinician": {"triage": "TRIAGE", "red_flags": "Red flags", "clinical_group": "Clinical group", "origin": "Origin",
                  "causes": "Causes", "differential": "Differential", "workup": "Work-up",
                  "treatment": "Treatment options", "cautions": "Cautions"},
    "patient": {"triage": "HOW SOON TO SEE A DOCTOR", "red_flags": "Warning signs", "clinical_group": "What kind of jerks",
                "origin": "Where they may start", "causes": "Possible causes",
                "differential": "Other conditions that can look similar", "workup": "Tests your doctor may suggest",
                "treatment": "Treatment options to discuss", "cautions": "Medicines to be careful with"},
}


def print_summary(assessment: Any, console: Console, *, title: str | None = None, top_reasons: int = 2) -> None:
    """Readable terminal summary: red flags and triage first, then the three axes, work-up, treatment."""
    a = assessment
    h = _HEADINGS[a.audience]
    head = f"Myoclonus assessment{': ' + title if title else ''}"
    console.rule(f"[bold]{head}")
    level = a.triage.level
    meaning = _LEVEL_MEANING[a.audience][level]
    body = f"[bold]{meaning}[/]\n" + "\n".join(f"- {escape(_headline(r))}" for r in a.triage.reasons)
    console.print(Panel(body, title=f"{h['triage']}: {level.replace('_', ' ').upper()}", border_style="red" if level in ("emergency", "urgent") else "blue",
                        title_align="left", subtitle=None), style=None)
    if a.red_flags:
        flags = Table(title=h["red_flags"], show_lines=False, title_justify="left", title_style="bold red")
        flags.add_column("flag", style="bold red")
        flags.add_column("level")
        flags.add_column("why")
        for f in a.red_flags:
            flags.add_row(f.id.replace("red_flag.", "").replace("_", " "), f.triage or "", escape(f.text))
        console.print(flags)
    for axis, name in (("clinical_group", h["clinical_group"]), ("origin", h["origin"])):
        table = Table(title=name + (" (clinical + recording)" if axis == "origin" and a.origin_evidence != "clinical" else ""),
                      title_justify="left", title_style="bold")
        table.add_column("label")
        table.add_column("p", justify="right")
        table.add_column("top reasons")
        for p in getattr(a, axis)[:3]:
            reasons = "\n".join(["+ " + escape(r) for r in _first(p.for_, top_reasons)]
                                + ["- " + escape(r) for r in _first(p.against, 1)])
            table.add_row(p.label.replace("_", " "), f"{p.probability:.2f}", reasons)
        console.print(table)
    for d in a.disagreements:
        console.print(f"[bold yellow]Disagreement:[/] {escape(d.text)}")
    causes = Table(title=h["causes"], title_justify="left", title_style="bold")
    causes.add_column("cause")
    causes.add_column("detail")
    causes.add_column("p", justify="right")
    for c in a.causes[:4]:
        causes.add_row(c.id.replace("_", " "), escape(c.detail or ""), f"{c.probability:.2f}")
    console.print(causes)
    pointers = [d for d in a.differential if d.for_]
    if pointers:
        console.print(f"[bold]{h['differential']}:[/] " + "; ".join(f"{d.id.replace('_', ' ')} ({len(d.for_)} pointer{'s' if len(d.for_) > 1 else ''})" for d in pointers))
    console.print(f"[bold]{h['workup']}:[/] " + ", ".join(w.id.replace("_", " ") for w in a.workup))
    treat = Table(title=h["treatment"], title_justify="left", title_style="bold")
    treat.add_column("option")
    treat.add_column("line", justify="right")
    treat.add_column("for")
    treat.add_column("cautions")
    for t in a.treatment:
        treat.add_row(t.id.replace("_", " "), str(t.line), (t.for_cause or t.for_origin).replace("_", " "),
                      escape("\n".join(t.cautions)))
    console.print(treat)
    if a.cautions:
        cautions = Table(title=h["cautions"], title_justify="left", title_style="bold red")
        cautions.add_column("drug", style="bold")
        cautions.add_column("context")
        cautions.add_column("caution")
        for c in a.cautions:
            cautions.add_row(escape(c.drug), (c.context or "").replace("_", " "), escape(c.text))
        console.print(cautions)
    for note in a.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"[italic]{escape(a.disclaimer)}[/]")


@app.command()
def assess(
    file: Path = typer.Argument(..., help="Intake file (myoclonus.intake/1, YAML or JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the assessment JSON (myoclonus.assessment/1)."),
    audience: str = typer.Option("clinician", "--audience", help="clinician | patient (plain language)."),
    out: Path = typer.Option(None, "--out", help="Folder to write assessment.json and assessment.html into."),
) -> None:
    """Assess a clinical presentation: group, origin, causes, work-up, treatment, red flags, triage. Decision support, not a diagnosis."""
    from myoclonus.errors import InputError, did_you_mean

    if audience not in ("clinician", "patient"):
        raise InputError(f"invalid value {audience!r}; expected 'clinician' or 'patient'.{did_you_mean(audience, ['clinician', 'patient'])}",
                         where="--audience")
    assessment, kb = run_assessment(file, audience=audience)
    if out is not None:
        write_assessment(assessment, out, title=file.stem, kb=kb)
    if as_json:
        typer.echo(json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False))
        return
    console = Console()
    print_summary(assessment, console, title=file.stem)
    if out is not None:
        console.print(f"wrote {out / 'assessment.json'} and {out / 'assessment.html'}")
