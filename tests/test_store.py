import sqlite3

import pytest
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


# Durability and concurrency (issue 8): the parts that need no spaCy model. The end-to-end
# checks (killed builds, readers during a build, two builds at once, order) are in
# tests/test_reliability_durable.py.


def recount(db):
    """The co_mentions rows a full recount gives, to compare with the incremental ones."""
    return db.execute(
        """WITH present AS (SELECT DISTINCT document_id, entity_id FROM mentions WHERE entity_id IS NOT NULL)
        SELECT a.entity_id, b.entity_id, count(*) FROM present a JOIN present b
        ON a.document_id = b.document_id AND a.entity_id != b.entity_id GROUP BY 1, 2 ORDER BY 1, 2"""
    ).fetchall()


def test_co_mentions_and_unresolved_entities_follow_every_write():
    db = make_db()
    nil = Entity(id="nil:someone-new", label="Someone New", type="PERSON", origin="unresolved")
    alliance = lambda at: link_for(Mention(at, at + 16, "Example Alliance", "ORG"), ENTITY)  # noqa: E731
    city = lambda at: link_for(Mention(at, at + 12, "Example City", "GPE"), OTHER)  # noqa: E731
    someone = Link(Mention(0, 11, "Someone New", "PERSON"), nil.id, None, nil.label, "PERSON", 0.0)
    writes = [
        (Document(id="a", text="x" * 80, content_hash="a", path="a.txt"), [alliance(20), city(40)], [nil]),
        (Document(id="b", text="x" * 80, content_hash="b"), [someone, alliance(20), city(40)], [nil]),
        (Document(id="c", text="x" * 80, content_hash="c"), [someone, city(40)], [nil]),
        # b again, without the unresolved name: nil:someone-new is still named by c
        (Document(id="b", text="x" * 80, content_hash="b2"), [alliance(20)], []),
        # a new version of a.txt (new content-hash id) replaces the old one and its pairs
        (Document(id="a2", text="x" * 80, content_hash="a2", path="a.txt"), [city(40), someone], [nil]),
    ]
    for document, links, entities in writes:
        with store.transaction(db):
            store.write_document(db, document, links, [], entities, "sig", {"a2", "b", "c"})
        assert db.execute("SELECT * FROM co_mentions ORDER BY 1, 2").fetchall() == recount(db)
    assert [i for (i,) in db.execute("SELECT id FROM documents ORDER BY id")] == ["a2", "b", "c"]
    for document_id in ("c", "a2"):
        with store.transaction(db):
            store.write_document(db, Document(id=document_id, text="x", content_hash="z"), [], [], [], "s")
    assert db.execute("SELECT * FROM co_mentions").fetchall() == recount(db) == []
    assert db.execute("SELECT count(*) FROM entities WHERE id = ?", (nil.id,)).fetchone() == (0,)


def test_a_batch_gives_the_same_rows_as_its_documents_written_one_by_one():
    nil = Entity(id="nil:someone-new", label="Someone New", type="PERSON", origin="unresolved")
    alliance = link_for(Mention(20, 36, "Example Alliance", "ORG"), ENTITY)
    city = link_for(Mention(40, 52, "Example City", "GPE"), OTHER)
    someone = Link(Mention(0, 11, "Someone New", "PERSON"), nil.id, None, nil.label, "PERSON", 0.0)
    first = [
        store.Written(Document(id="a", text="x" * 80, content_hash="a", path="a.txt"), [alliance, city]),
        store.Written(Document(id="b", text="x" * 80, content_hash="b"), [someone, alliance, city], [], [nil]),
    ]
    # a new version of a.txt, b again without the unresolved name, and a third document: the
    # pairs both documents shared are counted once per document, not once per batch
    second = [
        store.Written(Document(id="a2", text="x" * 80, content_hash="a2", path="a.txt"), [city, alliance]),
        store.Written(Document(id="b", text="x" * 80, content_hash="b2"), [alliance]),
        store.Written(Document(id="c", text="x" * 80, content_hash="c"), [alliance, city]),
    ]
    tables = []
    for batches in ([first, second], [[item] for item in first + second]):
        db = make_db()
        for batch in batches:
            with store.transaction(db):
                store.write_documents(db, batch, "sig", {"a2", "b", "c"})
        assert db.execute("SELECT * FROM co_mentions ORDER BY 1, 2").fetchall() == recount(db)
        tables.append([
            db.execute(sql).fetchall() for sql in (
                "SELECT * FROM co_mentions ORDER BY 1, 2", "SELECT id FROM entities ORDER BY id",
                'SELECT document_id, start, "end", entity_id FROM mentions ORDER BY 1, 2',
            )
        ])
    assert tables[0] == tables[1]
    assert (ENTITY.id, OTHER.id, 2) in tables[0][0]  # a2 and c
    assert ("nil:someone-new",) not in tables[0][1]  # no document names it any more


def test_a_failed_transaction_leaves_nothing_behind():
    db = make_db()
    with pytest.raises(RuntimeError):
        with store.transaction(db):
            store.write_document(db, Document(id="d1", text="Example City.", content_hash="h"),
                                 [link_for(Mention(0, 12, "Example City", "GPE"), OTHER)], [], [], "s")
            raise RuntimeError("killed")
    assert db["documents"].count == db["mentions"].count == 0
    assert not db.conn.in_transaction


def test_an_interrupted_search_index_setup_is_repaired_on_open(tmp_path):
    path = tmp_path / "kb.db"
    store.open_database(path).close()
    raw = sqlite3.connect(path)
    raw.executescript("DROP TRIGGER documents_ai; DROP TRIGGER documents_au;")  # as if killed midway
    raw.close()
    db = store.open_database(path)
    assert {t.name for t in db["documents"].triggers} >= {"documents_ai", "documents_ad", "documents_au"}
    with store.transaction(db):
        store.write_document(db, Document(id="d1", text="Missiles were debated.", content_hash="h"), [], [], [], "s")
    assert [r["id"] for r in db["documents"].search("missile")] == ["d1"]
    db.execute("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")


def test_the_database_is_in_wal_mode_with_a_busy_timeout(tmp_path):
    db = store.open_database(tmp_path / "kb.db")
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA busy_timeout").fetchone() == (store.BUSY_TIMEOUT_MS,)


def test_a_new_document_at_an_old_path_replaces_only_documents_the_build_no_longer_read():
    db = make_db()
    for document_id in ("a", "b"):
        with store.transaction(db):
            store.write_document(db, Document(id=document_id, text="x", content_hash=document_id,
                                              path=f"news.jsonl:{ord(document_id) - 96}"), [], [], [], "s", {"a", "b"})
    # A record inserted at the top: "c" now stands on line 1, "a" (unchanged) moved to line 2.
    with store.transaction(db):
        store.write_document(db, Document(id="c", text="x", content_hash="c", path="news.jsonl:1"), [], [], [], "s",
                             {"c", "a", "b"})
    assert [i for (i,) in db.execute("SELECT id FROM documents ORDER BY id")] == ["a", "b", "c"]
    # The text of line 1 changes (new content-hash id): its old version goes, "a" stays.
    with store.transaction(db):
        store.write_document(db, Document(id="c2", text="y", content_hash="c2", path="news.jsonl:1"), [], [], [], "s",
                             {"c2", "a", "b"})
    assert [i for (i,) in db.execute("SELECT id FROM documents ORDER BY id")] == ["a", "b", "c2"]
    # Relinking (no set of read documents) never replaces by path.
    with store.transaction(db):
        store.write_document(db, Document(id="a", text="x", content_hash="a", path="news.jsonl:2"), [], [], [], "s")
    assert db["documents"].count == 3