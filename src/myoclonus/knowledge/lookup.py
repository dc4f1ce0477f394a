"""Find knowledge-base entries by words: ``search(["startle", "clonazepam"])``.

``resolve("chronic kidney disease", kind="cause")`` maps a free-text term to the one entry whose id,
name or alias it names (normalised exactly), for matching intake free text to knowledge-base ids.

Every word must occur (case-insensitive, as a prefix of a word) in the entry's id, name,
aliases or text (either register). Results are ranked by where the words matched: id and name
first, then aliases, then text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from myoclonus.errors import InputError
from myoclonus.knowledge.loader import KnowledgeBase, load_kb
from myoclonus.knowledge.models import BaseEntry

__all__ = ["search", "resolve"]

_WORD = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("-", " ").replace("_", " "))


def _field_tokens(entry: BaseEntry) -> tuple[list[str], list[str], list[str]]:
    head = _tokens(entry.id) + _tokens(entry.name)
    aliases = [t for alias in entry.aliases for t in _tokens(alias)]
    body = _tokens(entry.text.clinician) + _tokens(entry.text.patient)
    return head, aliases, body


def _match(word: str, tokens: list[str]) -> bool:
    return any(tok.startswith(word) for tok in tokens)


def search(words: Iterable[str] | str, *, kind: str | None = None, kb: KnowledgeBase | None = None) -> list[BaseEntry]:
    """Entries matching every word, best first.

    Parameters
    ----------
    words : str or iterable of str
        Search words; a single string is split on whitespace.
    kind : str | None
        Restrict to one entry kind (e.g. ``"treatment"``).
    kb : KnowledgeBase | None
        Knowledge base to search; the bundled one by default.

    Returns
    -------
    list of Entry
        Matching entries ranked by score (id/name 3, alias 2, text 1 per word), then id.
    """
    kb = kb or load_kb()
    if isinstance(words, str):
        words = words.split()
    query = [t for w in words for t in _tokens(w)]
    if not query:
        raise InputError("Give at least one search word (letters or digits).", where="kb search")
    pool = kb.of_kind(kind) if kind else list(kb.entries.values())
    scored: list[tuple[int, str, BaseEntry]] = []
    for entry in pool:
        head, aliases, body = _field_tokens(entry)
        score = 0
        for word in query:
            if _match(word, head):
                score += 3
            elif _match(word, aliases):
                score += 2
            elif _match(word, body):
                score += 1
            else:
                score = 0
                break
        if score:
            scored.append((-score, entry.id, entry))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in scored]


def _normalise(text: str) -> str:
    text = text.lower().replace("'s", "").replace("\u2019s", "")
    return "_".join(_WORD.findall(text.replace("-", " ")))


def resolve(term: str, *, kind: str | None = None, kb: KnowledgeBase | None = None) -> BaseEntry | None:
    """The entry a free-text term names exactly (id, id suffix, name or alias), else ``None``.

    Parameters
    ----------
    term : str
        E.g. ``"Chronic kidney disease"``, ``"cause.renal_failure"``, ``"CJD"``.
    kind : str | None
        Restrict to one entry kind.
    kb : KnowledgeBase | None
        Knowledge base to use; the bundled one by default.

    Notes
    -----
    Matching is exact after normalisation (case, punctuation, possessive 's), never fuzzy, so a
    clinical term is never silently mapped to a near-miss; use :func:`search` to explore.
    """
    kb = kb or load_kb()
    key = _normalise(term)
    if not key:
        return None
    for entry in kb.of_kind(kind) if kind else kb.entries.values():
        names = [entry.id, entry.id.split(".", 1)[1], entry.name, *entry.aliases]
        if key in {_normalise(n) for n in names}:
            return entry
    return None
