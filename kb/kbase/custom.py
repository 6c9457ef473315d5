"""Custom entities (user-defined, linked exactly like Wikidata ones) and mapping them to QIDs."""

from __future__ import annotations

from pathlib import Path

from . import KnowledgeBase, parse_entity, read_entities_file, wikidata_url
from ..records import Entity
from ..wikidata.entity import QID

#: Entities whose QID is Wikidata's own and must not be remapped by hand.
WIKIDATA_ORIGINS = ("wikidata", "online")


def qid_holder(kb: KnowledgeBase, qid: str, other_than: str | None = None) -> str | None:
    """The id of the entity carrying ``qid`` (ignoring ``other_than``), or None."""
    row = kb.db.execute(
        "SELECT id FROM entities WHERE qid = ? AND id IS NOT ? LIMIT 1", (qid, other_than)
    ).fetchone()
    return row[0] if row else None


def check_custom(kb: KnowledgeBase, entity: Entity) -> None:
    """Refuse a custom entity that would overwrite a Wikidata entity or reuse another's QID."""
    row = kb.db.execute("SELECT origin FROM entities WHERE id = ?", (entity.id,)).fetchone()
    if row and row[0] in WIKIDATA_ORIGINS:
        raise ValueError(f"{entity.id}: already a Wikidata entity ({row[0]}); choose another id")
    if entity.qid:
        holder = qid_holder(kb, entity.qid, other_than=entity.id)
        if holder is not None:
            raise ValueError(f"{entity.id}: {entity.qid} is already used by entity {holder!r}")


def add_custom(kb: KnowledgeBase, data: dict) -> Entity:
    """Validate one custom entity (id, label, type, aliases, description, qid) and store it.

    Adding the same id again replaces the earlier custom entry. Raises ValueError with the reason.
    """
    entity = parse_entity(data, "custom", f"entity {data.get('id')!r}")
    check_custom(kb, entity)
    kb.add([entity])
    return entity


def import_custom(kb: KnowledgeBase, path: str | Path) -> list[Entity]:
    """Store the custom entities of a YAML/CSV/JSON file, all or none; returns them.

    Raises ValueError naming the file and the entry when one is invalid or clashes.
    """
    entities = read_entities_file(path, origin="custom")
    qids = [e.qid for e in entities if e.qid]
    duplicated = sorted({q for q in qids if qids.count(q) > 1})
    if duplicated:
        raise ValueError(f"{path}: the same QID on several entities: {', '.join(duplicated)}")
    for entity in entities:
        try:
            check_custom(kb, entity)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from error
    kb.add(entities)
    return entities


def map_qid(kb: KnowledgeBase, entity_id: str, qid: str) -> Entity:
    """Give a custom (or curated, or unresolved) entity its Wikidata QID; returns the entity.

    Refuses a malformed QID, an unknown entity, an entity that is itself a Wikidata record, and a
    QID another entity already carries (naming it).
    """
    qid = qid.strip().upper()
    if not QID.match(qid):
        raise ValueError(f"{qid!r} is not a Wikidata QID (Q followed by digits)")
    entity = kb.get(entity_id)
    if entity is None or entity.id != entity_id:
        raise ValueError(f"no entity with id {entity_id!r}")
    if entity.origin in WIKIDATA_ORIGINS:
        raise ValueError(f"{entity_id} is a Wikidata entity ({entity.qid}); its QID cannot be remapped")
    holder = qid_holder(kb, qid, other_than=entity_id)
    if holder is not None:
        raise ValueError(f"{qid} is already used by entity {holder!r}")
    origin = "custom" if entity.origin == "unresolved" else entity.origin
    with kb.db.conn:
        kb.db.execute(
            "UPDATE entities SET qid = ?, wikidata_url = ?, origin = ? WHERE id = ?",
            (qid, wikidata_url(qid), origin, entity_id),
        )
    return kb.get(entity_id)
