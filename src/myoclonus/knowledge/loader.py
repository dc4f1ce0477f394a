"""Load and validate the knowledge base once: ``load_kb()``.

The entry files listed in :data:`ENTRY_FILES` are read with PyYAML and validated with the
pydantic models of :mod:`myoclonus.knowledge.models`. Then the cross-entry rules are checked:
ids are unique, every source key resolves to ``references.yaml``, every HPO id is in ``hpo.yaml``
and every ``related`` id exists. Any violation raises :class:`KnowledgeBaseError` naming the file,
the entry id and the field.

``drugs.yaml``, ``evidence.yaml`` and ``muscles.yaml`` live in the same folder but are owned and
loaded by other modules (medication screening, clinical engine, montage).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from myoclonus.errors import InputError, MyoclonusError, did_you_mean
from myoclonus.knowledge.models import (
    KINDS,
    BaseEntry,
    Entry,
    HpoFile,
    HpoTerm,
    LabRangeEntry,
    Reference,
    ReferenceFile,
)

__all__ = ["ENTRY_FILES", "KnowledgeBase", "KnowledgeBaseError", "load_kb", "data_dir"]

logger = logging.getLogger(__name__)

#: Data files holding knowledge-base entries, in load order.
ENTRY_FILES = (
    "definitions.yaml",
    "epidemiology.yaml",
    "classification.yaml",
    "forms.yaml",
    "triggers.yaml",
    "causes.yaml",
    "workup.yaml",
    "treatments.yaml",
    "differentials.yaml",
    "red_flags.yaml",
    "care.yaml",
    "faq.yaml",
    "prevention.yaml",
    "criteria.yaml",
    "lab_ranges.yaml",
    "disagreements.yaml",
)
REFERENCES_FILE = "references.yaml"
HPO_FILE = "hpo.yaml"

_ENTRY_ADAPTER = TypeAdapter(Entry)
#: libyaml's safe loader when PyYAML was built with it (about 10x faster), else the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeBaseError(MyoclonusError):
    """The knowledge-base data files are invalid (a packaging or editing error, not user input)."""


def data_dir() -> Path:
    """Folder of the bundled knowledge-base YAML files."""
    return Path(str(resources.files("myoclonus.knowledge") / "data"))


@dataclass(frozen=True)
class KnowledgeBase:
    """The validated knowledge base.

    Attributes
    ----------
    entries : dict of str to Entry
        Every entry by id.
    references : dict of str to Reference
        Source articles (S0-S4) and cited works by key.
    hpo : dict of str to HpoTerm
        The allowed HPO terms (CRITERIA.md §6.1).
    lab_ranges : dict of str to LabRangeEntry
        Adult reference ranges keyed by intake lab key (e.g. ``sodium_mmol_l``).
    files : dict of str to str
        Entry id -> data file it came from.
    """

    entries: dict[str, BaseEntry]
    references: dict[str, Reference]
    hpo: dict[str, HpoTerm]
    lab_ranges: dict[str, LabRangeEntry] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def get(self, entry_id: str) -> BaseEntry:
        """Return the entry ``entry_id``; unknown ids raise :class:`InputError` with a suggestion."""
        try:
            return self.entries[entry_id]
        except KeyError:
            hint = did_you_mean(entry_id, self.entries)
            if not hint and "." not in entry_id:
                # Allow a bare name: suggest the namespaced id(s) ending in it.
                matches = [i for i in self.entries if i.split(".", 1)[1] == entry_id.lower()]
                if matches:
                    hint = f" Did you mean '{matches[0]}'?"
            raise InputError(
                f"Unknown knowledge-base id '{entry_id}'. Ids look like 'kind.name' "
                f"(e.g. 'treatment.levetiracetam').{hint}",
                where="kb",
            ) from None

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def of_kind(self, kind: str) -> list[BaseEntry]:
        """Entries of one kind, in file order; unknown kinds raise :class:`InputError`."""
        if kind not in KINDS:
            raise InputError(
                f"Unknown entry kind '{kind}'. Allowed kinds are {', '.join(KINDS)}.{did_you_mean(kind, KINDS)}",
                where="kb",
            )
        return [e for e in self.entries.values() if e.kind == kind]

    def describe_sources(self, entry: BaseEntry | str) -> list[str]:
        """Readable citations of every source the entry cites (including lines and cautions)."""
        if isinstance(entry, str):
            entry = self.get(entry)
        return [self.references[key].readable() for key in entry.all_sources()]

    def describe_source_keys(self, keys: list[str]) -> list[str]:
        """Readable citations for a list of source keys."""
        return [self.references[key].readable() for key in keys]


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path.name}: not valid YAML ({exc})") from None
    except OSError as exc:
        raise KnowledgeBaseError(f"{path.name}: cannot be read ({exc.strerror})") from None


def _format_validation(file: str, entry_id: str, exc: ValidationError) -> str:
    problems = []
    for err in exc.errors()[:5]:
        parts = list(err["loc"])
        if parts and parts[0] in KINDS:  # discriminated-union tag, not a field
            parts = parts[1:]
        loc = ".".join(str(p) for p in parts) or "(entry)"
        problems.append(f"field '{loc}': {err['msg']}")
    return f"{file}: entry '{entry_id}': " + "; ".join(problems)


def _parse_file(folder: Path, filename: str, model):
    """One whole-file YAML validated by ``model`` (a clear error naming the file and field)."""
    try:
        return model.model_validate(_read_yaml(folder / filename))
    except ValidationError as exc:
        raise KnowledgeBaseError(_format_validation(filename, "(file)", exc)) from None


def _load_references(folder: Path) -> dict[str, Reference]:
    parsed = _parse_file(folder, REFERENCES_FILE, ReferenceFile)
    refs: dict[str, Reference] = {}
    for ref in parsed.references:
        if ref.key in refs:
            raise KnowledgeBaseError(f"{REFERENCES_FILE}: reference key '{ref.key}' is defined twice")
        refs[ref.key] = ref
    return refs


def _load_hpo(folder: Path) -> dict[str, HpoTerm]:
    return {term.id: term for term in _parse_file(folder, HPO_FILE, HpoFile).terms}


def _load_entries(folder: Path) -> tuple[dict[str, BaseEntry], dict[str, str]]:
    entries: dict[str, BaseEntry] = {}
    files: dict[str, str] = {}
    for name in ENTRY_FILES:
        raw = _read_yaml(folder / name)
        if not isinstance(raw, dict) or set(raw) != {"entries"} or not isinstance(raw["entries"], list):
            raise KnowledgeBaseError(f"{name}: expected a mapping with one key 'entries' holding a list")
        for index, item in enumerate(raw["entries"]):
            entry_id = item.get("id", f"#{index}") if isinstance(item, dict) else f"#{index}"
            try:
                entry = _ENTRY_ADAPTER.validate_python(item)
            except ValidationError as exc:
                raise KnowledgeBaseError(_format_validation(name, entry_id, exc)) from None
            if entry.id in entries:
                raise KnowledgeBaseError(f"{name}: entry '{entry.id}' is already defined in {files[entry.id]}")
            entries[entry.id] = entry
            files[entry.id] = name
    return entries, files


def _check_links(entries, files, references, hpo) -> None:
    for entry_id, entry in entries.items():
        where = f"{files[entry_id]}: entry '{entry_id}'"
        for key in entry.all_sources():
            if key not in references:
                raise KnowledgeBaseError(
                    f"{where}: field 'sources': unknown source '{key}'; add it to {REFERENCES_FILE}."
                    f"{did_you_mean(key, references)}"
                )
        for hp in entry.hpo:
            if hp not in hpo:
                raise KnowledgeBaseError(
                    f"{where}: field 'hpo': '{hp}' is not in the verified list ({HPO_FILE}, CRITERIA.md §6.1); never invent HPO ids"
                )
        for rel in entry.related:
            if rel not in entries:
                raise KnowledgeBaseError(
                    f"{where}: field 'related': unknown id '{rel}'.{did_you_mean(rel, entries)}"
                )
            if rel == entry_id:
                raise KnowledgeBaseError(f"{where}: field 'related': an entry cannot relate to itself")


def load_kb_from(folder: Path) -> KnowledgeBase:
    """Load and validate the knowledge base in ``folder`` (uncached; used by tests)."""
    folder = Path(folder)
    references = _load_references(folder)
    hpo = _load_hpo(folder)
    entries, files = _load_entries(folder)
    _check_links(entries, files, references, hpo)
    lab_ranges = {e.key: e for e in entries.values() if isinstance(e, LabRangeEntry)}
    logger.debug("knowledge base: %d entries, %d references", len(entries), len(references))
    return KnowledgeBase(entries=entries, references=references, hpo=hpo, lab_ranges=lab_ranges, files=files)


@lru_cache(maxsize=1)
def load_kb() -> KnowledgeBase:
    """Return the bundled knowledge base, loaded and validated once per process.

    Raises
    ------
    KnowledgeBaseError
        When a data file is invalid; the message names the file, the entry id and the field.
    """
    return load_kb_from(data_dir())
