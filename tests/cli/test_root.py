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
