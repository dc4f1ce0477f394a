"""Channel typing: what each channel of a recording is, from its name or from a montage file.

Names are understood case-insensitively with any of space, ``-``, ``_``, ``.`` as separator and an
optional type prefix (``EMG``/``EEG``), in the forms of CONTRACTS.md §3: ``EMG R FDI``, ``R-FDI``,
``FDI_R``, ``FDI R``, ``Right FDI``, ``EMG_L_TA``, ``L Tib Ant``, ``PSP T8``, ``RFDI``, ``LAT``.
EEG channels use 10-20/10-10 names (``C3``, ``Cz``, ``EEG C3-A2``); ``STIM``, ``TRIG``, ``Status``
are stimulus channels; ECG/EKG, EOG, accelerometer and respiration channels are typed too.

A montage YAML maps any name explicitly::

    schema: myoclonus.montage/1        # optional
    channels:
      "Chan 1": R FDI                  # a name in any of the forms above
      "Chan 2": {kind: emg, muscle: TA, side: left}
      "Chan 3": {kind: eeg, side: left}
      "Chan 4": {kind: misc}           # known, not analysed

Every channel that cannot be typed is reported by name (``unmapped``), never dropped.
"""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from myoclonus.errors import InputError, did_you_mean
from myoclonus.signals.channels import ChannelInfo

__all__ = [
    "Muscle",
    "muscle_table",
    "parse_channel_name",
    "Montage",
    "load_montage",
    "type_channels",
    "ChannelTyping",
    "suggest",
]

CHANNEL_KINDS = ("emg", "eeg", "eog", "ecg", "acc", "stim", "resp", "misc")
SIDES = ("left", "right", "midline")

_SEPARATORS = re.compile(r"[\s\-_.:/]+")
_SIDE_WORDS = {"r": "right", "rt": "right", "right": "right", "l": "left", "lt": "left", "left": "left"}
_TYPE_PREFIXES = ("emg", "eeg")
# 10-20 / 10-10 electrode names (Jasper 1958; American Clinical Neurophysiology Society guideline 2
# 2006 for the 10-10 extension; T3/T4/T5/T6 are the old names of T7/T8/P7/P8). A1/A2, M1/M2 are the
# ear / mastoid references.
_EEG_NAME = re.compile(r"^(fp|af|f|fc|ft|c|cp|tp|t|p|po|o|i|a|m|n|ns|ne)(z|\d{1,2})$")
_SEGMENT = re.compile(r"^([ctls])(\d{1,2})$")
_SEGMENT_MAX = {"c": 8, "t": 12, "l": 5, "s": 5}
_SEGMENT_RANK_BASE = {"c": 10, "t": 18, "l": 30, "s": 35}
_STIM_WORDS = {"stim", "sti", "trig", "trigger", "status", "stimulus", "sti014", "sti 014"}
_ECG_WORDS = {"ecg", "ekg", "heart", "cardiac"}
_EOG_WORDS = {"eog", "loc", "roc", "heog", "veog"}
_ACC_WORDS = {"acc", "accel", "accelerometer", "acceleration", "accelerometry", "gyro"}
_RESP_WORDS = {"resp", "respiration", "respiratory", "airflow", "flow", "thorax", "thor", "breath", "nasal"}


@dataclass(frozen=True)
class Muscle:
    """One row of ``knowledge/data/muscles.yaml`` (see that file for field meanings and sources)."""

    short: str
    name: str
    aliases: tuple[str, ...]
    nerve: str
    segment: str
    level: str
    group: str
    region: str
    proximal: bool | None
    rank: int
    antagonist: str | None
    sources: tuple[str, ...]


@functools.cache
def muscle_table() -> dict[str, Muscle]:
    """Return the muscle table keyed by short name (loaded once from ``muscles.yaml``)."""
    text = resources.files("myoclonus.knowledge").joinpath("data/muscles.yaml").read_text("utf-8")
    rows = yaml.safe_load(text)["muscles"]
    table = {}
    for row in rows:
        row = dict(row)
        row["aliases"] = tuple(str(a).lower() for a in row.get("aliases", ()))
        row["sources"] = tuple(row.get("sources", ()))
        table[row["short"]] = Muscle(**row)
    return table


def suggest(value: str, choices: Sequence[str]) -> str:
    """``" Did you mean 'X'?"`` with case-insensitive matching (``did_you_mean`` lower-cases the value only)."""
    lowered = {str(c).lower(): str(c) for c in choices}
    hint = did_you_mean(str(value).lower(), list(lowered))
    if not hint:
        return ""
    match = hint.split("'")[1]
    return f" Did you mean {lowered.get(match, match)!r}?"


