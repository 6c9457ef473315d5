"""The :class:`KnowledgeBase` facade, and :func:`open_knowledge_base`, the one way kb opens one.

The facade binds the functions of :mod:`.lookup`, :mod:`.write`, :mod:`.qids` and :mod:`.cache`
to one database; code outside :mod:`kb.kbase` goes through it instead of writing SQL on the
knowledge-base tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from ..records import Candidate, Entity
from . import cache, changes, lookup, schema, write
from .changes import Changes
from .files import starter_entities
from .qids import known_qids, qid_holder


class KnowledgeBase:
    """A knowledge base stored in SQLite: candidate lookup, entity records, edits."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        schema.ensure_schema(db)

    @classmethod
    def open(cls, path_or_db: str | Path | sqlite_utils.Database | None, seed: bool = False) -> KnowledgeBase:
        """Same as :func:`open_knowledge_base`, unseeded by default."""
        return open_knowledge_base(path_or_db, seed=seed)

    @property
    def path(self) -> str:
        """The file this knowledge base lives in ("" for an in-memory one), e.g. for workers
        that open their own read-only copy."""
        (_, _, file) = self.db.conn.execute("PRAGMA database_list").fetchone()
        return file

    # --- loading ---------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when no entity has been loaded yet."""
        return self.db.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is None

    def seeded(self) -> KnowledgeBase:
        """This knowledge base, loaded with the curated starter entities first if it is empty:
        every knowledge base kb creates starts from them (a Wikidata import does not)."""
        if self.is_empty():
            self.load_starter()
        return self

    def load_starter(self) -> int:
        """Load (or refresh) the curated starter entities; returns how many."""
        return self.add(starter_entities())

    def add(self, entities: Iterable[Entity]) -> int:
        """Write entities in one transaction (see :func:`kb.kbase.write_entities`); returns how many."""
        with self.db.atomic():
            return write.write_entities(self.db, entities)

    def set_qid(self, entity_id: str, qid: str, origin: str) -> None:
        """Give an entity its QID and origin (``kb entities map``)."""
        write.set_qid(self.db, entity_id, qid, origin)

    def set_override(self, surface: str, entity_id: str | None, document_id: str = "") -> None:
        """Record that ``surface`` (in one document, or everywhere) is ``entity_id`` or never linked."""
        write.set_override(self.db, surface, entity_id, document_id)

    # --- reading ---------------------------------------------------------------------------------

    def has_entity(self, entity_id: str) -> bool:
        """Whether an entity has exactly this local id."""
        return self.db.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone() is not None

    def get(self, entity_id: str) -> Entity | None:
        """The entity with this local id (or QID), with aliases and claims, or None."""
        return lookup.get_entity(self.db, entity_id)

    def candidates(
        self, surface: str, limit: int = 20, fuzzy_threshold: float = 95.0, **options: Any
    ) -> list[Candidate]:
        """Entities whose aliases match ``surface`` (see :func:`kb.kbase.lookup.candidates` for the
        tiers, the fuzzy bounds and ``include_unresolved``)."""
        return lookup.candidates(self.db, surface, limit, fuzzy_threshold, **options)

    def surname_candidates(self, surname: str, limit: int = 20) -> list[Candidate]:
        """People a lone surname may name (see :func:`kb.kbase.lookup.surname_candidates`)."""
        return lookup.surname_candidates(self.db, surname, limit)

    def has_name(self, surface: str) -> bool:
        """Whether this exact (normalised) name is an alias of some resolved entity."""
        return lookup.has_name(self.db, surface)

    def keeps_article(self, surface: str) -> bool:
        """Whether a leading "The" belongs to the name: "The Times" yes, "the Kremlin" no.

        True when the name with its article is known and the name without it is not.
        """
        return self.has_name(surface) and not self.has_name(surface[4:])

    def fuzzy_range_size(self, prefix: str, limit: int) -> int:
        """How many aliases (at most ``limit``) start with ``prefix``: the fuzzy fallback compares
        all of them when there are fewer than its row limit (see :func:`kb.relink`)."""
        return lookup.fuzzy_range_size(self.db, prefix, limit)

    def ruler_names(self) -> list[tuple[str, str, str]]:
        """(alias, type, entity id) of every curated and custom entity: the EntityRuler's names."""
        return lookup.ruler_names(self.db)

    def popular_names(self, limit: int, types: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """Multi-word aliases of the ``limit`` most popular imported entities of these types
        ("Rio de Janeiro", "Deutsche Bahn"): specific enough to recognise wherever they appear,
        where a one-word alias ("Magic") is not."""
        return lookup.popular_names(self.db, limit, types)

    def override(self, document_id: str, surface: str) -> tuple[bool, str | None]:
        """A manual decision for this surface: (found, entity id or None for "never link")."""
        return lookup.override(self.db, document_id, surface)

    def related(self, entity_id: str) -> set[str]:
        """Ids/QIDs this entity's claims point to: used for document coherence."""
        return lookup.related(self.db, entity_id)

    def countries(self, entity_id: str) -> set[str]:
        """The countries an entity belongs to: for telling national namesakes apart
        (:mod:`kb.link.home`)."""
        return lookup.countries(self.db, entity_id)

    def has_qid(self, qid: str) -> bool:
        """Whether some entity of the knowledge base carries this QID."""
        return qid_holder(self.db, qid) is not None

    def qid_holder(self, qid: str, other_than: str | None = None) -> str | None:
        """The id of the entity carrying ``qid`` (ignoring ``other_than``), or None."""
        return qid_holder(self.db, qid, other_than)

    def known_qids(self, qids: Iterable[str]) -> set[str]:
        """Those of ``qids`` some entity of the knowledge base carries."""
        return known_qids(self.db, qids)

    def fingerprint(self) -> str:
        """A token that changes with every edit that can change a link (ids, labels, aliases,
        QIDs, descriptions, types, popularity, claims, overrides), for incremental builds; one
        row read, so cheap on any size. Builds adding unresolved entities leave it alone."""
        return schema.version(self.db)

    def changes_since(self, since: str) -> Changes | None:
        """What the link-relevant edits after the fingerprint ``since`` touched (names, entities,
        documents of overrides), for relinking only the documents that can see them; None when
        the change log cannot tell (see :mod:`kb.kbase.changes`): then relink everything."""
        return changes.changes_since(self.db, since)

    def forget_changes(self, through: str | None = None) -> None:
        """Prune the change log: the notes up to the fingerprint ``through`` (no document needs
        them any more), and the oldest beyond the log's cap."""
        changes.forget_changes(self.db, through)

    # --- Wikidata (kb.wikidata records its work here) --------------------------------------------

    def cached_lookup(self, name: str, language: str = "en") -> list[str] | None:
        """The QIDs an earlier online search found for ``name`` ([] = nothing), or None."""
        return cache.cached_lookup(self.db, name, language)

    def add_online(self, entities: list[Entity], found: Mapping[str, list[str]], language: str) -> int:
        """In one transaction: write entities fetched online, label their claims' values, and
        record the searches that found them; returns how many entities were written."""
        with self.db.atomic():
            written = write.write_entities(self.db, entities)
            write.fill_value_labels(self.db, [e.id for e in entities])
            cache.record_lookups(self.db, found, language)
        return written

    def fill_value_labels(self) -> int:
        """Label every claim value that points at an entity of the knowledge base."""
        return write.fill_value_labels(self.db)

    def log_import(self, row: dict) -> None:
        """Append a dump import to the ``imports`` log."""
        with self.db.atomic():
            cache.log_import(self.db, row)

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Write fast for a bulk import: no fsync meanwhile (a crash mid-import is repaired by
        re-importing), and fresh query-planner statistics after. The change log is emptied after
        it: builds then relink everything, as they would for a log that large."""
        (previous,) = self.db.execute("PRAGMA synchronous").fetchone()
        self.db.execute("PRAGMA synchronous = OFF")
        try:
            yield
            # A bulk import touches too much for the change log to be worth answering from.
            changes.forget_changes(self.db, self.fingerprint())
            self.db.execute("ANALYZE")
        finally:
            self.db.execute(f"PRAGMA synchronous = {int(previous)}")


def open_knowledge_base(
    path_or_db: str | Path | sqlite_utils.Database | None = None, seed: bool = True
) -> KnowledgeBase:
    """Open a knowledge base: a file (created if missing), an open database, or (None) a new
    in-memory one; with ``seed``, an empty one is first loaded with the starter entities.

    Raises ValueError naming the file when it is not a SQLite database.
    """
    if isinstance(path_or_db, sqlite_utils.Database):
        knowledge_base = KnowledgeBase(path_or_db)
    elif path_or_db is None:
        knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    else:
        try:
            knowledge_base = KnowledgeBase(sqlite_utils.Database(path_or_db))
        except sqlite3.DatabaseError as error:
            raise ValueError(f"{path_or_db}: not a kb knowledge base ({error})") from error
    return knowledge_base.seeded() if seed else knowledge_base
