"""The store stage: documents, mentions and the entities they link to, written with sqlite-utils.

Tables (the knowledge-base tables `entities`, `aliases`, `claims`, `overrides` come from
:mod:`kb.kbase`):

- ``documents``: one row per article, with the text that mention offsets point into.
- ``mentions``: one row per recognised name: offsets, surface, label, linked entity, score,
  runner-up and the sentence it stands in.
- ``co_mentions``: entity pairs that appear in the same documents (derived, kept in step with
  the mentions in the same transaction).

Durability and concurrency:

- Every document is written in the same transaction as its mentions, its full-text index entry
  (triggers), its co-mention counts and the pruning of the unresolved entities it no longer
  names. A killed build therefore leaves whole documents only, and a changed document's old
  mentions go only when its new ones arrive.
- The database is in WAL mode and a build's write transactions are short (one batch of already
  linked documents), so Datasette and other readers keep getting answers while a build runs,
  and see each batch appear whole. Commits do not wait for the disk (``synchronous = NORMAL``):
  a killed process loses nothing committed; a power cut may lose the last batches (never half
  of one), and the next build redoes them.
- One build (or resolve) writes a database at a time: :func:`kb.lock.build_lock` refuses a
  second one with a clear message instead of letting two interleave.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from . import kbase as knowledge
from .records import Document, Entity, Link, Mention


#: How long a write waits for another connection's write transaction before giving up (ms).
BUSY_TIMEOUT_MS = 30_000


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a kb database with the full schema in place.

    WAL mode lets readers (Datasette) run during a build; the busy timeout makes a writer wait
    for another connection's short write transaction instead of failing at once (durability:
    see the module's docstring).
    Raises ValueError naming the file when it exists but is not a SQLite database.
    """
    db = sqlite_utils.Database(path)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        ensure_schema(db)
    except sqlite3.DatabaseError as error:
        db.close()
        raise ValueError(f"{path}: not a kb database ({error})") from error
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction, begun IMMEDIATE (taking the write lock up front, waiting up to the
    busy timeout for another writer), committed on success and rolled back on any error.

    A transaction the caller left open (an uncommitted write) is joined and committed with it,
    as ``with db.conn:`` would."""
    conn = db.conn
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the store tables, indexes, full-text search and views (idempotent)."""
    knowledge.ensure_schema(db)
    db.execute(
        """CREATE TABLE IF NOT EXISTS documents (
            id TEXT PRIMARY KEY,
            title TEXT,
            url TEXT,
            published TEXT,
            source TEXT,
            path TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            linked_with TEXT,
            built_at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS mentions (
            id INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            entity_id TEXT REFERENCES entities(id),
            score REAL,
            runner_up_id TEXT REFERENCES entities(id),
            runner_up_score REAL,
            sentence TEXT,
            source TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS co_mentions (
            entity_id TEXT NOT NULL REFERENCES entities(id),
            other_id TEXT NOT NULL REFERENCES entities(id),
            documents INTEGER NOT NULL,
            PRIMARY KEY (entity_id, other_id)
        )"""
    )
    for sql in (
        "CREATE INDEX IF NOT EXISTS idx_mentions_document ON mentions(document_id)",
        "CREATE INDEX IF NOT EXISTS idx_mentions_entity ON mentions(entity_id)",
        "CREATE INDEX IF NOT EXISTS idx_mentions_label ON mentions(label)",
        "CREATE INDEX IF NOT EXISTS idx_mentions_runner_up ON mentions(runner_up_id)",
        "CREATE INDEX IF NOT EXISTS idx_co_mentions_other ON co_mentions(other_id)",
        "CREATE INDEX IF NOT EXISTS idx_documents_source ON documents(source)",
        "CREATE INDEX IF NOT EXISTS idx_documents_published ON documents(published)",
        "CREATE INDEX IF NOT EXISTS idx_entities_origin ON entities(origin)",
    ):
        db.execute(sql)
    _ensure_fts(db)


_FTS = (("documents", ("title", "text"), "porter"), ("entities", ("label", "description"), None))


def _ensure_fts(db: sqlite_utils.Database) -> None:
    """Full-text search on documents and entities, kept up to date by triggers. An index whose
    setup was interrupted (a search table without all its triggers would silently stop following
    its table) is built again; a complete one is left alone."""
    for name, columns, tokenize in _FTS:
        table = db[name]
        triggers = {trigger.name for trigger in table.triggers}
        if not (table.detect_fts() and {f"{name}_ai", f"{name}_ad", f"{name}_au"} <= triggers):
            table.enable_fts(list(columns), create_triggers=True, tokenize=tokenize, replace=True)


def stored_state(db: sqlite_utils.Database) -> dict[str, tuple[str, str | None]]:
    """Map document id → (content hash, knowledge-base fingerprint it was linked with)."""
    return {
        row[0]: (row[1], row[2])
        for row in db.execute("SELECT id, content_hash, linked_with FROM documents")
    }


