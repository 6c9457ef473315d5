import sqlite_utils

from kb import store
from kb.kbase import write_entities
from kb.records import Document, Entity, Link, Mention

ENTITY = Entity(id="Q999000001", qid="Q999000001", label="Example Alliance", type="ORG", origin="wikidata")
OTHER = Entity(id="Q999000002", qid="Q999000002", label="Example City", type="GPE", origin="wikidata")


def make_db():
    db = sqlite_utils.Database(memory=True)
    store.ensure_schema(db)
    write_entities(db, [ENTITY, OTHER])
    return db


def link_for(mention, entity):
    return Link(mention, entity.id, entity.qid, entity.label, entity.type, 0.9)


def test_schema_has_tables_indexes_fts_and_foreign_keys():
    db = make_db()
    assert {"documents", "mentions", "entities", "aliases", "claims", "co_mentions", "overrides"} <= set(
        db.table_names()
    )
    assert db["documents"].detect_fts() and db["entities"].detect_fts()
    indexed = {tuple(i.columns) for i in db["mentions"].indexes}
    assert {("document_id",), ("entity_id",), ("label",)} <= indexed
    assert {fk.other_table for fk in db["mentions"].foreign_keys} == {"documents", "entities"}
    store.ensure_schema(db)  # idempotent


def test_write_document_replaces_mentions_and_adds_unresolved_entities():
    db = make_db()
    text = "Example Alliance met in Example City. Nobody Known came."
    doc = Document(id="d1", text=text, content_hash="h1")
    first = [link_for(Mention(0, 16, "Example Alliance", "ORG"), ENTITY)]
    with db.conn:
        store.write_document(db, doc, first, [], [], "sig")
    nil = Entity(id="nil:nobody-known", label="Nobody Known", type="PERSON", origin="unresolved")
    second = [
        link_for(Mention(24, 36, "Example City", "GPE"), OTHER),
        Link(Mention(38, 50, "Nobody Known", "PERSON"), nil.id, None, nil.label, "PERSON", 0.1),
    ]
    with db.conn:
        store.write_document(db, doc, second, [Mention(0, 7, "Example", "NORP")], [nil], "sig")
    rows = db.execute('SELECT start, "end", text, entity_id FROM mentions ORDER BY start').fetchall()
    assert rows == [(0, 7, "Example", None), (24, 36, "Example City", OTHER.id), (38, 50, "Nobody Known", nil.id)]
    assert store.stored_state(db) == {"d1": ("h1", "sig")}
    store.refresh_co_mentions(db)
    assert db.execute("SELECT * FROM co_mentions ORDER BY entity_id").fetchall() == [
        (OTHER.id, nil.id, 1),
        (nil.id, OTHER.id, 1),
    ]


def test_documents_are_searchable_with_full_text_search():
    db = make_db()
    with db.conn:
        store.write_document(db, Document(id="d1", text="Long-range missiles were debated.", title="Debate"), [], [], [], "s")
    assert [r["id"] for r in db["documents"].search("missile")] == ["d1"]


def test_prune_removes_only_unreferenced_unresolved_entities():
    db = make_db()
    nil = Entity(id="nil:gone", label="Gone", type="ORG", origin="unresolved")
    write_entities(db, [nil])
    assert store.prune_unresolved(db) == 1
    assert db["entities"].count == 2