def segment_rank(level: str | None) -> int | None:
    """Rostro-caudal rank of a spinal segment (``"C5"`` -> 15) or cranial level, else ``None``."""
    if level is None:
        return None
    match = _SEGMENT.match(level.lower())
    if match:
        return _SEGMENT_RANK_BASE[match.group(1)] + int(match.group(2))
    for muscle in muscle_table().values():
        if muscle.level == level and muscle.group == "cranial":
            return muscle.rank
    return None


@functools.cache
def _alias_index() -> dict[str, str]:
    """Map every recognised muscle spelling (space-separated lower case) to its short name."""
    index: dict[str, str] = {}
    for short, muscle in muscle_table().items():
        index[short.lower()] = short
        for alias in muscle.aliases:
            index.setdefault(alias, short)
    return index


def _tokens(name: str) -> list[str]:
    return [t for t in _SEPARATORS.split(name.strip().lower()) if t]


def _eeg_side(token: str) -> str | None:
    match = _EEG_NAME.match(token)
    if not match:
        return None
    suffix = match.group(2)
    if suffix == "z":
        return "midline"
    number = int(suffix)
    if not 1 <= number <= 12:
        return None
    return "left" if number % 2 else "right"


def _find_muscle(tokens: list[str]) -> tuple[str, int, int] | None:
    """Longest run of tokens that spells a muscle: (short, start, stop) or ``None``."""
    index = _alias_index()
    best = None
    for start in range(len(tokens)):
        for stop in range(len(tokens), start, -1):
            phrase = " ".join(tokens[start:stop])
            if phrase in index and (best is None or stop - start > best[2] - best[1]):
                best = (index[phrase], start, stop)
                break
    return best


def _split_glued_side(token: str) -> tuple[str, str] | None:
    """``"rfdi"`` -> (``"right"``, ``"fdi"``); ``"tar"`` -> (``"right"``, ``"ta"``)."""
    index = _alias_index()
    if len(token) >= 3:
        if token[0] in "rl" and token[1:] in index:
            return _SIDE_WORDS[token[0]], token[1:]
        if token[-1] in "rl" and token[:-1] in index:
            return _SIDE_WORDS[token[-1]], token[:-1]
    return None


def parse_channel_name(name: str, *, hint_kind: str | None = None) -> ChannelInfo:
    """Type one channel from its name.

    Parameters
    ----------
    name : str
        Channel name as in the file.
    hint_kind : str | None
        Type given by the file format (e.g. ``"emg"`` in a FIF file), used when the name says
        nothing. EDF readers call every channel ``"eeg"``, so ``"eeg"`` and ``"misc"`` hints are
        ignored.

    Returns
    -------
    ChannelInfo
        ``kind="misc"`` with no muscle when the name could not be understood.
    """
    tokens = _tokens(name)
    joined = " ".join(tokens)
    prefix = None
    if tokens and tokens[0] in _TYPE_PREFIXES:
        prefix = tokens.pop(0)
    elif tokens and tokens[0][:3] in _TYPE_PREFIXES and _find_muscle([tokens[0][3:]]):
        prefix, tokens[0] = tokens[0][:3], tokens[0][3:]  # "EMGFDI"

    if not tokens:
        return ChannelInfo(name=name, kind=prefix or "misc")  # type: ignore[arg-type]

    # Non-EMG kinds first (a prefix "EEG" may still carry an ECG name, e.g. "EEG ECG").
    first = tokens[0]
    if joined in _STIM_WORDS or first in _STIM_WORDS or re.fullmatch(r"(sti|stim|trig)\d*", first):
        return ChannelInfo(name=name, kind="stim")
    if first in _ECG_WORDS or re.fullmatch(r"(ecg|ekg)\d*", first):
        return ChannelInfo(name=name, kind="ecg")
    if first in _EOG_WORDS or re.fullmatch(r"eog\d*", first) or (prefix is None and "eog" in tokens):
        return ChannelInfo(name=name, kind="eog")
    if first in _ACC_WORDS or re.fullmatch(r"acc[xyz]?\d*", first):
        return ChannelInfo(name=name, kind="acc")
    if first in _RESP_WORDS:
        return ChannelInfo(name=name, kind="resp")

    emg = _parse_emg(tokens) if prefix != "eeg" else None
    if emg is None and prefix != "emg":
        side = _eeg_side(first)
        if side is not None and (prefix == "eeg" or len(tokens) <= 2):
            return ChannelInfo(name=name, kind="eeg", side=side)  # type: ignore[arg-type]
    if emg is not None:
        muscle, side, level = emg
        return _emg_info(name, muscle, side, level)
    if prefix == "eeg":
        return ChannelInfo(name=name, kind="eeg")
    numbered = re.fullmatch(r"(emg|eeg)\d+", first)
    if prefix == "emg" or numbered:
        kind = numbered.group(1) if numbered and prefix is None else "emg"
        side = next((_SIDE_WORDS[t] for t in tokens if t in _SIDE_WORDS), None) if kind == "emg" else None
        return ChannelInfo(name=name, kind=kind, side=side)  # type: ignore[arg-type]
    if hint_kind in CHANNEL_KINDS and hint_kind not in ("eeg", "misc"):
        return ChannelInfo(name=name, kind=hint_kind)  # type: ignore[arg-type]
    return ChannelInfo(name=name, kind="misc")


