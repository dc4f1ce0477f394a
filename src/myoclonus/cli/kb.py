"""``myoclonus kb list | show ID | search WORDS``: browse the knowledge base with its sources."""
from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from myoclonus.cli import app
from myoclonus.errors import InputError, did_you_mean

kb_app = typer.Typer(
    name="kb",
    help="Browse the knowledge base (facts, causes, treatments, red flags ...) with their sources.",
    no_args_is_help=True,
)
app.add_typer(kb_app, name="kb")

AUDIENCES = ("clinician", "patient")
DISCLAIMER = "Decision support, not a diagnosis. Discuss any treatment with your clinician."


def _check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise InputError(
            f"Invalid value for '--audience'. Allowed values are 'clinician' and 'patient', "
            f"but got '{audience}' instead.{did_you_mean(audience, AUDIENCES)}",
            where="kb show",
        )
    return audience


def _keys(sources: list[str]) -> str:
    return "[" + ", ".join(sources) + "]"


def _summary_row(entry) -> dict[str, Any]:
    return {"id": entry.id, "kind": entry.kind, "name": entry.name, "sources": entry.all_sources()}


def _entries_table(entries, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("kind")
    table.add_column("name")
    table.add_column("sources")
    for entry in entries:
        table.add_row(entry.id, entry.kind, entry.name, ", ".join(entry.all_sources()))
    return table


@kb_app.command("list")
def list_entries(
    kind: str = typer.Option(None, "--kind", help="Only entries of this kind (e.g. treatment, cause, red_flag)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of a table."),
) -> None:
    """List knowledge-base entries (id, kind, name, sources)."""
    from myoclonus.knowledge import load_kb

    kb = load_kb()
    entries = kb.of_kind(kind) if kind else list(kb.entries.values())
    if as_json:
        typer.echo(json.dumps([_summary_row(e) for e in entries], ensure_ascii=False))
        return
    Console().print(_entries_table(entries, f"{len(entries)} entries" + (f" of kind {kind}" if kind else "")))


def _entry_json(kb, entry, audience: str) -> dict[str, Any]:
    data = entry.model_dump(mode="json")
    data["audience"] = audience
    data["display_text"] = entry.text.for_audience(audience)
    data["citations"] = kb.describe_sources(entry)
    data["hpo_labels"] = {hp: kb.hpo[hp].label for hp in entry.hpo}
    data["disclaimer"] = DISCLAIMER
    return data


def _print_entry(console: Console, kb, entry, audience: str) -> None:
    clinician = audience == "clinician"
    console.print(f"[bold]{escape(entry.name)}[/]  [dim]{entry.id} ({entry.kind})[/]")
    console.print(escape(entry.text.for_audience(audience)))
    # The patient view keeps triage, ranges, cautions and sources; technical labels are clinician-only.
    fields = ("triage", "cause_class", "clinical_group", "origin", "group") if clinician else ("triage",)
    for field in fields:
        value = getattr(entry, field, None)
        if value:
            console.print(f"[bold]{field.replace('_', ' ')}:[/] {value}")
    if clinician and getattr(entry, "typical_origins", None):
        console.print(f"[bold]typical origins:[/] {', '.join(entry.typical_origins)}")
    if entry.kind == "lab":
        low = "-" if entry.low is None else f"{entry.low:g}"
        high = "-" if entry.high is None else f"{entry.high:g}"
        console.print(f"[bold]adult reference range:[/] {low} to {high} {entry.unit}")
        console.print(f"[bold]relevance:[/] {escape(entry.myoclonus_relevance.for_audience(audience))}")
    if entry.kind == "criterion" and clinician:
        threshold = entry.threshold if entry.threshold is not None else ""
        console.print(f"[bold]criterion:[/] {entry.measure} {entry.comparison} {threshold} {entry.unit or ''}".rstrip())
    for line in getattr(entry, "lines", []) if clinician else []:
        context = f" ({line.context})" if line.context else ""
        console.print(f"[bold]line {line.line}[/] for {line.origin}{escape(context)}  [dim]{escape(_keys(line.sources))}[/]")
    for caution in getattr(entry, "cautions", []):
        label = "[bold red]CAUTION[/]" if caution.worsens else "[bold yellow]note[/]"
        context = f" ({caution.context})" if clinician else ""
        console.print(f"{label}{escape(context)}: {escape(caution.text.for_audience(audience))}  [dim]{escape(_keys(caution.sources))}[/]")
    for claim in getattr(entry, "source_claims", []):
        console.print(f"[bold]source {claim.source} says:[/] {escape(claim.claim)}")
    if entry.hpo and clinician:
        console.print("[bold]HPO:[/] " + escape("; ".join(f"{hp} {kb.hpo[hp].label}" for hp in entry.hpo)))
    if entry.related and clinician:
        console.print("[bold]related:[/] " + ", ".join(entry.related))
    console.print("[bold]sources:[/]")
    for citation in kb.describe_sources(entry):
        console.print(f"  {citation}", highlight=False, markup=False)
    console.print(f"[dim]{DISCLAIMER}[/]")


@kb_app.command("show")
def show(
    entry_id: str = typer.Argument(..., metavar="ID", help="Entry id, e.g. treatment.levetiracetam."),
    audience: str = typer.Option("clinician", "--audience", help="clinician or patient."),
    as_json: bool = typer.Option(False, "--json", help="Print the entry as JSON."),
) -> None:
    """Show one entry: text, kind-specific details, HPO terms and readable citations."""
    from myoclonus.knowledge import load_kb

    audience = _check_audience(audience)
    kb = load_kb()
    entry = kb.get(entry_id)
    if as_json:
        typer.echo(json.dumps(_entry_json(kb, entry, audience), ensure_ascii=False))
        return
    _print_entry(Console(), kb, entry, audience)


@kb_app.command("refs")
def refs(
    tag: str = typer.Option(None, "--tag", help="Only references with this tag: source_article, primary, secondary, unverified."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of a table."),
) -> None:
    """List the cited works with their evidence tag and how many entries cite each."""
    from myoclonus.knowledge import load_kb

    tags = ("source_article", "primary", "secondary", "unverified")
    if tag is not None and tag not in tags:
        raise InputError(
            f"Invalid value for '--tag'. Allowed values are {', '.join(tags)}, but got '{tag}' instead."
            f"{did_you_mean(tag, tags)}",
            where="kb refs",
        )
    kb = load_kb()
    cited_by: dict[str, list[str]] = {key: [] for key in kb.references}
    for entry in kb.entries.values():
        for key in entry.all_sources():
            cited_by[key].append(entry.id)
    rows = [
        {"key": ref.key, "tag": ref.tag, "citation": ref.readable(), "cited_by": cited_by[ref.key]}
        for ref in kb.references.values()
        if tag is None or ref.tag == tag
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} references" + (f" tagged {tag}" if tag else ""))
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("tag")
    table.add_column("entries", justify="right")
    table.add_column("citation")
    for row in rows:
        table.add_row(row["key"], row["tag"], str(len(row["cited_by"])), escape(row["citation"]))
    Console().print(table)


@kb_app.command("search")
def search_entries(
    words: list[str] = typer.Argument(..., help="Words that must all occur (prefix match) in id, name, aliases or text."),
    kind: str = typer.Option(None, "--kind", help="Only entries of this kind."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of a table."),
) -> None:
    """Search the knowledge base; best matches first."""
    from myoclonus.knowledge import search

    found = search(words, kind=kind)
    if as_json:
        typer.echo(json.dumps([_summary_row(e) for e in found], ensure_ascii=False))
        return
    if not found:
        Console().print(f"No entry matches {' '.join(words)!r}.")
        return
    Console().print(_entries_table(found, f"{len(found)} matches for {' '.join(words)!r}"))
