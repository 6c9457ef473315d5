"""The knowledge-base tables, their indexes, and the change counter behind the fingerprint.

``entities``, ``aliases``, ``claims`` and ``overrides`` hold the knowledge base; ``lookups`` caches
online searches (:mod:`kb.wikidata.online`) and ``imports`` logs dump imports
(:mod:`kb.wikidata.dump`). ``kb_version`` is one row: a random id of this knowledge base and a
counter that SQLite triggers bump on every change that can change a link, so a build can tell
cheaply, on any size of knowledge base, whether its documents need relinking. The same triggers
note in ``kb_changes`` what each change touched (the names, the entity, the override's document),
so a build can tell *which* documents need relinking (:mod:`kb.kbase.changes`).
"""

from __future__ import annotations

import secrets
import sqlite3

import sqlite_utils
from sqlite_utils.db import ForeignKey

VERSION_TABLE = "kb_version"
CHANGES_TABLE = "kb_changes"
#: Builds add unresolved entities (origin "unresolved", ids "nil:…"); they are not edits of the
#: knowledge base and must not bump its version.
_NOT_UNRESOLVED = {
    "entities": "{row}.origin != 'unresolved'",
    "aliases": "substr({row}.entity_id, 1, 4) != 'nil:'",
    "claims": "substr({row}.entity_id, 1, 4) != 'nil:'",
    "overrides": "1",
}
#: What a change of a row of each table notes in the change log, as (name, entity_id, document_id)
#: of ``{row}`` (OLD or NEW): an alias's text, an entity's label, a claim's entity, an
#: override's normalised surface and document ("" when it applies everywhere).
_NOTED = {
    "entities": ("{row}.label", "{row}.id", "NULL"),
    "aliases": ("{row}.alias", "{row}.entity_id", "NULL"),
    "claims": ("NULL", "{row}.entity_id", "NULL"),
    "overrides": ("{row}.norm", "NULL", "{row}.document_id"),
}
#: Columns whose change can change a link (a claim's value label cannot; a description can: the
#: ranker reads its words).
_LINK_COLUMNS = {
    "entities": ("id", "qid", "label", "description", "type", "popularity", "origin"),
    "aliases": ("entity_id", "alias", "norm", "loose"),
    "claims": ("entity_id", "property", "value"),
    "overrides": ("document_id", "norm", "entity_id"),
}


def _cascade(table: str) -> ForeignKey:
    """A foreign key from ``table.entity_id`` to ``entities.id`` that deletes with the entity."""
    return ForeignKey(table, "entity_id", "entities", "id", on_delete="CASCADE")


def _create_tables(db: sqlite_utils.Database) -> None:
    db.create_table(
        "entities",
        {"id": str, "qid": str, "label": str, "description": str, "type": str, "popularity": float,
         "origin": str, "wikidata_url": str},
        pk="id", not_null={"label", "description", "type", "popularity", "origin"},
        defaults={"description": "", "popularity": 0}, if_not_exists=True,
    )
    db.create_table(
        "aliases", {"entity_id": str, "alias": str, "norm": str, "loose": str},
        pk=("entity_id", "alias"), not_null={"entity_id", "alias", "norm", "loose"},
        foreign_keys=[_cascade("aliases")], if_not_exists=True,
    )
    db.create_table(
        "claims", {"entity_id": str, "property": str, "value": str, "value_label": str},
        pk=("entity_id", "property", "value"), not_null={"entity_id", "property", "value"},
        foreign_keys=[_cascade("claims")], if_not_exists=True,
    )
    db.create_table(
        "overrides", {"document_id": str, "norm": str, "entity_id": str},
        pk=("document_id", "norm"), not_null={"document_id", "norm"}, defaults={"document_id": ""},
        if_not_exists=True,
    )
    db.create_table(
        "lookups", {"norm": str, "language": str, "name": str, "qids": str, "looked_up": str},
        pk=("norm", "language"), not_null={"norm", "language", "name", "qids", "looked_up"},
        if_not_exists=True,
    )
    db.create_table(
        "imports",
        {"id": int, "path": str, "started": str, "seconds": float, "lines": int, "written": int,
         "filtered": int, "malformed": int, "types": str, "languages": str},
        pk="id", not_null={"path", "started", "seconds", "lines", "written", "filtered", "malformed", "languages"},
        if_not_exists=True,
    )
    db.create_table(VERSION_TABLE, {"id": int, "uid": str, "version": int}, pk="id",
                    not_null={"uid", "version"}, if_not_exists=True)
    db.create_table(CHANGES_TABLE, {"version": int, "name": str, "entity_id": str, "document_id": str},
                    not_null={"version"}, if_not_exists=True)


#: (index name, table, columns, unique). SQLite lets NULLs repeat in a unique index: many
#: entities have no QID, none shares one.
_INDEXES = (
    ("idx_entities_qid", "entities", ["qid"], True),
    ("idx_entities_type", "entities", ["type"], False),
    ("idx_aliases_norm", "aliases", ["norm"], False),
    ("idx_aliases_loose", "aliases", ["loose"], False),
    ("idx_claims_value", "claims", ["property", "value"], False),
    ("idx_kb_changes_version", CHANGES_TABLE, ["version"], False),
)


