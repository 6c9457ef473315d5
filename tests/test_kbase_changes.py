"""The change log behind relinking only what a knowledge-base edit can reach."""

import sqlite3

import sqlite_utils

from kb.kbase import KnowledgeBase, changes
from kb.kbase.schema import CHANGES_TABLE
from kb.records import Claim, Entity

NORTH = Entity("north", "North Test", "ORG", aliases=("NT",), claims=(Claim("P17", "Q999000002"),), origin="custom")
SOUTH = Entity("south", "South Test", "ORG", qid="Q999000003", origin="wikidata")


def fresh() -> KnowledgeBase:
    kb = KnowledgeBase(sqlite_utils.Database(memory=True))
    kb.db.execute("PRAGMA foreign_keys = ON")
    return kb


def test_an_entity_notes_its_names_and_its_id():
    kb = fresh()
    start = kb.fingerprint()
    kb.add([NORTH])
    found = kb.changes_since(start)
    assert found == changes.Changes(frozenset({"North Test", "NT"}), frozenset({"north"}))
    assert kb.changes_since(kb.fingerprint()) == changes.Changes()


def test_claims_labels_and_deletions_note_the_names_before_and_after():
    kb = fresh()
    kb.add([NORTH, SOUTH])
    before = kb.fingerprint()
    kb.db.execute("UPDATE claims SET value = 'Q999000004'")
    assert kb.changes_since(before).names == {"North Test", "NT"}
    before = kb.fingerprint()
    kb.add([Entity("north", "North Testers", "ORG", aliases=("NT",), origin="custom")])
    assert {"North Test", "North Testers"} <= kb.changes_since(before).names
    before = kb.fingerprint()
    kb.db.execute("DELETE FROM entities WHERE id = 'south'")
    found = kb.changes_since(before)
    assert (found.names, found.entities, found.imported) == ({"South Test"}, {"south"}, True)


def test_overrides_note_their_surface_or_their_document():
    kb = fresh()
    before = kb.fingerprint()
    kb.set_override("Grey Owl", None)
    kb.set_override("Fen", None, document_id="doc-7")
    found = kb.changes_since(before)
    assert (found.names, found.documents, found.entities) == ({"grey owl"}, {"doc-7"}, set())


def test_unresolved_entities_and_value_labels_note_nothing():
    kb = fresh()
    before = kb.fingerprint()
    kb.add([Entity("nil:somebody", "Somebody", "PERSON", origin="unresolved")])
    kb.db.execute("UPDATE entities SET description = 'x'")
    kb.db.execute("UPDATE claims SET value_label = 'x'")
    assert kb.fingerprint() == before
    assert kb.db[CHANGES_TABLE].count == 0


def test_the_log_cannot_answer_for_another_knowledge_base_or_pruned_versions():
    kb = fresh()
    start = kb.fingerprint()
    kb.add([NORTH])
    middle = kb.fingerprint()
    kb.add([SOUTH])
    assert kb.changes_since("0123456789abcdef:0") is None
    assert kb.changes_since("not a fingerprint") is None
    kb.forget_changes(middle)
    assert kb.changes_since(start) is None
    assert kb.changes_since(middle).entities == {"south"}
    forgotten = kb.fingerprint()
    kb.forget_changes(forgotten)
    assert kb.changes_since(middle) is None
    kb.set_override("Fen", None)
    assert kb.changes_since(forgotten).names == {"fen"}  # the log answers again from there


def test_the_log_is_capped_and_too_long_an_answer_is_none(monkeypatch):
    kb = fresh()
    start = kb.fingerprint()
    kb.add([NORTH, SOUTH])
    monkeypatch.setattr(changes, "MAX_ANSWER", 3)
    assert kb.changes_since(start) is None
    monkeypatch.setattr(changes, "MAX_NOTES", 2)
    kb.forget_changes()
    assert kb.db[CHANGES_TABLE].count <= 2


def test_a_bulk_import_forgets_the_log():
    kb = fresh()
    start = kb.fingerprint()
    with kb.bulk_writes():
        kb.add([NORTH])
    assert kb.changes_since(start) is None
    assert kb.db[CHANGES_TABLE].count == 0


def test_a_database_of_an_older_kb_gets_the_noting_triggers():
    kb = fresh()
    db = kb.db
    for trigger in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {trigger[0]}")
    db.execute("CREATE TRIGGER kb_version_aliases_insert AFTER INSERT ON aliases BEGIN"
               " UPDATE kb_version SET version = version + 1 WHERE id = 1; END")
    kb = KnowledgeBase(db)
    start = kb.fingerprint()
    kb.add([NORTH])
    assert kb.changes_since(start).entities == {"north"}
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert "kb_version_aliases_insert" not in names


def test_a_read_only_database_of_an_older_kb_still_opens(tmp_path):
    path = tmp_path / "older.db"
    kb = KnowledgeBase.open(path)
    kb.add([NORTH])
    kb.db.execute(f"DROP TABLE {CHANGES_TABLE}")  # as written before the change log
    kb.db.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    served = KnowledgeBase(sqlite_utils.Database(conn))
    assert served.get("north").label == "North Test"
