"""Shared fixtures: where the third-party recordings live (never copied into the repo)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MYOCLONUS_SHARED_DATA", REPO.parent / "shared" / "data"))
REAL_DATA = SHARED_DATA / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Folder of third-party recordings (``../shared/data/real``)."""
    if not REAL_DATA.is_dir():
        pytest.fail(f"third-party data not found at {REAL_DATA}; set MYOCLONUS_SHARED_DATA")
    return REAL_DATA
