"""Custom entities, QID mapping, overrides, and the `kb wikidata` / `kb entities` / `kb override` CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.kbase import KnowledgeBase
from kb.records import Entity
from kb.kbase.custom import add_custom, import_custom, map_qid

SMALL = Path(__file__).parent / "fixtures" / "wikidata" / "small-dump.json"


@pytest.fixture
def kb(tmp_path):
    return KnowledgeBase.open(tmp_path / "kb.db")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_custom_entity_links_like_any_other(kb):
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher", "type": "weapon", "aliases": ["TL-1"]})
    (candidate,) = kb.candidates("TL-1")
    assert (candidate.entity_id, candidate.type, candidate.qid) == ("test-launcher", "WEAPON", None)
    assert kb.get("test-launcher").origin == "custom"


def test_custom_entity_cannot_take_a_used_qid_or_replace_wikidata(kb):
    kb.add([Entity("Q999000001", "Testland", "GPE", qid="Q999000001", origin="wikidata")])
    with pytest.raises(ValueError, match="already used by entity 'Q999000001'"):
        add_custom(kb, {"id": "testland", "label": "Testland", "type": "GPE", "qid": "Q999000001"})
    with pytest.raises(ValueError, match="already a Wikidata entity"):
        add_custom(kb, {"id": "Q999000001", "label": "Mine", "type": "GPE"})
    with pytest.raises(ValueError, match="not one of"):
        add_custom(kb, {"id": "x", "label": "X", "type": "SPACESHIP"})


def test_map_qid(kb):
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher", "type": "WEAPON"})
    kb.add([Entity("Q999000001", "Testland", "GPE", qid="Q999000001", origin="wikidata")])
    entity = map_qid(kb, "test-launcher", "q999000005")
    assert entity.qid == "Q999000005"
    assert kb.candidates("Test Launcher")[0].qid == "Q999000005"
    with pytest.raises(ValueError, match="already used by entity 'Q999000001'"):
        map_qid(kb, "test-launcher", "Q999000001")
    with pytest.raises(ValueError, match="cannot be remapped"):
        map_qid(kb, "Q999000001", "Q999000006")
    with pytest.raises(ValueError, match="not a Wikidata QID"):
        map_qid(kb, "test-launcher", "launcher")
    with pytest.raises(ValueError, match="no entity"):
        map_qid(kb, "nothing", "Q999000007")


def test_import_custom_is_all_or_nothing(kb, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("id,label,type,aliases\nlauncher,Test Launcher,WEAPON,TL-1|TL one\nann,Ann Example,PERSON,\n")
    assert [e.id for e in import_custom(kb, good)] == ["launcher", "ann"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: a, label: A, type: ORG, qid: Q999000001}\n- {id: b, label: B, type: ORG, qid: Q999000001}\n")
    with pytest.raises(ValueError, match="bad.yaml: the same QID"):
        import_custom(kb, bad)
    assert kb.get("a") is None


def test_cli_wikidata_import(tmp_path):
    db = str(tmp_path / "kb.db")
    result = run("wikidata", "import", str(SMALL), "--kb", db, "--types", "Q5,Q6256", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "2 entities" in result.output and "7 filtered out" in result.output
    assert KnowledgeBase.open(db).get("Q999000003").label == "Ann Example"


def test_cli_wikidata_import_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("hello\n")
    result = run("wikidata", "import", str(bad), "--kb", str(tmp_path / "kb.db"))
    assert result.exit_code == 1 and "not a Wikidata JSON dump" in result.output
    result = run("wikidata", "import", str(SMALL), "--kb", str(tmp_path / "kb.db"), "--types", "humans")
    assert result.exit_code == 1 and "not QIDs: humans" in result.output


def test_cli_entities_and_override(tmp_path):
    db = str(tmp_path / "kb.db")
    result = run("entities", "add", "--kb", db, "--id", "launcher", "--label", "Test Launcher",
                 "--type", "WEAPON", "--alias", "TL-1", "--alias", "TL one")
    assert result.exit_code == 0 and "added launcher (WEAPON, 3 names)" in result.output
    assert run("entities", "map", "launcher", "Q999000005", "--kb", db).exit_code == 0
    run("entities", "add", "--kb", db, "--id", "other", "--label", "Other", "--type", "ORG")
    result = run("entities", "map", "other", "Q999000005", "--kb", db)
    assert result.exit_code == 1 and "already used by entity 'launcher'" in result.output

    assert run("override", "TL", "launcher", "--document", "doc-1", "--kb", db).exit_code == 0
    assert run("override", "Kremlin", "--never", "--kb", db).exit_code == 0
    kb = KnowledgeBase.open(db)
    assert kb.override("doc-1", "TL") == (True, "launcher")
    assert kb.override("doc-2", "TL") == (False, None)
    assert kb.override("doc-2", "kremlin") == (True, None)
    assert run("override", "TL", "--kb", db).exit_code == 1
    result = run("override", "TL", "nobody", "--kb", db)
    assert result.exit_code == 1 and "no entity" in result.output


def test_cli_entities_import(tmp_path):
    entities = tmp_path / "mine.yaml"
    entities.write_text("- id: launcher\n  label: Test Launcher\n  type: WEAPON\n")
    result = run("entities", "import", str(entities), "--kb", str(tmp_path / "kb.db"))
    assert result.exit_code == 0 and "added 1 entities" in result.output
    entities.write_text("- id: launcher\n  type: WEAPON\n")
    result = run("entities", "import", str(entities), "--kb", str(tmp_path / "kb.db"))
    assert result.exit_code == 1 and "entry 1: missing label" in result.output


def test_adding_an_existing_id_merges_and_keeps_the_qid(kb):
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher", "type": "WEAPON", "aliases": ["TL-1"],
                    "description": "launcher (test entity)"})
    map_qid(kb, "test-launcher", "Q999000005")
    entity = add_custom(kb, {"id": "test-launcher", "label": "Test Launcher Mk 2", "type": "WEAPON",
                             "aliases": ["TL-2"]})
    stored = kb.get("test-launcher")
    assert (stored.qid, stored.label, stored.description) == ("Q999000005", "Test Launcher Mk 2", "launcher (test entity)")
    assert (entity.qid, set(entity.aliases)) == (stored.qid, {"Test Launcher", "TL-1", "TL-2"})
    assert set(stored.aliases) == {"Test Launcher Mk 2", "Test Launcher", "TL-1", "TL-2"}
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher Mk 2", "type": "WEAPON", "qid": "Q999000006"})
    assert kb.get("test-launcher").qid == "Q999000006"  # a new QID given on purpose wins


def test_importing_an_existing_id_keeps_its_qid(kb, tmp_path):
    add_custom(kb, {"id": "ann", "label": "Ann Example", "type": "PERSON", "qid": "Q999000007"})
    path = tmp_path / "people.csv"
    path.write_text("id,label,type,aliases\nann,Ann Example,PERSON,A. Example\n")
    import_custom(kb, path)
    assert kb.get("ann").qid == "Q999000007"
    assert "A. Example" in kb.get("ann").aliases


def test_an_unresolved_entity_edited_by_hand_becomes_custom(kb):
    kb.add([Entity("nil:test-town", "Test Town", "GPE", origin="unresolved")])
    add_custom(kb, {"id": "nil:test-town", "label": "Test Town", "type": "GPE", "aliases": ["Testville"]})
    assert kb.get("nil:test-town").origin == "custom"
    assert [c.entity_id for c in kb.candidates("Testville")] == ["nil:test-town"]


def test_map_qid_refuses_leading_zeros(kb):
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher", "type": "WEAPON"})
    for bad in ("Q0", "Q0999000005"):
        with pytest.raises(ValueError, match="not a Wikidata QID"):
            map_qid(kb, "test-launcher", bad)


def test_cli_entities_add_twice_updates_and_never_drops_the_qid(tmp_path):
    db = str(tmp_path / "kb.db")
    run("entities", "add", "--kb", db, "--id", "launcher", "--label", "Test Launcher", "--type", "WEAPON",
        "--qid", "Q999000005", "--alias", "TL-1")
    result = run("entities", "add", "--kb", db, "--id", "launcher", "--label", "Test Launcher",
                 "--type", "WEAPON", "--alias", "TL one")
    assert result.exit_code == 0
    assert "updated launcher (WEAPON, 3 names, Q999000005)" in result.output
    stored = KnowledgeBase.open(db).get("launcher")
    assert stored.qid == "Q999000005" and set(stored.aliases) == {"Test Launcher", "TL-1", "TL one"}


def test_cli_override_on_a_file_that_is_not_a_knowledge_base(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not sqlite\n" * 200)
    result = run("override", "TL", "--never", "--kb", str(path))
    assert result.exit_code == 1 and "not a kb knowledge base" in result.output
