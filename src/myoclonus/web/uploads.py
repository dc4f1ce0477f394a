"""Receiving a recording upload safely: streamed to the data folder, size-limited, hashed, typed by content.

The type of a file is decided from its first bytes (its "magic"), never from its name:

==========  =========================================  ==========================================
format      first bytes                                reference
==========  =========================================  ==========================================
EDF / EDF+  ``"0       "`` (version 0, 7 spaces)       Kemp et al. 1992; Kemp & Olivan 2003
BDF         ``0xFF "BIOSEMI"``                         BioSemi BDF format description
FIF         tag kind 100 (FIFF_FILE_ID), type 31       MNE/Elekta FIFF: first tag of every file
ZIP         ``"PK\\x03\\x04"``                         PKWARE APPNOTE (local file header)
==========  =========================================  ==========================================

A zip must hold one BrainVision recording (``.vhdr`` + ``.vmrk`` + ``.eeg``). It is extracted only
after every member was checked: no absolute paths, no ``..``, no links, at most ``max_members``
files, a bounded total size and compression ratio (zip bombs), and the byte counts are enforced
again while extracting (a forged header cannot lie its way past the limit).
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import stat
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["UploadError", "ReceivedFile", "sniff_format", "receive_stream", "extract_brainvision_zip",
           "safe_display_name", "FORMAT_SUFFIX"]

_MAGIC = (
    (b"0       ", "edf"),
    (b"\xffBIOSEMI", "bdf"),
    (b"\x00\x00\x00\x64\x00\x00\x00\x1f", "fif"),
    (b"PK\x03\x04", "zip"),
)
#: File name ending each format is stored under (MNE picks its reader from it).
FORMAT_SUFFIX = {"edf": ".edf", "bdf": ".bdf", "fif": "_raw.fif", "zip": ".zip"}
_VHDR_MAGIC = b"Brain Vision"
_CHUNK_BYTES = 1 << 20


class UploadError(Exception):
    """An upload refused for a stated reason; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ReceivedFile:
    """A file fully received into the data folder."""

    path: Path
    sha256: str
    size_bytes: int
    format: str


def safe_display_name(name: str | None, default: str = "recording") -> str:
    """The last path component of a client-supplied file name, reduced to harmless characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")[:120]
    return base or default


def sniff_format(head: bytes) -> str | None:
    """The format named by a file's first bytes (``edf``, ``bdf``, ``fif``, ``zip``) or ``None``."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _describe_head(head: bytes) -> str:
    shown = head[:8]
    return "nothing (empty file)" if not shown else "bytes " + " ".join(f"{b:02x}" for b in shown)


