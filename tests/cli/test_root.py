from typer.testing import CliRunner

from myoclonus import __version__
from myoclonus.cli import app


def test_version_prints_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"myoclonus {__version__}"


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_error_text_with_markup_characters_is_printed_verbatim(tmp_path):
    bad = tmp_path / "[red]odd.yaml"
    bad.write_text("schema: myoclonus.intake/1\njerks: {rhythm: '[/]'}\n")
    result = CliRunner().invoke(app, ["assess", str(bad)])
    assert result.exit_code == 2
    assert "[red]odd.yaml" in result.output and "[/]" in result.output


def test_central_error_handler_does_not_render_markup(tmp_path):
    missing = tmp_path / "[/]x.edf"
    result = CliRunner().invoke(app, ["analyze", str(missing), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "[/]x.edf" in result.output and "not found" in result.output


def test_internal_error_is_one_clear_line_without_traceback(tmp_path, monkeypatch):
    import myoclonus.pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(myoclonus.pipeline, "analyze_to_folder", broken)
    rec = tmp_path / "x.edf"
    rec.write_bytes(b"0")
    result = CliRunner().invoke(app, ["analyze", str(rec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "internal error: ZeroDivisionError: float division by zero" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
