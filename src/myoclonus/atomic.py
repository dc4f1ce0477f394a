"""Atomic output: write to a temporary file in the target folder, then rename.

Nothing is ever half-written: a reader sees either the old file or the complete new one.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["write_text_atomic", "write_bytes_atomic", "atomic_path", "staged_directory", "remove_stale_temporaries"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` when the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary readable files
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    return write_bytes_atomic(path, text.encode(encoding))


@contextlib.contextmanager
def staged_directory(out_dir: str | os.PathLike) -> Iterator[Path]:
    """Stage several output files, then move them into ``out_dir`` only if all were written.

    Yields a staging folder inside ``out_dir``; each file written there is renamed into
    ``out_dir`` when the block exits without error. On error nothing in ``out_dir`` changes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield stage
        for item in sorted(stage.rglob("*")):
            if item.is_file():
                dest = out / item.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def remove_stale_temporaries(out_dir: str | os.PathLike) -> int:
    """Remove the staging folders and ``.part`` files a killed writer left in ``out_dir``.

    A process killed while staging (SIGKILL, power loss) cannot clean up after itself. Call this
    only on a folder the caller owns exclusively (a batch recording folder about to be redone):
    another writer's live temporaries would be removed too. Returns how many were removed.
    """
    out = Path(out_dir)
    if not out.is_dir():
        return 0
    stale = [p for p in out.glob(".staging-*") if p.is_dir()] + [p for p in out.rglob(".*.part") if p.is_file()]
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return len(stale)
