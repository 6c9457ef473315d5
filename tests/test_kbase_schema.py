"""The knowledge-base schema: tables, indexes, cascades, and the version triggers."""

import sqlite_utils

from kb.kbase import ensure_schema, write_entities
from kb.kbase.schema import VERSION_TABLE, version
from kb.records import Claim, Entity

ENTITY = Entity("north", "North Test", "ORG", qid="Q999000001", aliases=("NT",),
                claims=(Claim("P17", "Q999000002"),))


def fresh_db():
    db = sqlite_utils.Database(memory=True)
    db.execute("PRAGMA foreign_keys = ON")
    ensure_schema(db)
    return db


def test_tables_indexes_and_a_unique_qid():
    db = fresh_db()
    assert {"entities", "aliases", "claims", "overrides", "lookups", "imports", VERSION_TABLE} <= set(db.table_names())
    indexes = {i.name: i for i in db["entities"].indexes}
    assert indexes["idx_entities_qid"].unique
    assert {"idx_aliases_norm", "idx_aliases_loose"} <= {i.name for i in db["aliases"].indexes}
    ensure_schema(db)  # idempotent
    assert db[VERSION_TABLE].count == 1


def test_deleting_an_entity_deletes_its_aliases_and_claims():
    db = fresh_db()
    write_entities(db, [ENTITY])
    db.execute("DELETE FROM entities WHERE id = 'north'")
    assert db["aliases"].count == 0 and db["claims"].count == 0


def test_version_counts_link_relevant_changes_only():
    db = fresh_db()
    start = version(db)
    write_entities(db, [ENTITY])
    after_insert = version(db)
    assert after_insert != start
    db.execute("UPDATE claims SET value_label = 'Southland'")  # a label of a claim value: no link changes
    assert version(db) == after_insert
    db.execute("UPDATE aliases SET alias = 'N.T.' WHERE alias = 'NT'")
    after_alias = version(db)
    assert after_alias != after_insert
    db.execute("UPDATE entities SET description = 'a test organisation'")  # the ranker reads its words
    assert version(db) != after_alias


def test_an_existing_database_keeps_its_version_id():
    db = fresh_db()
    uid = version(db).split(":")[0]
    ensure_schema(db)
    assert version(db).split(":")[0] == uid
