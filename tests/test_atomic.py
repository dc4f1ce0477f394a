import pytest

from myoclonus.atomic import staged_directory, write_text_atomic


def test_write_text_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_staged_directory_leaves_nothing_on_error(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with staged_directory(out) as stage:
            (stage / "bursts.tsv").write_text("x")
            raise RuntimeError("boom")
    assert list(out.iterdir()) == []


def test_staged_directory_moves_all_files(tmp_path):
    out = tmp_path / "out"
    with staged_directory(out) as stage:
        (stage / "a.tsv").write_text("a")
        (stage / "sub").mkdir()
        (stage / "sub" / "b.json").write_text("b")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["a.tsv", "sub/b.json"]


def test_atomic_files_are_readable_by_others(tmp_path):
    path = write_text_atomic(tmp_path / "report.html", "x")
    assert path.stat().st_mode & 0o777 == 0o644


def test_stale_temporaries_of_a_killed_writer_are_removed(tmp_path):
    from myoclonus.atomic import remove_stale_temporaries

    (tmp_path / ".staging-abc123").mkdir()
    (tmp_path / ".staging-abc123" / "bursts.tsv").write_text("half", encoding="utf-8")
    (tmp_path / "derivatives").mkdir()
    (tmp_path / "derivatives" / ".events.tsv.x1y2.part").write_text("half", encoding="utf-8")
    (tmp_path / "findings.json").write_text("{}", encoding="utf-8")  # finished outputs stay
    assert remove_stale_temporaries(tmp_path) == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["derivatives", "findings.json"]
    assert remove_stale_temporaries(tmp_path / "missing") == 0