def _parse_emg(tokens: list[str]) -> tuple[str, str | None, str | None] | None:
    """Find (muscle, side, level) in name tokens, or ``None`` when no muscle is named."""
    index = _alias_index()
    tokens = list(tokens)
    for i, token in enumerate(tokens):
        # bipolar electrode numbering: "Chin1-Chin2", "LAT1-LAT2", "RLEG1"
        stem = re.sub(r"\d+$", "", token)
        if stem != token and len(stem) >= 2 and not _is_segment(token) and (stem in index or _split_glued_side(stem)):
            tokens[i] = stem
    side = None
    for i, token in enumerate(tokens):
        glued = _split_glued_side(token) if token not in _alias_index() else None
        if glued:
            side, tokens[i] = glued
            break
    found = _find_muscle(tokens)
    if found is None:
        return None
    muscle, start, stop = found
    rest = tokens[:start] + tokens[stop:]
    level = None
    for token in rest:
        if token in _SIDE_WORDS and side is None:
            side = _SIDE_WORDS[token]
        elif muscle == "PSP" and _is_segment(token):
            level = token.upper()
    return muscle, side, level


def _is_segment(token: str) -> bool:
    match = _SEGMENT.match(token)
    return bool(match) and 1 <= int(match.group(2)) <= _SEGMENT_MAX[match.group(1)]


def _emg_info(name: str, muscle: str, side: str | None, level: str | None) -> ChannelInfo:
    row = muscle_table()[muscle]
    if level is None and muscle != "PSP":
        level = row.level
    return ChannelInfo(
        name=name,
        kind="emg",
        muscle=muscle,
        side=side,  # type: ignore[arg-type]
        level=level,
        nerve=row.nerve,
    )


def muscle_rank(info: ChannelInfo) -> int | None:
    """Rostro-caudal rank of an EMG channel's muscle (paraspinal: from its level), else ``None``."""
    if info.muscle is None:
        return None
    if info.muscle == "PSP" and info.level:
        rank = segment_rank(info.level)
        if rank is not None:
            return rank
    return muscle_table()[info.muscle].rank


# ----------------------------------------------------------------------------------------- montage


@dataclass(frozen=True)
class Montage:
    """Explicit channel typing read from a montage YAML: channel name -> ``ChannelInfo``."""

    channels: Mapping[str, ChannelInfo]
    source: str = "<montage>"


def _montage_entry(key: str, value: Any, where: str) -> ChannelInfo:
    if isinstance(value, str):
        info = parse_channel_name(value)
        if info.kind == "misc" and value.strip().lower() != "misc":
            raise InputError(
                f"cannot understand {value!r} as a channel description; write a muscle name such as "
                f"'R FDI', an EEG name such as 'C3', or a mapping {{kind: emg, muscle: FDI, side: right}}.",
                where=where,
            )
        return replace(info, name=key)
    if not isinstance(value, Mapping):
        raise InputError(f"expected a name or a mapping, got {type(value).__name__}.", where=where)
    allowed = {"kind", "muscle", "side", "level", "nerve"}
    for field in value:
        if field not in allowed:
            raise InputError(
                f"unknown field {field!r}; allowed fields are {sorted(allowed)}.{did_you_mean(field, allowed)}",
                where=where,
            )
    kind = str(value.get("kind", "emg" if "muscle" in value else "")).lower()
    if kind not in CHANNEL_KINDS:
        raise InputError(
            f"invalid kind {value.get('kind')!r}; allowed kinds are {list(CHANNEL_KINDS)}.{did_you_mean(kind, CHANNEL_KINDS)}",
            where=f"{where}.kind",
        )
    side = value.get("side")
    if side is not None:
        side = {"l": "left", "r": "right", "z": "midline"}.get(str(side).lower(), str(side).lower())
        if side not in SIDES:
            raise InputError(
                f"invalid side {value['side']!r}; allowed sides are {list(SIDES)}.{did_you_mean(side, SIDES)}",
                where=f"{where}.side",
            )
    muscle = value.get("muscle")
    level = value.get("level")
    if muscle is not None:
        if kind != "emg":
            raise InputError(f"a muscle is given but kind is {kind!r}; muscles need kind 'emg'.", where=where)
        found = _find_muscle(_tokens(str(muscle)))
        if found is None or found[2] - found[1] != len(_tokens(str(muscle))):
            raise InputError(
                f"unknown muscle {muscle!r}; known short names are {sorted(muscle_table())}."
                f"{did_you_mean(str(muscle).upper(), muscle_table())}",
                where=f"{where}.muscle",
            )
        info = _emg_info(key, found[0], side, str(level).upper() if level else None)
        if value.get("nerve"):
            info = replace(info, nerve=str(value["nerve"]))
        return info
    return ChannelInfo(name=key, kind=kind, side=side, level=level, nerve=value.get("nerve"))  # type: ignore[arg-type]


