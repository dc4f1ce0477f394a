"""Batch planning: discovery, hashing, duplicates and bad paths (no analysis needed here)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from myoclonus.batch import DONE_MARKER, _plan, discover_recordings, input_hash, run_batch, settings_hash
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


# ----------------------------------------------------------------------------- running batches


@pytest.fixture(scope="module")
def study_folder(tmp_path_factory):
    """Four short simulated recordings plus a corrupt, an empty, a duplicate and a non-recording file."""
    from myoclonus.simulate import simulate

    folder = tmp_path_factory.mktemp("study")
    for i, origin in enumerate(["cortical", "subcortical", "functional", "none"]):
        simulate(origin, minutes=0.25, seed=100 + i, sfreq_hz=1000).write(folder / f"rec{i}.edf")
    (folder / "corrupt.edf").write_bytes((folder / "rec0.edf").read_bytes()[:3000])
    (folder / "empty.edf").write_bytes(b"")
    (folder / "notes.edf").write_text("not a recording\n")
    (folder / "copy_of_rec1.edf").write_bytes((folder / "rec1.edf").read_bytes())
    return folder


def test_batch_on_local_cluster_records_every_input(study_folder, tmp_path):
    summary = run_batch([str(study_folder), str(tmp_path / "missing" / "*.edf")], tmp_path / "out", workers=2)
    table = pd.read_parquet(summary.table_parquet)
    by_name = {Path(r).name: s for r, s in zip(table["recording"], table["status"])}
    assert by_name["corrupt.edf"] == by_name["empty.edf"] == by_name["notes.edf"] == "failed"
    assert [n for n, s in by_name.items() if s == "duplicate"] == ["rec1.edf"]  # its copy sorts first
    assert sum(s == "done" for s in by_name.values()) == 4
    assert summary.counts == {"done": 4, "skipped": 0, "failed": 4, "duplicate": 1}  # 3 bad files + the missing glob
    errors = dict(zip(table["recording"].map(lambda r: Path(r).name), table["error"]))
    assert "empty" in errors["empty.edf"]
    done = table[table["status"] == "done"]
    assert (done["duration_s"].round(1) == 15.0).all()
    assert done["jerk_count"].notna().all() and done["origin_top1"].notna().all()
    csv = pd.read_csv(summary.table_csv)
    assert len(csv) == len(table) == 9


def test_batch_rerun_skips_finished_recordings(study_folder, tmp_path):
    paths = [str(study_folder / f"rec{i}.edf") for i in range(2)]
    first = run_batch(paths, tmp_path / "out", workers=1)
    second = run_batch(paths, tmp_path / "out", workers=1)
    assert first.counts["done"] == 2 and second.counts["skipped"] == 2 and second.counts["done"] == 0
    cols = ["recording", "jerk_count", "burst_count"]
    assert first.to_frame()[cols].sort_values("recording").values.tolist() == second.to_frame()[cols].sort_values("recording").values.tolist()


def test_killed_batch_resumes_without_losing_or_duplicating(study_folder, tmp_path):
    out = tmp_path / "out"
    paths = [str(study_folder / f"rec{i}.edf") for i in range(4)]
    cmd = [sys.executable, "-m", "myoclonus.cli", "batch", *paths, "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob(f"recordings/*/{DONE_MARKER}")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.parent.name for p in out.glob(f"recordings/*/{DONE_MARKER}")}
    assert 1 <= len(finished) < 4, "the kill should land mid-batch"
    for marker in out.glob(f"recordings/*/{DONE_MARKER}"):  # what finished is complete
        assert json.loads(marker.read_text())["row"]["status"] == "done"
        assert {"bursts.tsv", "jerks.tsv", "findings.json"} <= {p.name for p in marker.parent.iterdir()}
    resumed = run_batch(paths, out, workers=1)
    assert resumed.counts["skipped"] == len(finished)
    assert resumed.counts["done"] == 4 - len(finished)
    assert sorted(r["recording"] for r in resumed.rows) == sorted(paths)
    assert len(list(out.glob("recordings/*"))) == 4
    assert not list(out.rglob("*.part")) and not list(out.rglob(".staging-*"))
