"""Where the project specification lives (``../shared/spec``), next to the shared data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("MYOCLONUS_SHARED_DATA", REPO.parent / "shared" / "data"))
SPEC_DIR = SHARED_DATA.parent / "spec"


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """Folder holding SOURCE-FACTS.md and CRITERIA.md; missing is a failure, never a skip."""
    if not (SPEC_DIR / "SOURCE-FACTS.md").is_file():
        pytest.fail(f"specification not found at {SPEC_DIR}; set MYOCLONUS_SHARED_DATA")
    return SPEC_DIR