def load_montage(path: str | os.PathLike) -> Montage:
    """Read and validate a montage YAML (see the module docstring for the format).

    Raises
    ------
    InputError
        The file is missing, is not YAML, or an entry is invalid (the entry is named).
    """
    path = Path(path)
    where = path.name
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("montage file not found.", where=str(path)) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the montage file as YAML ({type(exc).__name__}).", where=str(path)) from None
    return montage_from_dict(data, where=where)


def montage_from_dict(data: Any, *, where: str = "<montage>") -> Montage:
    """Validate a montage given as a Python mapping (the YAML content)."""
    if not isinstance(data, Mapping):
        raise InputError("expected a mapping with a 'channels' section.", where=where)
    for key in data:
        if key not in ("schema", "channels"):
            raise InputError(
                f"unknown section {key!r}; allowed sections are ['channels', 'schema'].{did_you_mean(str(key), ['channels', 'schema'])}",
                where=where,
            )
    schema = data.get("schema", "myoclonus.montage/1")
    if schema != "myoclonus.montage/1":
        raise InputError(f"unsupported schema {schema!r}; expected 'myoclonus.montage/1'.", where=f"{where}: schema")
    channels = data.get("channels")
    if not isinstance(channels, Mapping) or not channels:
        raise InputError("the 'channels' section must map channel names to descriptions.", where=f"{where}: channels")
    infos = {str(k): _montage_entry(str(k), v, f"{where}: channels.{k}") for k, v in channels.items()}
    return Montage(channels=infos, source=where)


@dataclass(frozen=True)
class ChannelTyping:
    """Result of typing a recording's channels."""

    channels: list[ChannelInfo]
    unmapped: list[str]
    warnings: list[str]


def type_channels(
    names: Sequence[str],
    *,
    montage: Montage | None = None,
    hint_kinds: Sequence[str | None] | None = None,
    default_kind: str | None = None,
) -> ChannelTyping:
    """Type every channel by montage (when given) or by name.

    Parameters
    ----------
    names : sequence of str
        Channel names of the recording.
    montage : Montage | None
        Explicit mapping; every montage name must exist in ``names``.
    hint_kinds : sequence of str | None
        Types reported by the file format, one per channel.
    default_kind : str | None
        Kind for channels whose name says nothing (e.g. ``"emg"`` for an EMG-only MATLAB file).

    Returns
    -------
    ChannelTyping
        ``unmapped`` lists the channels that could not be typed (kind ``misc`` without a montage
        entry); ``warnings`` also names EMG channels whose muscle is unknown.
    """
    hints = list(hint_kinds) if hint_kinds is not None else [None] * len(names)
    if montage is not None:
        missing = [m for m in montage.channels if m not in names]
        if missing:
            raise InputError(
                f"montage names channel {missing[0]!r}, which is not in the recording; "
                f"channels are {list(names)}.{suggest(missing[0], names)}",
                where=montage.source,
            )
    channels, unmapped, warnings = [], [], []
    for name, hint in zip(names, hints):
        if montage is not None and name in montage.channels:
            channels.append(montage.channels[name])
            continue
        info = parse_channel_name(name, hint_kind=hint)
        if info.kind == "misc" and default_kind is not None:
            info = replace(info, kind=default_kind)  # type: ignore[arg-type]
        channels.append(info)
        if info.kind == "misc":
            unmapped.append(name)
        elif info.kind == "emg" and info.muscle is None:
            warnings.append(f"EMG channel {name!r}: muscle not recognised from the name; give it in a montage file.")
    if unmapped:
        warnings.append(
            f"{len(unmapped)} channel(s) could not be typed and are not analysed: {', '.join(map(repr, unmapped))}; "
            "map them in a montage file (--montage) if they matter."
        )
    return ChannelTyping(channels=channels, unmapped=unmapped, warnings=warnings)
