"""Batch planning: discovery, hashing, duplicates and bad paths (no analysis needed here)."""
from __future__ import annotations

import shutil

from myoclonus.batch import _plan, discover_recordings, input_hash, settings_hash
from myoclonus.settings import AnalysisSettings, BurstSettings


def test_discover_expands_folders_and_globs_and_reports_misses(tmp_path, real_data):
    src = real_data / "mne_python_io_testfiles"
    for name in ("test.vhdr", "test.vmrk", "test.eeg", "test_uneven_samp.edf"):
        shutil.copy(src / name, tmp_path / name)
    paths, problems = discover_recordings([str(tmp_path), str(tmp_path / "*.edf"), str(tmp_path / "nothing*.bdf")])
    assert sorted(p.name for p in paths) == ["test.vhdr", "test_uneven_samp.edf"]  # companions not listed, no repeats
    assert len(problems) == 1 and "nothing*.bdf" in problems[0]["error"]


def test_input_hash_covers_companion_files(tmp_path, real_data):
    src = real_data / "mne_python_io_testfiles"
    for name in ("test.vhdr", "test.vmrk", "test.eeg"):
        shutil.copy(src / name, tmp_path / name)
    before = input_hash(tmp_path / "test.vhdr")
    with open(tmp_path / "test.eeg", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00\x01")
    assert input_hash(tmp_path / "test.vhdr") != before


def test_settings_hash_changes_with_settings():
    default = settings_hash(AnalysisSettings())
    changed = settings_hash(AnalysisSettings(bursts=BurstSettings(min_burst_ms=12.0)))
    assert default != changed
    assert default == settings_hash(AnalysisSettings())


def test_plan_marks_identical_content_as_duplicate(tmp_path, real_data):
    a = tmp_path / "a.edf"
    b = tmp_path / "b.edf"
    shutil.copy(real_data / "mne_python_io_testfiles" / "test_uneven_samp.edf", a)
    shutil.copy(a, b)
    items, rows = _plan([a, b], tmp_path / "out", AnalysisSettings(), None, None)
    assert [i.path for i in items] == [str(a)]
    assert rows == [{"recording": str(b), "status": "duplicate", "error": f"same content as {a}", "input_hash": items[0].input_hash}]
