"""``myoclonus schema assessment|findings|intake``: print a published JSON Schema, or validate files."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from myoclonus.cli import app
from myoclonus.errors import InputError

__all__ = ["schema"]


def _read_document(path: Path) -> object:
    if not path.is_file():
        raise InputError("file not found.", where=str(path))
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(text)
        return json.loads(text)
    except (ValueError, Exception) as exc:  # json.JSONDecodeError and yaml.YAMLError
        raise InputError(f"cannot parse the file: {exc}", where=str(path)) from None


@app.command()
def schema(
    name: str = typer.Argument(..., help="Which schema: assessment, findings or intake."),
    validate: Optional[list[Path]] = typer.Option(None, "--validate", help="Validate these JSON/YAML files against the schema instead of printing it."),  # noqa: UP007
) -> None:
    """Print the JSON Schema of myoclonus.assessment/1, myoclonus.findings/1 or myoclonus.intake/1."""
    from myoclonus.report.schemas import load_schema, validate_document

    document_schema = load_schema(name.strip().lower())
    if not validate:
        typer.echo(json.dumps(document_schema, indent=2, ensure_ascii=False))
        return
    console = Console()
    for path in validate:
        validate_document(_read_document(path), name.strip().lower(), where=str(path))
        console.print(f"{escape(str(path))}: valid {escape(document_schema['title'])}", highlight=False)
