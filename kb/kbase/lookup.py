"""Reading the knowledge base: entity records, candidate lookup (exact, variant, loose, fuzzy),
the names the recogniser should know, overrides and claims.

Unresolved entities (origin "unresolved", which builds create for names nothing matched) are never
candidates: a document's links must not depend on which other documents were linked before it.
"""

from __future__ import annotations

from dataclasses import replace

import sqlite_utils
from rapidfuzz import fuzz

from ..names import loose_key, normalise, variants, with_company_suffixes
from ..records import Candidate, Claim, Entity
from .schema import LAST_WORD

_CANDIDATE_COLUMNS = "e.id, e.qid, e.label, e.type, e.description, e.popularity, e.origin"
_RESOLVED = "e.origin != 'unresolved'"
_NO_MATCH = Candidate("", None, "", "", "", 0.0, "", "fuzzy", 0.0)


def get_entity(db: sqlite_utils.Database, entity_id: str) -> Entity | None:
    """The entity with this local id (or QID), with aliases and claims, or None."""
    row = db.execute(
        "SELECT id, qid, label, description, type, popularity, origin FROM entities"
        " WHERE id = ? OR qid = ? LIMIT 1",
        (entity_id, entity_id),
    ).fetchone()
    if row is None:
        return None
    aliases = tuple(a for (a,) in db.execute("SELECT alias FROM aliases WHERE entity_id = ?", (row[0],)))
    claims = tuple(
        Claim(*c)
        for c in db.execute("SELECT property, value, value_label FROM claims WHERE entity_id = ?", (row[0],))
    )
    return Entity(
        id=row[0], qid=row[1], label=row[2], description=row[3], type=row[4],
        popularity=row[5], origin=row[6], aliases=aliases, claims=claims,
    )


def _rows(db: sqlite_utils.Database, column: str, keys: list[str], where: str = _RESOLVED) -> list[tuple]:
    """Candidate rows of the entities (by default resolved ones: ``where``) with an alias whose
    ``column`` is one of ``keys``."""
    if not keys:
        return []
    placeholders = ",".join("?" * len(keys))
    return db.execute(
        f"SELECT {_CANDIDATE_COLUMNS}, (SELECT count(*) FROM claims c WHERE c.entity_id = e.id), a.alias"
        f" FROM aliases a JOIN entities e ON e.id = a.entity_id"
        f" WHERE a.{column} IN ({placeholders}) AND {where}",
        keys,
    ).fetchall()


def _collect(rows: list[tuple], match: str) -> list[Candidate]:
    """One candidate per entity, preferring the row where the alias is the label."""
    best: dict[str, Candidate] = {}
    for entity_id, qid, label, etype, description, popularity, origin, claims, alias in rows:
        if entity_id not in best or alias == label:
            best[entity_id] = Candidate(
                entity_id, qid, label, etype, description, popularity, alias, match, 1.0, origin, claims,
            )
    return list(best.values())


def _fuzzy(
    db: sqlite_utils.Database, key: str, threshold: float, min_length: int, prefix: int, limit: int,
    where: str = _RESOLVED,
) -> list[Candidate]:
    """Fuzzy fallback over at most ``limit`` aliases sharing the first ``prefix`` characters
    (an index range scan), for names of ``min_length`` characters or more.

    Only spelling variants count: a name that merely extends or shortens an alias
    ("Azerbaijani", "Russian") is another word, not a misspelling of it.
    """
    if len(key) < min_length:
        return []
    start = key[:prefix]
    rows = db.execute(
        f"SELECT {_CANDIDATE_COLUMNS}, a.alias, a.norm FROM aliases a JOIN entities e ON e.id = a.entity_id"
        f" WHERE a.norm >= ? AND a.norm < ? AND {where} LIMIT ?",
        (start, start + "\uffff", limit),
    ).fetchall()
    best: dict[str, Candidate] = {}
    for entity_id, qid, label, etype, description, popularity, origin, alias, norm in rows:
        if norm.startswith(key) or key.startswith(norm):
            continue  # a different ending is another word form ("Azerbaijani"), not a spelling
        score = fuzz.ratio(key, norm)
        if score >= threshold and score / 100 > best.get(entity_id, _NO_MATCH).similarity:
            best[entity_id] = Candidate(
                entity_id, qid, label, etype, description, popularity, alias, "fuzzy", score / 100, origin,
            )
    return list(best.values())


