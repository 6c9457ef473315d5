"""The command line as a user meets it: messages, exit codes, warnings."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def test_a_bad_settings_file_is_a_clean_error(tmp_path):
    bad = tmp_path / "kb.toml"
    bad.write_text("nil_treshold = 1\n")
    result = run("build", tmp_path, "--db", tmp_path / "kb.db", "--config", bad)
    assert result.exit_code == 1
    assert "kb.toml: unknown settings: nil_treshold" in result.output


def test_resolve_needs_an_existing_database(tmp_path):
    result = run("resolve", "--db", tmp_path / "missing.db")
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.slow
def test_build_warns_about_bad_inputs_and_builds_the_rest(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Jens Stoltenberg visited Kyiv.\n")
    (folder / "bad.jsonl").write_text('{"id": "x", "text": "NATO met."}\n{broken\n')
    kb_path = tmp_path / "kb.db"
    run("entities", "import", FIXTURES / "mini_kb.yaml", "--kb", kb_path)
    result = run("build", folder, "--db", tmp_path / "out.db", "--kb", kb_path, "--no-progress")
    assert result.exit_code == 3, result.output  # built, but an input was skipped
    assert "bad.jsonl:2" in result.output
    assert "2 documents (2 processed, 0 unchanged)" in result.output
    again = run("resolve", "--db", tmp_path / "out.db", "--kb", kb_path, "--no-progress")
    assert again.exit_code == 0, again.output
    assert "2 documents (0 relinked, 2 unchanged)" in again.output
    as_json = CliRunner().invoke(cli, ["resolve", "--db", str(tmp_path / "out.db"), "--kb", str(kb_path), "--json"])
    assert as_json.exit_code == 0, as_json.output
    import json

    assert json.loads(as_json.stdout)["documents"] == 2


def test_a_file_that_is_not_a_database_is_a_clean_error(tmp_path):
    bad = tmp_path / "kb.db"
    bad.write_text("not a database\n")
    result = run("build", tmp_path, "--db", bad)
    assert result.exit_code == 1
    assert "kb.db: not a kb database" in result.output
    result = run("annotate", "--kb", bad, input="NATO met.")
    assert result.exit_code == 1
    assert "kb.db: not a kb knowledge base" in result.output


def test_problems_are_printed_once(tmp_path):
    result = run("build", tmp_path / "missing", "--db", tmp_path / "kb.db")
    assert result.exit_code == 3
    assert result.output.count("missing: cannot read") == 1


def test_a_custom_entity_added_before_the_first_build_keeps_the_starter_entities(tmp_path):
    kb_path = tmp_path / "kb.db"
    result = run("entities", "add", "--id", "example-brigade", "--label", "Example Brigade", "--type", "ORG", "--kb", kb_path)
    assert result.exit_code == 0, result.output
    from kb.kbase import KnowledgeBase

    knowledge_base = KnowledgeBase.open(kb_path)
    assert knowledge_base.get("example-brigade") is not None
    assert knowledge_base.get("Q7184") is not None  # NATO, from the starter knowledge base


def test_a_database_in_a_missing_directory_is_a_clean_error_naming_it(tmp_path):
    target = tmp_path / "no-such-dir" / "kb.db"
    result = run("build", tmp_path, "--db", target)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {target}: cannot create the database: directory ")
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_a_database_path_that_is_a_directory_is_a_clean_error(tmp_path):
    result = run("build", tmp_path, "--db", tmp_path)
    assert result.exit_code == 1
    assert "it is a directory" in result.output


def test_missing_and_unreadable_inputs_are_both_skipped_problems_and_the_run_goes_on(tmp_path):
    unreadable = tmp_path / "locked.txt"
    unreadable.write_text("Some words.\n")
    unreadable.chmod(0)
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)  # unreadable even for root: too many levels of symbolic links
    try:
        result = run("build", tmp_path / "missing.txt", unreadable, loop, "--db", tmp_path / "kb.db", "--json")
    finally:
        unreadable.chmod(0o644)
    assert result.exit_code == 3, result.output
    assert "missing.txt: cannot read: No such file" in result.output
    assert f"{loop}: cannot read" in result.output
    assert "Usage:" not in result.output


def test_build_json_summary_has_the_figures_and_the_problems(tmp_path):
    import json

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    result = CliRunner().invoke(cli, ["build", str(bad), "--db", str(tmp_path / "kb.db"), "--json"])
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert (data["documents"], data["skipped"], data["mentions"]) == (0, 1, 0)
    assert data["problems"] == [{"path": str(bad), "message": "record has no 'text' field", "line": 1}]
    assert f"warning: {bad}:1: record has no 'text' field" in result.stderr


def test_a_non_utf8_file_name_is_printed_safely(tmp_path):
    import os

    name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / name).write_bytes(b"")
    result = run("build", tmp_path, "--db", tmp_path / "kb.db")
    assert result.exit_code == 3
    assert "caf\\xe9.txt: empty document" in result.output


def test_python_dash_m_kb_is_the_same_command_line():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "kb", "build", "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: kb build") and "--components [full|lean]" in result.stdout
