"""The command line's one error convention: one line naming what is wrong, exit 2 for bad input, 1 for a failure,
130 when interrupted, and a traceback only with --debug."""

from click.testing import CliRunner

import summarizer.schema
from summarizer.cli import main


def break_the_schema(monkeypatch) -> None:
    def broken():
        raise RuntimeError("the schema\nis broken")

    monkeypatch.setattr(summarizer.schema, "json_schema", broken)


def test_an_unexpected_error_is_one_line_with_exit_status_1_and_no_traceback(monkeypatch):
    break_the_schema(monkeypatch)
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert result.output == "Error: RuntimeError: the schema is broken (rerun with --debug for the traceback)\n"


def test_debug_shows_the_traceback_of_an_unexpected_error(monkeypatch):
    break_the_schema(monkeypatch)
    result = CliRunner().invoke(main, ["--debug", "schema"])
    assert isinstance(result.exception, RuntimeError)


def test_an_os_error_names_its_file(monkeypatch):
    def unreadable():
        raise PermissionError(13, "Permission denied", "/models/embedder")

    monkeypatch.setattr(summarizer.schema, "json_schema", unreadable)
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: /models/embedder: Permission denied")


def test_ctrl_c_exits_130_not_1(monkeypatch):
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(summarizer.schema, "json_schema", interrupted)
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 130 and "Aborted" not in result.output


def test_a_pairs_file_that_is_not_text_gets_an_error_line_per_line_naming_it_not_a_codec_error(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = CliRunner().invoke(main, ["score", "--pairs", str(pairs), "--json"])
    assert result.exit_code == 0 and "codec" not in result.output
    assert '"error": "line 1: invalid JSON' in result.output
    calibrated = CliRunner().invoke(main, ["calibrate", str(pairs), "-o", str(tmp_path / "mine.toml")])
    assert calibrated.exit_code == 2 and f"Error: {pairs}: need at least" in calibrated.output