def documents_to_resolve(db: sqlite_utils.Database, signature: str) -> list[Document]:
    """Stored documents worth relinking: linked with another signature, or with unresolved names."""
    rows = db.execute(
        "SELECT id, text, title, url, published, source, path, content_hash FROM documents"
        " WHERE linked_with IS NOT ? OR id IN (SELECT m.document_id FROM mentions m"
        " JOIN entities e ON e.id = m.entity_id WHERE e.qid IS NULL) ORDER BY id",
        (signature,),
    ).fetchall()
    return [Document(*row) for row in rows]


def document_row(document: Document, linked_with: str | None) -> dict:
    """The `documents` row of a document."""
    return {
        "id": document.id,
        "title": document.title,
        "url": document.url,
        "published": document.published,
        "source": document.source,
        "path": document.path,
        "text": document.text,
        "content_hash": document.content_hash,
        "linked_with": linked_with,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def mention_row(document_id: str, mention: Mention, link: Link | None) -> dict:
    """The `mentions` row of a mention and its link (None for labels that are not linked)."""
    return {
        "document_id": document_id,
        "start": mention.start,
        "end": mention.end,
        "text": mention.text,
        "label": link.type if link else mention.label,
        "entity_id": link.entity_id if link else None,
        "score": round(link.score, 4) if link else None,
        "runner_up_id": link.runner_up_id if link else None,
        "runner_up_score": round(link.runner_up_score, 4)
        if link and link.runner_up_score is not None
        else None,
        "sentence": mention.sentence,
        "source": mention.source,
    }


@dataclass(frozen=True)
class Written:
    """One linked document to store: its links, its mentions without a link (labels that are not
    linked) and the entities the links point to that the database may lack (see
    :func:`write_documents`)."""

    document: Document
    links: Sequence[Link]
    unlinked: Sequence[Mention] = ()
    entities: Sequence[Entity] = ()


def write_documents(
    db: sqlite_utils.Database,
    batch: Sequence[Written],
    linked_with: str | None,
    current: Container[str] | None = None,
) -> None:
    """Replace a batch of documents and their mentions, and add the entities they point to.

    ``current`` are the ids of the documents the build read. A stored document read from the
    same path under another id that is not among them (the file's text changed, so its
    content-hash id did) is the old version of one of these and goes too. Without ``current``
    (relinking stored documents) nothing is replaced by path.

    ``entities`` are the records the links refer to: unresolved names (added when missing) and
    entities of a separate knowledge-base file (upserted whole, so edits there reach the
    published copy); see :func:`kb.kbase.copy_entities`. Co-mention counts and the unresolved
    entities the batch no longer names are settled once for the whole batch: entity pairs
    shared by many of its documents are counted in one go. The caller wraps this in a
    transaction, so readers see the batch whole.
    """
    conn = db.conn
    replaced = {item.document.id: _versions_of(conn, item.document, current) for item in batch}
    old = sorted({i for ids in replaced.values() for i in ids})
    named = _entities_named_by(conn, old)
    _count_co_mentions(conn, old, -1)
    entities = {}  # the batch's entities, each once (a build gives one id one record)
    for item in batch:
        entities.update((entity.id, entity) for entity in item.entities if entity.id not in entities)
    knowledge.copy_entities(db, entities.values())
    for item in batch:
        _replace_document(db, item, replaced[item.document.id], linked_with)
    new = sorted(replaced)
    _count_co_mentions(conn, new, +1)
    _settle_unresolved(conn, {*named, *_entities_named_by(conn, new)})


def write_document(
    db: sqlite_utils.Database,
    document: Document,
    links: Iterable[Link],
    unlinked: Iterable[Mention],
    entities: Iterable[Entity],
    linked_with: str | None,
    current: Container[str] | None = None,
) -> None:
    """Replace one document and its mentions, and add the entities they point to: a batch of
    one for :func:`write_documents`."""
    write_documents(db, [Written(document, list(links), list(unlinked), list(entities))], linked_with, current)


def _replace_document(db: sqlite_utils.Database, item: Written, replaced: list[str], linked_with: str | None) -> None:
    """Write one document's row and mentions over its ``replaced`` versions (entities, co-mention
    counts and unresolved entities are the batch's business)."""
    conn = db.conn
    document = item.document
    marks = ",".join("?" * len(replaced))
    conn.execute(f"DELETE FROM mentions WHERE document_id IN ({marks})", replaced)
    # The same file with new text (hence a new content-hash id) replaces its old version.
    conn.execute(f"DELETE FROM documents WHERE id IN ({marks}) AND id != ?", [*replaced, document.id])
    row = document_row(document, linked_with)
    columns = ", ".join(row)
    updates = ", ".join(f"{key} = excluded.{key}" for key in row if key != "id")
    conn.execute(
        f"INSERT INTO documents ({columns}) VALUES ({', '.join(':' + k for k in row)})"
        f" ON CONFLICT(id) DO UPDATE SET {updates}",
        row,
    )
    rows = [mention_row(document.id, link.mention, link) for link in item.links]
    rows += [mention_row(document.id, mention, None) for mention in item.unlinked]
    rows.sort(key=lambda r: (r["start"], r["end"]))
    conn.executemany(
        'INSERT INTO mentions (document_id, start, "end", text, label, entity_id, score,'
        " runner_up_id, runner_up_score, sentence, source) VALUES (:document_id, :start, :end,"
        " :text, :label, :entity_id, :score, :runner_up_id, :runner_up_score, :sentence, :source)",
        rows,
    )


def _versions_of(conn: sqlite3.Connection, document: Document, current: Container[str] | None) -> list[str]:
    """The stored documents a new version of ``document`` replaces: the same id, and documents
    read from the same path under another id that the build no longer read (a document that
    is still current stays, e.g. one that moved down a JSON-lines file, whose paths are lines)."""
    ids = [document.id]
    if document.path and current is not None:
        ids += [
            i for (i,) in conn.execute(
                "SELECT id FROM documents WHERE path = ? AND id != ?", (document.path, document.id)
            )
            if i not in current
        ]
    return ids


def _entities_named_by(conn: sqlite3.Connection, document_ids: list[str]) -> list[str]:
    """Entities (or runners-up) the stored mentions of these documents point to."""
    marks = ",".join("?" * len(document_ids))
    return [
        i for (i,) in conn.execute(
            f"SELECT entity_id FROM mentions WHERE document_id IN ({marks}) UNION"
            f" SELECT runner_up_id FROM mentions WHERE document_id IN ({marks})",
            [*document_ids, *document_ids],
        )
        if i is not None
    ]


def _count_co_mentions(conn: sqlite3.Connection, document_ids: list[str], step: int) -> None:
    """Add ``step`` (+1 or -1) to the count of every entity pair these documents mention
    together: keeps ``co_mentions`` in step with the mentions inside the writing transaction."""
    marks = ",".join("?" * len(document_ids))
    conn.execute(
        f"""INSERT INTO co_mentions (entity_id, other_id, documents)
        WITH present AS (
            SELECT DISTINCT document_id, entity_id FROM mentions
            WHERE document_id IN ({marks}) AND entity_id IS NOT NULL
        )
        SELECT a.entity_id, b.entity_id, ? * count(*) FROM present a
        JOIN present b ON a.document_id = b.document_id AND a.entity_id != b.entity_id
        WHERE true GROUP BY a.entity_id, b.entity_id
        ON CONFLICT (entity_id, other_id) DO UPDATE SET documents = documents + excluded.documents""",
        [*document_ids, step],
    )
    if step < 0:
        conn.execute(
            "DELETE FROM co_mentions WHERE documents <= 0 AND entity_id IN (SELECT entity_id"
            f" FROM mentions WHERE document_id IN ({marks}) AND entity_id IS NOT NULL)",
            document_ids,
        )


def _settle_unresolved(conn: sqlite3.Connection, entity_ids: set[str]) -> None:
    """Keep the unresolved entities among ``entity_ids`` in step with their mentions: delete the
    ones no mention points to any more, and give the others the type most of their mentions
    have (ties: alphabetical), so that it does not depend on which document came first."""
    if not entity_ids:
        return
    marks = ",".join("?" * len(entity_ids))
    unresolved = [
        i for (i,) in conn.execute(
            f"SELECT id FROM entities WHERE origin = 'unresolved' AND id IN ({marks})", sorted(entity_ids)
        )
    ]
    for entity_id in sorted(unresolved):
        conn.execute(
            "DELETE FROM entities WHERE id = ? AND origin = 'unresolved'"
            " AND NOT EXISTS (SELECT 1 FROM mentions WHERE entity_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM mentions WHERE runner_up_id = ?)",
            (entity_id, entity_id, entity_id),
        )
        conn.execute(
            "UPDATE entities SET type = coalesce((SELECT label FROM mentions WHERE entity_id = ?"
            " GROUP BY label ORDER BY count(*) DESC, label LIMIT 1), type)"
            " WHERE id = ? AND origin = 'unresolved'",
            (entity_id, entity_id),
        )


def refresh_co_mentions(db: sqlite_utils.Database) -> None:
    """Rebuild the co_mentions table from the mentions (cheap: distinct pairs per document).

    :func:`write_documents` keeps the table in step already; this recount repairs a database
    written by an older kb, or by hand."""
    with transaction(db):
        db.execute("DELETE FROM co_mentions")
        db.execute(
            """INSERT INTO co_mentions (entity_id, other_id, documents)
            WITH present AS (
                SELECT DISTINCT document_id, entity_id FROM mentions WHERE entity_id IS NOT NULL
            )
            SELECT a.entity_id, b.entity_id, count(*) FROM present a
            JOIN present b ON a.document_id = b.document_id AND a.entity_id != b.entity_id
            GROUP BY a.entity_id, b.entity_id"""
        )


def prune_unresolved(db: sqlite_utils.Database) -> int:
    """Delete unresolved entities no mention points to any more; returns how many."""
    with transaction(db):
        cursor = db.execute(
            "DELETE FROM entities WHERE origin = 'unresolved' AND id NOT IN"
            " (SELECT entity_id FROM mentions WHERE entity_id IS NOT NULL)"
            " AND id NOT IN (SELECT runner_up_id FROM mentions WHERE runner_up_id IS NOT NULL)"
        )
        return cursor.rowcount