async def receive_stream(chunks: AsyncIterator[bytes], folder: Path, *, filename: str, max_bytes: int,
                         write=None) -> ReceivedFile:
    """Write an incoming byte stream to ``folder/<random>/<filename>``, enforcing ``max_bytes`` as it arrives.

    Parameters
    ----------
    chunks : async iterator of bytes
        The request body.
    folder : Path
        A folder inside the data directory for files being received.
    filename : str
        Client-side name (already passed through :func:`safe_display_name`); only used so that
        reader messages name the file the user knows.
    max_bytes : int
        Largest accepted size; the upload is cut off (and deleted) as soon as it is exceeded.
    write : callable, optional
        ``await write(fh, data)``; lets the caller move blocking disk writes off the event loop.

    Raises
    ------
    UploadError
        413 when too large, 400 when empty, 415 when the content is not EDF, BDF, FIF or a zip.
    """
    target_dir = folder / secrets.token_hex(8)
    target_dir.mkdir(parents=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fmt_path = target_dir / ("upload" + Path(filename).suffix.lower()[:10])
    try:
        with open(fmt_path, "wb") as fh:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError(f"{filename}: the upload exceeds the limit of {max_bytes} bytes "
                                      f"({max_bytes / 1024**2:.0f} MB); nothing was stored.", status=413)
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                digest.update(chunk)
                if write is None:
                    fh.write(chunk)
                else:
                    await write(fh, chunk)
        if size == 0:
            raise UploadError(f"{filename}: the upload is empty (0 bytes); expected an EDF, BDF or FIF "
                              "recording, or a zip holding one BrainVision recording.", status=400)
        fmt = sniff_format(head)
        if fmt is None:
            raise UploadError(
                f"{filename}: not a recording this app accepts (the content starts with {_describe_head(head)}). "
                "Expected EDF/EDF+ (starts with '0' and 7 spaces), BDF (0xFF 'BIOSEMI'), FIF, or a zip holding "
                "one BrainVision recording (.vhdr/.vmrk/.eeg). The file's name is not used to decide its type.",
                status=415)
        final = target_dir / (Path(safe_display_name(filename)).stem + FORMAT_SUFFIX[fmt])
        os.replace(fmt_path, final)
        return ReceivedFile(path=final, sha256=digest.hexdigest(), size_bytes=size, format=fmt)
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise


def _member_parts(info: zipfile.ZipInfo, zip_name: str) -> tuple[str, ...]:
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
        raise UploadError(f"{zip_name}: refused, the archive member {info.filename!r} points outside the "
                          "extraction folder (absolute path or '..'); nothing was extracted.", status=400)
    mode = (info.external_attr >> 16) & 0o170000
    if mode and stat.S_ISLNK(mode):
        raise UploadError(f"{zip_name}: refused, the archive member {info.filename!r} is a symbolic link; "
                          "nothing was extracted.", status=400)
    if info.flag_bits & 0x1:
        raise UploadError(f"{zip_name}: the archive member {info.filename!r} is encrypted; upload an "
                          "unencrypted zip.", status=400)
    return tuple(p for p in path.parts if p not in ("", "."))


def extract_brainvision_zip(zip_path: Path, dest: Path, *, display_name: str, max_total_bytes: int,
                            max_ratio: float, max_members: int) -> Path:
    """Check, then extract a zip holding one BrainVision recording; return the path of its ``.vhdr``.

    Raises
    ------
    UploadError
        Not a readable zip, unsafe member (``..``, absolute, link, encrypted), too many members, too
        large once extracted or too highly compressed (zip bomb), or no / several ``.vhdr`` headers.
    """
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadError(f"{display_name}: not a readable zip archive ({exc}).", status=400) from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > max_members:
            raise UploadError(f"{display_name}: the archive holds {len(infos)} files; at most {max_members} "
                              "are accepted (one BrainVision recording is 3 files).", status=400)
        members = [(info, _member_parts(info, display_name)) for info in infos]
        total = sum(info.file_size for info in infos)
        if total > max_total_bytes:
            raise UploadError(f"{display_name}: the archive would extract to {total} bytes, more than the limit of "
                              f"{max_total_bytes} bytes; nothing was extracted.", status=413)
        for info, _ in members:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _CHUNK_BYTES and ratio > max_ratio:
                raise UploadError(f"{display_name}: refused as a possible zip bomb: member {info.filename!r} is "
                                  f"compressed {ratio:.0f}:1 (limit {max_ratio:.0f}:1); nothing was extracted.",
                                  status=400)
        headers = [parts for info, parts in members if parts and parts[-1].lower().endswith(".vhdr")]
        if len(headers) != 1:
            found = "no" if not headers else f"{len(headers)}"
            raise UploadError(f"{display_name}: expected a zip holding exactly one BrainVision recording "
                              f"(.vhdr + .vmrk + .eeg), found {found} .vhdr files.", status=415)
        header_info = next(info for info, parts in members if parts == headers[0])
        with archive.open(header_info) as fh:
            if _VHDR_MAGIC not in fh.read(64):
                raise UploadError(f"{display_name}: {headers[0][-1]} is not a BrainVision header (it should start "
                                  "with 'Brain Vision Data Exchange Header File').", status=415)
        dest.mkdir(parents=True, exist_ok=True)
        written = 0
        for info, parts in members:
            if not parts:
                continue
            target = dest.joinpath(*parts)
            if dest.resolve() not in target.resolve().parents:
                raise UploadError(f"{display_name}: refused member {info.filename!r} (outside the folder).", status=400)
            target.parent.mkdir(parents=True, exist_ok=True)
            member_bytes = 0
            with archive.open(info) as src, open(target, "wb") as out:
                while block := src.read(_CHUNK_BYTES):
                    member_bytes += len(block)
                    written += len(block)
                    if member_bytes > info.file_size or written > max_total_bytes:
                        raise UploadError(f"{display_name}: member {info.filename!r} extracts to more bytes than "
                                          "its header states; refused as a possible zip bomb.", status=400)
                    out.write(block)
        vhdr = dest.joinpath(*headers[0])
        return vhdr
