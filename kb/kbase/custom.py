"""Custom entities (user-defined, linked exactly like Wikidata ones) and mapping them to QIDs."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..records import Entity
from .base import KnowledgeBase
from .files import parse_entity, read_entities_file
from .qids import is_qid

#: Entities whose QID is Wikidata's own and must not be remapped by hand.
WIKIDATA_ORIGINS = ("wikidata", "online")
#: Origins a custom edit keeps; any other (an unresolved name) becomes "custom".
EDITABLE_ORIGINS = ("starter", "custom")


def check_custom(kb: KnowledgeBase, entity: Entity) -> None:
    """Refuse a custom entity that would overwrite a Wikidata entity or reuse another's QID."""
    existing = kb.get(entity.id)
    if existing is not None and existing.id == entity.id and existing.origin in WIKIDATA_ORIGINS:
        raise ValueError(f"{entity.id}: already a Wikidata entity ({existing.origin}); choose another id")
    if entity.qid:
        holder = kb.qid_holder(entity.qid, other_than=entity.id)
        if holder is not None:
            raise ValueError(f"{entity.id}: {entity.qid} is already used by entity {holder!r}")


def merge_custom(existing: Entity | None, entity: Entity) -> Entity:
    """A custom entry for an id that already exists, merged with the stored one so that nothing
    is lost: the new label, type and (if given) description win; the QID stays unless a new one is
    given; the names are the union (a replaced label stays an alias); claims and popularity stay."""
    if existing is None or existing.id != entity.id:
        return entity
    names = dict.fromkeys((existing.label, *existing.aliases, *entity.aliases))
    names.pop(entity.label, None)
    return replace(
        entity,
        qid=entity.qid or existing.qid,
        description=entity.description or existing.description,
        aliases=tuple(names),
        popularity=existing.popularity,
        claims=existing.claims,
        origin=existing.origin if existing.origin in EDITABLE_ORIGINS else entity.origin,
    )


def add_custom(kb: KnowledgeBase, data: dict) -> Entity:
    """Validate one custom entity (id, label, type, aliases, description, qid) and store it.

    Adding an id that exists merges into it (see :func:`merge_custom`): its QID and names are
    never dropped. Returns the entity as stored; raises ValueError with the reason.
    """
    entity = parse_entity(data, "custom", f"entity {data.get('id')!r}")
    check_custom(kb, entity)
    entity = merge_custom(kb.get(entity.id), entity)
    kb.add([entity])
    return entity


def import_custom(kb: KnowledgeBase, path: str | Path) -> list[Entity]:
    """Store the custom entities of a YAML/CSV/JSON file, all or none; returns them as stored.

    Entries whose id exists merge into it like :func:`add_custom`. Raises ValueError naming the
    file and the entry when one is invalid or clashes.
    """
    entities = read_entities_file(path, origin="custom")
    duplicated = sorted(q for q, n in Counter(e.qid for e in entities if e.qid).items() if n > 1)
    if duplicated:
        raise ValueError(f"{path}: the same QID on several entities: {', '.join(duplicated)}")
    for entity in entities:
        try:
            check_custom(kb, entity)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from error
    entities = [merge_custom(kb.get(e.id), e) for e in entities]
    kb.add(entities)
    return entities


def map_qid(kb: KnowledgeBase, entity_id: str, qid: str) -> Entity:
    """Give a custom (or curated, or unresolved) entity its Wikidata QID; returns the entity.

    Refuses a malformed QID, an unknown entity, an entity that is itself a Wikidata record, and a
    QID another entity already carries (naming it).
    """
    qid = qid.strip().upper()
    if not is_qid(qid):
        raise ValueError(f"{qid!r} is not a Wikidata QID (Q followed by digits, no leading zero)")
    entity = kb.get(entity_id)
    if entity is None or entity.id != entity_id:
        raise ValueError(f"no entity with id {entity_id!r}")
    if entity.origin in WIKIDATA_ORIGINS:
        raise ValueError(f"{entity_id} is a Wikidata entity ({entity.qid}); its QID cannot be remapped")
    holder = kb.qid_holder(qid, other_than=entity_id)
    if holder is not None:
        raise ValueError(f"{qid} is already used by entity {holder!r}")
    kb.set_qid(entity_id, qid, entity.origin if entity.origin in EDITABLE_ORIGINS else "custom")
    return kb.get(entity_id)
