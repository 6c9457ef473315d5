"""The change log: what the link-relevant edits since a fingerprint touched.

The version triggers of :mod:`.schema` note, under the version each change gives the knowledge
base, the alias texts and labels it touched, the entity it touched (its current aliases are read
here), and the normalised surface and document of an override. :func:`changes_since` turns the
notes after a fingerprint into the names, entities and documents a build must look at again.

The log is bounded: :func:`forget_changes` drops the notes of versions no document still needs
(the build prunes through the oldest version its documents were linked with when the knowledge
base is the output database itself) and keeps at most :data:`MAX_NOTES` notes in any case (a
shared knowledge-base file cannot know the documents of every database built with it). A bulk
import forgets them all. When the notes after a fingerprint are gone, or there are more than
:data:`MAX_ANSWER` of them, :func:`changes_since` answers None: the caller relinks everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from .qids import batches
from .schema import CHANGES_TABLE, VERSION_TABLE

#: The log keeps at most this many notes (the newest versions' whole).
MAX_NOTES = 200_000
#: More distinct notes than this since a fingerprint: relinking everything is as good an answer.
MAX_ANSWER = 20_000
#: Origins of the entities whose names the recogniser's curated ruler holds.
_CURATED = ("starter", "custom")


@dataclass(frozen=True)
class Changes:
    """What the knowledge-base edits since a fingerprint touched."""

    #: alias texts and labels touched (old and new), the aliases of touched entities, and the
    #: normalised surfaces of overrides that apply everywhere
    names: frozenset[str] = field(default_factory=frozenset)
    #: ids of the entities touched (their row, aliases or claims), including deleted ones
    entities: frozenset[str] = field(default_factory=frozenset)
    #: documents named by touched document-scoped overrides
    documents: frozenset[str] = field(default_factory=frozenset)
    #: whether a touched entity is (or was, if gone) an imported one: its names may move others
    #: in or out of the recogniser's list of popular imported names
    imported: bool = False


def _parse(fingerprint: str) -> tuple[str, int] | None:
    uid, _, count = fingerprint.partition(":")
    return (uid, int(count)) if count.isdigit() else None


def _answerable(db: sqlite_utils.Database, since: str) -> int | None:
    """The version ``since`` stands for, if the log holds every change after it; else None."""
    parsed = _parse(since)
    uid, current = db.execute(f"SELECT uid, version FROM {VERSION_TABLE} WHERE id = 1").fetchone()
    if parsed is None or parsed[0] != uid or parsed[1] > current:
        return None
    if parsed[1] == current:
        return current
    # Every version is noted at least once and pruning drops whole versions from the oldest up.
    (oldest,) = db.execute(f"SELECT min(version) FROM {CHANGES_TABLE}").fetchone()
    return parsed[1] if oldest is not None and oldest <= parsed[1] + 1 else None


def changes_since(db: sqlite_utils.Database, since: str) -> Changes | None:
    """What changed after the fingerprint ``since`` of this knowledge base; None when the log
    cannot tell (another knowledge base, notes pruned, too many changes)."""
    version = _answerable(db, since)
    if version is None:
        return None
    notes = db.execute(
        f"SELECT DISTINCT name, entity_id, document_id FROM {CHANGES_TABLE} WHERE version > ? LIMIT ?",
        (version, MAX_ANSWER + 1),
    ).fetchall()
    if len(notes) > MAX_ANSWER:
        return None
    names = {name for name, _, document in notes if name is not None and not document}
    documents = {document for _, _, document in notes if document}
    entities = {entity for _, entity, _ in notes if entity is not None}
    origins: dict[str, str] = {}
    for batch in batches(sorted(entities)):
        marks = ",".join("?" * len(batch))
        origins.update(db.execute(f"SELECT id, origin FROM entities WHERE id IN ({marks})", batch).fetchall())
        names.update(a for (a,) in db.execute(f"SELECT alias FROM aliases WHERE entity_id IN ({marks})", batch))
        names.update(label for (label,) in db.execute(f"SELECT label FROM entities WHERE id IN ({marks})", batch))
    imported = any(origins.get(entity) not in _CURATED for entity in entities)
    return Changes(frozenset(names), frozenset(entities), frozenset(documents), imported)


def forget_changes(db: sqlite_utils.Database, through: str | None = None) -> None:
    """Drop the notes up to the fingerprint ``through`` of this knowledge base (none if it is
    another's), then the oldest versions' beyond :data:`MAX_NOTES`."""
    parsed = _parse(through or "")
    (uid,) = db.execute(f"SELECT uid FROM {VERSION_TABLE} WHERE id = 1").fetchone()
    with db.atomic():
        if parsed is not None and parsed[0] == uid:
            db.execute(f"DELETE FROM {CHANGES_TABLE} WHERE version <= ?", (parsed[1],))
        row = db.execute(
            f"SELECT version FROM {CHANGES_TABLE} ORDER BY version DESC LIMIT 1 OFFSET ?", (MAX_NOTES,)
        ).fetchone()
        if row is not None:
            db.execute(f"DELETE FROM {CHANGES_TABLE} WHERE version <= ?", row)