#: The last word of an alias's normalised form, in SQL built-ins only (rtrim drops the
#: trailing run of non-space characters, replace then removes what is left before it): indexed,
#: so a lone surname finds the people whose names end with it without scanning every alias.
#: A one-word alias is its own last word.
LAST_WORD = "replace({column}, rtrim({column}, replace({column}, ' ', '')), '')"
_EXPRESSION_INDEXES = (("idx_aliases_last_word", "aliases", LAST_WORD.format(column="norm")),)


def _create_indexes(db: sqlite_utils.Database) -> None:
    for name, table, columns, unique in _INDEXES:
        db[table].create_index(columns, name, unique=unique, if_not_exists=True)
    for name, table, expression in _EXPRESSION_INDEXES:
        db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table}({expression})")


def _schema_objects() -> set[tuple[str, str]]:
    """(type, name) of every table, index and trigger :func:`ensure_schema` creates."""
    tables = {*_LINK_COLUMNS, "lookups", "imports", VERSION_TABLE, CHANGES_TABLE}
    triggers = {f"{CHANGES_TABLE}_{table}_{event}" for table in _NOT_UNRESOLVED for event in ("insert", "delete", "update")}
    return (
        {("table", name) for name in tables}
        | {("index", name) for name, *_ in (*_INDEXES, *_EXPRESSION_INDEXES)}
        | {("trigger", name) for name in triggers}
    )


def is_complete(db: sqlite_utils.Database) -> bool:
    """Whether the whole schema and the version row are in place, so that opening a knowledge
    base writes nothing (a published database is served read-only)."""
    present = {(kind, name) for kind, name in db.execute("SELECT type, name FROM sqlite_master")}
    if not _schema_objects() <= present:
        return False
    return db.execute(f"SELECT 1 FROM {VERSION_TABLE} WHERE id = 1").fetchone() is not None


def _note(table: str, *rows: str) -> str:
    """The statement noting in the change log what a change of ``rows`` (OLD and/or NEW) touched,
    under the version the change has just been given."""
    noted = " UNION ".join("SELECT " + ", ".join(_NOTED[table]).format(row=row) for row in rows)
    return (
        f"INSERT INTO {CHANGES_TABLE} (version, name, entity_id, document_id)"
        f" SELECT v.version, n.* FROM {VERSION_TABLE} v, ({noted}) n WHERE v.id = 1;"
    )


def _readable(db: sqlite_utils.Database) -> bool:
    """Whether the tables lookups read and the version row are there (an older kb's schema)."""
    present = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {*_LINK_COLUMNS, VERSION_TABLE} <= present:
        return False
    return db.execute(f"SELECT 1 FROM {VERSION_TABLE} WHERE id = 1").fetchone() is not None


def _trigger_sql(table: str) -> list[str]:
    """Triggers bumping the version on a link-relevant insert, update or delete of ``table`` and
    noting what the change touched in the change log, in one body (so every version is noted)."""
    bump = f"UPDATE {VERSION_TABLE} SET version = version + 1 WHERE id = 1;"
    kept_new, kept_old = (_NOT_UNRESOLVED[table].format(row=row) for row in ("NEW", "OLD"))
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _LINK_COLUMNS[table])
    name = f"{CHANGES_TABLE}_{table}"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT ON {table} WHEN {kept_new}"
        f" BEGIN {bump} {_note(table, 'NEW')} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE ON {table} WHEN {kept_old}"
        f" BEGIN {bump} {_note(table, 'OLD')} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE ON {table}"
        f" WHEN ({kept_new} OR {kept_old}) AND ({changed}) BEGIN {bump} {_note(table, 'OLD', 'NEW')} END",
    ]


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the knowledge-base tables, indexes and version triggers if missing (idempotent;
    writes nothing when they are all there)."""
    if is_complete(db):
        return
    try:
        _create_tables(db)
    except sqlite3.OperationalError as error:
        if "readonly" in str(error) and _readable(db):
            return  # a published database of an older kb, served read-only: reading needs no more
        raise
    _create_indexes(db)
    with db.atomic():
        db.execute(
            f"INSERT OR IGNORE INTO {VERSION_TABLE} (id, uid, version) VALUES (1, ?, 0)",
            (secrets.token_hex(8),),
        )
        for table in _NOT_UNRESOLVED:
            for event in ("insert", "delete", "update"):
                # Triggers of kb before the change log bumped the version without noting changes.
                db.execute(f"DROP TRIGGER IF EXISTS {VERSION_TABLE}_{table}_{event}")
            for sql in _trigger_sql(table):
                db.execute(sql)


def version(db: sqlite_utils.Database) -> str:
    """This knowledge base's random id and change count, e.g. ``"3f9c…:42"``."""
    uid, count = db.execute(f"SELECT uid, version FROM {VERSION_TABLE} WHERE id = 1").fetchone()
    return f"{uid}:{count}"