def candidates(
    db: sqlite_utils.Database, surface: str, limit: int = 20, fuzzy_threshold: float = 95.0, *,
    fuzzy_min_length: int = 5, fuzzy_prefix: int = 3, fuzzy_rows: int = 500,
    include_unresolved: bool = False,
) -> list[Candidate]:
    """Entities whose aliases match ``surface``: exact key, then variants (spelling, then
    loose, then the name with a company suffix added), then fuzzy.

    Stops at the first tier that finds anything, so a literal match is never drowned by looser
    ones. Returns at most ``limit`` candidates, closest then most popular first. Unresolved
    entities are left out unless ``include_unresolved`` (the linker must never link to a name
    another document left unresolved; a published site may still match them by name).
    """
    where = "1" if include_unresolved else _RESOLVED
    forms = variants(surface)
    found = _collect(_rows(db, "norm", forms[:1], where), "exact")
    if not found:
        found = _collect(_rows(db, "norm", forms[1:], where), "variant")
    if not found:
        found = _collect(_rows(db, "loose", sorted({loose_key(form) for form in forms}), where), "variant")
    if not found and forms:
        found = _collect(_rows(db, "norm", with_company_suffixes(forms[0]), where), "variant")
    if not found and forms:
        found = _fuzzy(db, forms[0], fuzzy_threshold, fuzzy_min_length, fuzzy_prefix, fuzzy_rows, where)
    found.sort(key=lambda c: (-c.similarity, -c.popularity, c.entity_id))
    return found[:limit]


def surname_candidates(db: sqlite_utils.Database, surname: str, limit: int = 20) -> list[Candidate]:
    """People one of whose names ends with this one-word name, most popular first: what a
    lone surname may mean when no alias matches it ("Lincoln" for Abraham Lincoln). Their
    ``match`` is "surname". The aliases are found through the index on their last word
    (:data:`kb.kbase.schema.LAST_WORD`)."""
    key = normalise(surname)
    if not key or " " in key or not key.isalpha():
        return []
    rows = db.execute(
        f"SELECT {_CANDIDATE_COLUMNS}, (SELECT count(*) FROM claims c WHERE c.entity_id = e.id), a.alias"
        f" FROM aliases a JOIN entities e ON e.id = a.entity_id"
        f" WHERE {LAST_WORD.format(column='a.norm')} = ? AND a.norm != ? AND e.type = 'PERSON' AND {_RESOLVED}",
        (key, key),
    ).fetchall()
    found = [replace(c, similarity=0.5) for c in _collect(rows, "surname")]
    found.sort(key=lambda c: (-c.popularity, c.entity_id))
    return found[:limit]


def fuzzy_range_size(db: sqlite_utils.Database, prefix: str, limit: int) -> int:
    """How many aliases (at most ``limit``) the fuzzy fallback's range for ``prefix`` holds: when
    fewer than its ``fuzzy_rows``, it compares them all."""
    (count,) = db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM aliases WHERE norm >= ? AND norm < ? LIMIT ?)",
        (prefix, prefix + "\uffff", limit),
    ).fetchone()
    return count


def has_name(db: sqlite_utils.Database, surface: str) -> bool:
    """Whether this exact (normalised) name is an alias of some resolved entity."""
    return db.execute(
        f"SELECT 1 FROM aliases a JOIN entities e ON e.id = a.entity_id WHERE a.norm = ? AND {_RESOLVED} LIMIT 1",
        (normalise(surface),),
    ).fetchone() is not None


def ruler_names(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """(alias, type, entity id) of every curated and custom entity: the EntityRuler's names."""
    return db.execute(
        "SELECT a.alias, e.type, e.id FROM aliases a JOIN entities e ON e.id = a.entity_id"
        " WHERE e.origin IN ('starter', 'custom') ORDER BY a.alias"
    ).fetchall()


def popular_names(db: sqlite_utils.Database, limit: int, types: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """Multi-word aliases of the ``limit`` most popular imported entities of these types."""
    if limit <= 0:
        return []
    placeholders = ",".join("?" * len(types))
    return db.execute(
        "SELECT a.alias, e.type, e.id FROM aliases a JOIN entities e ON e.id = a.entity_id"
        f" WHERE e.origin NOT IN ('starter', 'custom', 'unresolved') AND e.type IN ({placeholders})"
        " AND a.alias LIKE '% %' ORDER BY e.popularity DESC, a.alias LIMIT ?",
        (*types, limit),
    ).fetchall()


def override(db: sqlite_utils.Database, document_id: str, surface: str) -> tuple[bool, str | None]:
    """A manual decision for this surface: (found, entity id or None for "never link")."""
    row = db.execute(
        "SELECT entity_id FROM overrides WHERE norm = ? AND document_id IN (?, '')"
        " ORDER BY document_id DESC LIMIT 1",
        (normalise(surface), document_id),
    ).fetchone()
    return (True, row[0]) if row else (False, None)


def related(db: sqlite_utils.Database, entity_id: str) -> set[str]:
    """Ids/QIDs this entity's claims point to: used for document coherence."""
    return {value for (value,) in db.execute("SELECT value FROM claims WHERE entity_id = ?", (entity_id,))}


#: The claim that says which country an entity belongs to (P17, country).
COUNTRY = "P17"


def countries(db: sqlite_utils.Database, entity_id: str) -> set[str]:
    """The countries an entity belongs to (the values of its country claims)."""
    rows = db.execute("SELECT value FROM claims WHERE entity_id = ? AND property = ?", (entity_id, COUNTRY))
    return {value for (value,) in rows}
