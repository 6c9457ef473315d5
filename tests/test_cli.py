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
    assert result.exit_code == 0, result.output
    assert "bad.jsonl:2" in result.output
    assert "2 documents (2 processed, 0 unchanged)" in result.output
    again = run("resolve", "--db", tmp_path / "out.db", "--kb", kb_path, "--no-progress")
    assert again.exit_code == 0, again.output
    assert "2 documents (0 relinked, 2 unchanged)" in again.output


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
    assert result.exit_code == 0
    assert result.output.count("missing: cannot read") == 1


def test_a_custom_entity_added_before_the_first_build_keeps_the_starter_entities(tmp_path):
    kb_path = tmp_path / "kb.db"
    result = run("entities", "add", "--id", "example-brigade", "--label", "Example Brigade", "--type", "ORG", "--kb", kb_path)
    assert result.exit_code == 0, result.output
    from kb.kbase import KnowledgeBase

    knowledge_base = KnowledgeBase.open(kb_path)
    assert knowledge_base.get("example-brigade") is not None
    assert knowledge_base.get("Q7184") is not None  # NATO, from the starter knowledge base
