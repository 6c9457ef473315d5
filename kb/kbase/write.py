"""Writing entities: insert or update them whole, merge a second record of a known QID, and keep
the published copies of an output database in step with a separate knowledge-base file.

Rows go through sqlite-utils (``upsert_all``/``insert_all``); an entity written again keeps the
rows that did not change, so rewriting an unchanged entity is not an edit (the version triggers of
:mod:`kb.kbase.schema` stay quiet) and re-imports update in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import sqlite_utils

from ..names import loose_key, normalise
from ..records import Entity
from .qids import batches, qid_holders, wikidata_url


def entity_row(entity: Entity) -> dict:
    """The `entities` row of an entity."""
    return {
        "id": entity.id,
        "qid": entity.qid,
        "label": entity.label,
        "description": entity.description,
        "type": entity.type,
        "popularity": entity.popularity,
        "origin": entity.origin,
        "wikidata_url": wikidata_url(entity.qid),
    }


def alias_rows(entity: Entity, entity_id: str | None = None) -> Iterator[dict]:
    """The `aliases` rows of an entity (under ``entity_id``, default its own): its label and
    aliases, each with its lookup keys."""
    seen = set()
    for alias in (entity.label, *entity.aliases):
        alias = alias.strip()
        if alias and alias not in seen and normalise(alias):
            seen.add(alias)
            yield {
                "entity_id": entity_id or entity.id,
                "alias": alias,
                "norm": normalise(alias),
                "loose": loose_key(alias),
            }


def claim_rows(entity: Entity, entity_id: str | None = None) -> list[dict]:
    """The `claims` rows of an entity (under ``entity_id``, default its own)."""
    return [
        {"entity_id": entity_id or entity.id, "property": c.property, "value": c.value, "value_label": c.value_label}
        for c in entity.claims
    ]


def _holders(db: sqlite_utils.Database, entities: list[Entity]) -> dict[int, str]:
    """Position in ``entities`` → id of another entity that already carries its QID: one in the
    knowledge base, or one earlier in the same batch."""
    held = qid_holders(db, (e.qid for e in entities if e.qid))
    holders: dict[int, str] = {}
    for position, entity in enumerate(entities):
        if not entity.qid:
            continue
        holder = held.setdefault(entity.qid, entity.id)
        if holder != entity.id:
            holders[position] = holder
    return holders


def _replace(db: sqlite_utils.Database, entities: list[Entity]) -> None:
    """Upsert entities whole: the row, exactly these aliases, exactly these claims."""
    if not entities:
        return
    aliases = {e.id: list(alias_rows(e)) for e in entities}
    claims = {e.id: claim_rows(e) for e in entities}
    db.conn.executemany(
        "DELETE FROM aliases WHERE entity_id = ? AND alias NOT IN (SELECT value FROM json_each(?))",
        [(i, json.dumps([r["alias"] for r in rows])) for i, rows in aliases.items()],
    )
    db.conn.executemany(
        "DELETE FROM claims WHERE entity_id = ? AND NOT EXISTS (SELECT 1 FROM json_each(?) j"
        " WHERE json_extract(j.value, '$[0]') = claims.property"
        " AND json_extract(j.value, '$[1]') = claims.value)",
        [(i, json.dumps([[r["property"], r["value"]] for r in rows])) for i, rows in claims.items()],
    )
    db["entities"].upsert_all([entity_row(e) for e in entities], pk="id")
    db["aliases"].upsert_all([r for rows in aliases.values() for r in rows], pk=("entity_id", "alias"))
    db["claims"].upsert_all([r for rows in claims.values() for r in rows], pk=("entity_id", "property", "value"))


def _merge_into(db: sqlite_utils.Database, holder: str, entity: Entity) -> None:
    """Fold a second record of the same QID into the entity that holds it.

    A curated entry (id "jens-stoltenberg", qid Q57665) meets the Wikidata record "Q57665": the
    curated label, type and id stay; aliases and claims are added; popularity is the larger one.
    """
    db.execute(
        "UPDATE entities SET popularity = max(popularity, ?),"
        " description = CASE WHEN description = '' THEN ? ELSE description END WHERE id = ?",
        (entity.popularity, entity.description, holder),
    )
    db["aliases"].insert_all(alias_rows(entity, holder), ignore=True)
    db["claims"].upsert_all(claim_rows(entity, holder), pk=("entity_id", "property", "value"))


def write_entities(db: sqlite_utils.Database, entities: Iterable[Entity]) -> int:
    """Insert or update entities with their aliases and claims; returns how many were written.

    An entity written again is replaced whole (aliases and claims too), so re-imports update in
    place; a record whose QID another entity already carries is merged into that one instead.
    Runs inside the caller's transaction when one is open (as a savepoint), else in its own.
    """
    entities = list(entities)
    with db.atomic():
        holders = _holders(db, entities)
        _replace(db, [e for n, e in enumerate(entities) if n not in holders])
        for position, holder in holders.items():
            _merge_into(db, holder, entities[position])
    return len(entities)


def copy_entities(db: sqlite_utils.Database, entities: Iterable[Entity]) -> int:
    """Bring the published copies of ``entities`` in an output database up to date; returns how
    many were written.

    Entities of a separate knowledge-base file are upserted whole (row, aliases, claims), so an
    edit there reaches the published copy; a stale copy elsewhere holding the same QID gives it
    up. Unresolved entities a build creates are only added when missing: a build never overwrites
    an entity someone has mapped or edited since.
    """
    entities = list(entities)
    unresolved = [e.id for e in entities if e.origin == "unresolved"]
    present: set[str] = set()
    for batch in batches(unresolved):
        placeholders = ",".join("?" * len(batch))
        present.update(i for (i,) in db.execute(f"SELECT id FROM entities WHERE id IN ({placeholders})", batch))
    todo = [e for e in entities if e.id not in present]
    with db.atomic():
        db.conn.executemany(
            "UPDATE entities SET qid = NULL, wikidata_url = NULL WHERE qid = ? AND id != ?",
            [(e.qid, e.id) for e in todo if e.qid],
        )
        _replace(db, todo)
    return len(todo)


def fill_value_labels(db: sqlite_utils.Database, entity_ids: Iterable[str] | None = None) -> int:
    """Give claims that point at an entity of the knowledge base that entity's label; only the
    claims of ``entity_ids`` when given (after an online fetch), else all (after a dump import).
    Returns how many claims were labelled."""
    update = (
        "UPDATE claims SET value_label = (SELECT e.label FROM entities e WHERE e.qid = claims.value)"
        " WHERE value_label IS NULL AND value LIKE 'Q%'"
        " AND EXISTS (SELECT 1 FROM entities e WHERE e.qid = claims.value)"
    )
    with db.atomic():
        if entity_ids is None:
            return db.execute(update).rowcount
        count = 0
        for batch in batches(list(entity_ids)):
            placeholders = ",".join("?" * len(batch))
            count += db.execute(update + f" AND entity_id IN ({placeholders})", batch).rowcount
        return count


def set_qid(db: sqlite_utils.Database, entity_id: str, qid: str, origin: str) -> None:
    """Give an entity its QID (and Wikidata page) and origin."""
    with db.atomic():
        db.execute(
            "UPDATE entities SET qid = ?, wikidata_url = ?, origin = ? WHERE id = ?",
            (qid, wikidata_url(qid), origin, entity_id),
        )


def set_override(db: sqlite_utils.Database, surface: str, entity_id: str | None, document_id: str = "") -> None:
    """Record that ``surface`` (in one document, or everywhere) is ``entity_id`` or never linked."""
    with db.atomic():
        db["overrides"].upsert(
            {"document_id": document_id, "norm": normalise(surface), "entity_id": entity_id},
            pk=("document_id", "norm"),
        )
