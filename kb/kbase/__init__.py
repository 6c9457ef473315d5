"""The local knowledge base: entities, aliases, claims and overrides in SQLite.

The knowledge base stays on disk; lookups go through indexed alias keys, so a million-entity
Wikidata import costs memory only for SQLite's page cache. By default it lives in the same
database Datasette publishes; ``--kb FILE`` points several builds at one shared file.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

import sqlite_utils
import yaml
from rapidfuzz import fuzz

from ..names import loose_key, normalise, variants
from ..records import Candidate, Claim, Entity

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
ENTITY_TYPES = ("PERSON", "ORG", "WEAPON", "GPE", "LOC", "PRODUCT", "WORK", "EVENT", "OTHER")
STARTER_FILE = "starter.yaml"


def wikidata_url(qid: str | None) -> str | None:
    """The canonical Wikidata page of a QID, or None."""
    return f"https://www.wikidata.org/wiki/{qid}" if qid else None


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the knowledge-base tables and indexes if they are missing (idempotent)."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS entities (
            id TEXT PRIMARY KEY,
            qid TEXT,
            label TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            type TEXT NOT NULL,
            popularity REAL NOT NULL DEFAULT 0,
            origin TEXT NOT NULL,
            wikidata_url TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS aliases (
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            alias TEXT NOT NULL,
            norm TEXT NOT NULL,
            loose TEXT NOT NULL,
            PRIMARY KEY (entity_id, alias)
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS claims (
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            property TEXT NOT NULL,
            value TEXT NOT NULL,
            value_label TEXT,
            PRIMARY KEY (entity_id, property, value)
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS overrides (
            document_id TEXT NOT NULL DEFAULT '',
            norm TEXT NOT NULL,
            entity_id TEXT,
            PRIMARY KEY (document_id, norm)
        )"""
    )
    # Online cache (kb.wikidata.online): one row per name searched on Wikidata, hits or not.
    db.execute(
        """CREATE TABLE IF NOT EXISTS lookups (
            norm TEXT NOT NULL,
            language TEXT NOT NULL,
            name TEXT NOT NULL,
            qids TEXT NOT NULL,
            looked_up TEXT NOT NULL,
            PRIMARY KEY (norm, language)
        )"""
    )
    # Dump import log (kb.wikidata.dump): one row per `kb wikidata import`.
    db.execute(
        """CREATE TABLE IF NOT EXISTS imports (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            started TEXT NOT NULL,
            seconds REAL NOT NULL,
            lines INTEGER NOT NULL,
            written INTEGER NOT NULL,
            filtered INTEGER NOT NULL,
            malformed INTEGER NOT NULL,
            types TEXT,
            languages TEXT NOT NULL
        )"""
    )
    for sql in (
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_entities_qid ON entities(qid) WHERE qid IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS idx_entities_type ON entities(type)",
        "CREATE INDEX IF NOT EXISTS idx_aliases_norm ON aliases(norm)",
        "CREATE INDEX IF NOT EXISTS idx_aliases_loose ON aliases(loose)",
        "CREATE INDEX IF NOT EXISTS idx_claims_value ON claims(property, value)",
    ):
        db.execute(sql)


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


def alias_rows(entity: Entity) -> Iterator[dict]:
    """The `aliases` rows of an entity: its label and aliases, each with its lookup keys."""
    seen = set()
    for alias in (entity.label, *entity.aliases):
        alias = alias.strip()
        if alias and alias not in seen and normalise(alias):
            seen.add(alias)
            yield {
                "entity_id": entity.id,
                "alias": alias,
                "norm": normalise(alias),
                "loose": loose_key(alias),
            }


def write_entities(db: sqlite_utils.Database, entities: Iterable[Entity]) -> int:
    """Insert or replace entities with their aliases and claims; returns how many were written.

    An entity written again is replaced whole (aliases and claims too), so re-imports update in
    place. The caller owns the transaction.
    """
    count = 0
    conn = db.conn
    for entity in entities:
        holder = _qid_holder(db, entity)
        if holder is not None:
            _merge_into(db, holder, entity)
            count += 1
            continue
        conn.execute("DELETE FROM aliases WHERE entity_id = ?", (entity.id,))
        conn.execute("DELETE FROM claims WHERE entity_id = ?", (entity.id,))
        row = entity_row(entity)
        conn.execute(
            "INSERT INTO entities (id, qid, label, description, type, popularity, origin, wikidata_url)"
            " VALUES (:id, :qid, :label, :description, :type, :popularity, :origin, :wikidata_url)"
            " ON CONFLICT(id) DO UPDATE SET qid=excluded.qid, label=excluded.label,"
            " description=excluded.description, type=excluded.type,"
            " popularity=excluded.popularity, origin=excluded.origin,"
            " wikidata_url=excluded.wikidata_url",
            row,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO aliases (entity_id, alias, norm, loose)"
            " VALUES (:entity_id, :alias, :norm, :loose)",
            list(alias_rows(entity)),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO claims (entity_id, property, value, value_label) VALUES (?, ?, ?, ?)",
            [(entity.id, c.property, c.value, c.value_label) for c in entity.claims],
        )
        count += 1
    return count


def _qid_holder(db: sqlite_utils.Database, entity: Entity) -> str | None:
    """The id of another entity that already carries this entity's QID, if any."""
    if not entity.qid:
        return None
    row = db.execute(
        "SELECT id FROM entities WHERE qid = ? AND id != ?", (entity.qid, entity.id)
    ).fetchone()
    return row[0] if row else None


def _merge_into(db: sqlite_utils.Database, holder: str, entity: Entity) -> None:
    """Fold a second record of the same QID into the entity that holds it.

    A curated entry (id "jens-stoltenberg", qid Q57665) meets the Wikidata record "Q57665": the
    curated label, type and id stay; aliases and claims are added; popularity is the larger one.
    """
    conn = db.conn
    conn.execute(
        "UPDATE entities SET popularity = max(popularity, ?),"
        " description = CASE WHEN description = '' THEN ? ELSE description END WHERE id = ?",
        (entity.popularity, entity.description, holder),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO aliases (entity_id, alias, norm, loose) VALUES (?, ?, ?, ?)",
        [(holder, r["alias"], r["norm"], r["loose"]) for r in alias_rows(entity)],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO claims (entity_id, property, value, value_label) VALUES (?, ?, ?, ?)",
        [(holder, c.property, c.value, c.value_label) for c in entity.claims],
    )


def parse_entity(data: dict, origin: str, where: str) -> Entity:
    """Turn one entity mapping (from YAML, CSV or JSON) into an Entity, validating it.

    Raises ValueError naming ``where`` when a field is missing or wrong.
    """
    missing = [key for key in ("id", "label", "type") if not data.get(key)]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    entity_type = str(data["type"]).upper()
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"{where}: type {data['type']!r} is not one of {', '.join(ENTITY_TYPES)}")
    qid = data.get("qid") or None
    if qid is not None and not (str(qid).startswith("Q") and str(qid)[1:].isdigit()):
        raise ValueError(f"{where}: {qid!r} is not a Wikidata QID")
    aliases = data.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [a.strip() for a in aliases.split("|")]
    claims = tuple(
        Claim(str(c["property"]), str(c["value"]), c.get("value_label"))
        for c in data.get("claims") or ()
    )
    return Entity(
        id=str(data["id"]),
        qid=qid,
        label=str(data["label"]),
        type=entity_type,
        description=str(data.get("description") or ""),
        aliases=tuple(str(a) for a in aliases if a),
        popularity=float(data.get("popularity") or 0.0),
        origin=origin,
        claims=claims,
    )


def read_entities_file(path: str | Path, origin: str = "custom") -> list[Entity]:
    """Read entities from a YAML list, a CSV (aliases separated by ``|``) or a JSON list.

    Raises ValueError naming the file and the entry when the file is malformed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read: {error}") from error
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        where = [f"{path}:{n + 2}" for n in range(len(rows))]
    else:
        try:
            rows = json.loads(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=_YAML_LOADER)
        except (json.JSONDecodeError, yaml.YAMLError) as error:
            raise ValueError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {error}") from error
        if isinstance(rows, dict) and "entities" in rows:
            rows = rows["entities"]
        if not isinstance(rows, list):
            raise ValueError(f"{path}: expected a list of entities")
        where = [f"{path}: entry {n + 1}" for n in range(len(rows))]
    entities = []
    for row, place in zip(rows, where):
        if not isinstance(row, dict):
            raise ValueError(f"{place}: expected a mapping, got {type(row).__name__}")
        entities.append(parse_entity(row, origin, place))
    ids = [e.id for e in entities]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate ids: {', '.join(duplicates)}")
    return entities


def starter_entities() -> list[Entity]:
    """The curated starter knowledge base shipped with kb (``kb/data/starter.yaml``)."""
    with resources.as_file(resources.files("kb") / "data" / STARTER_FILE) as path:
        return read_entities_file(path, origin="starter")


class KnowledgeBase:
    """Read access to a knowledge base stored in SQLite: candidate lookup and entity records."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        ensure_schema(db)

    @classmethod
    def open(cls, path: str | Path) -> KnowledgeBase:
        """Open (creating if needed) a knowledge base file; ValueError if it is not SQLite."""
        try:
            return cls(sqlite_utils.Database(path))
        except sqlite3.DatabaseError as error:
            raise ValueError(f"{path}: not a kb knowledge base ({error})") from error

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
        with self.db.conn:
            return write_entities(self.db, starter_entities())

    def add(self, entities: Iterable[Entity]) -> int:
        """Write entities in one transaction; returns how many."""
        with self.db.conn:
            return write_entities(self.db, entities)

    def get(self, entity_id: str) -> Entity | None:
        """The entity with this local id (or QID), with aliases and claims, or None."""
        row = self.db.execute(
            "SELECT id, qid, label, description, type, popularity, origin FROM entities"
            " WHERE id = ? OR qid = ? LIMIT 1",
            (entity_id, entity_id),
        ).fetchone()
        if row is None:
            return None
        aliases = tuple(
            a for (a,) in self.db.execute("SELECT alias FROM aliases WHERE entity_id = ?", (row[0],))
        )
        claims = tuple(
            Claim(*c)
            for c in self.db.execute(
                "SELECT property, value, value_label FROM claims WHERE entity_id = ?", (row[0],)
            )
        )
        return Entity(
            id=row[0], qid=row[1], label=row[2], description=row[3], type=row[4],
            popularity=row[5], origin=row[6], aliases=aliases, claims=claims,
        )

    def _rows(self, column: str, keys: list[str]) -> list[tuple]:
        placeholders = ",".join("?" * len(keys))
        return self.db.execute(
            "SELECT e.id, e.qid, e.label, e.type, e.description, e.popularity, e.origin,"
            " (SELECT count(*) FROM claims c WHERE c.entity_id = e.id), a.alias, a."
            + column
            + " FROM aliases a JOIN entities e ON e.id = a.entity_id"
            + f" WHERE a.{column} IN ({placeholders}) AND e.origin != 'unresolved'",
            keys,
        ).fetchall()

    def candidates(self, surface: str, limit: int = 20, fuzzy_threshold: float = 95.0) -> list[Candidate]:
        """Entities whose aliases match ``surface``: exact key, then variants, then fuzzy.

        Stops at the first tier that finds anything, so a literal match is never drowned by
        looser ones. Returns at most ``limit`` candidates, most popular first.
        """
        forms = variants(surface)
        found = self._collect(self._rows("norm", forms[:1]), "exact", forms[:1])
        if not found:
            found = self._collect(self._rows("norm", forms[1:]) if forms[1:] else [], "variant", forms)
        if not found:
            loose = sorted({loose_key(form) for form in forms})
            found = self._collect(self._rows("loose", loose), "variant", loose)
        if not found and forms:
            found = self._fuzzy(forms[0], fuzzy_threshold)
        found.sort(key=lambda c: (-c.similarity, -c.popularity, c.entity_id))
        return found[:limit]

    def _collect(self, rows: list[tuple], match: str, keys: list[str]) -> list[Candidate]:
        best: dict[str, Candidate] = {}
        for entity_id, qid, label, etype, description, popularity, origin, claims, alias, _key in rows:
            if entity_id not in best or alias == label:
                best[entity_id] = Candidate(
                    entity_id, qid, label, etype, description, popularity, alias, match, 1.0, origin,
                    claims,
                )
        return list(best.values())

    def _fuzzy(self, key: str, threshold: float) -> list[Candidate]:
        """Fuzzy fallback over aliases sharing the first three characters (index range scan).

        Only spelling variants count: a name that merely extends or shortens an alias
        ("Azerbaijani", "Russian") is another word, not a misspelling of it.
        """
        if len(key) < 5:
            return []
        prefix = key[:3]
        rows = self.db.execute(
            "SELECT e.id, e.qid, e.label, e.type, e.description, e.popularity, e.origin, a.alias,"
            " a.norm FROM aliases a JOIN entities e ON e.id = a.entity_id"
            " WHERE a.norm >= ? AND a.norm < ? AND e.origin != 'unresolved' LIMIT 500",
            (prefix, prefix + "\uffff"),
        ).fetchall()
        best: dict[str, Candidate] = {}
        for entity_id, qid, label, etype, description, popularity, origin, alias, norm in rows:
            if norm.startswith(key) or key.startswith(norm):
                continue  # a different ending is another word form ("Azerbaijani"), not a spelling
            score = fuzz.ratio(key, norm)
            if score >= threshold and score / 100 > best.get(entity_id, _NO_MATCH).similarity:
                best[entity_id] = Candidate(
                    entity_id, qid, label, etype, description, popularity, alias, "fuzzy",
                    score / 100, origin,
                )
        return list(best.values())

    def has_name(self, surface: str) -> bool:
        """Whether this exact (normalised) name is an alias of some entity."""
        key = normalise(surface)
        return self.db.execute("SELECT 1 FROM aliases WHERE norm = ? LIMIT 1", (key,)).fetchone() is not None

    def keeps_article(self, surface: str) -> bool:
        """Whether a leading "The" belongs to the name: "The Times" yes, "the Kremlin" no.

        True when the name with its article is known and the name without it is not.
        """
        return self.has_name(surface) and not self.has_name(surface[4:])

    def ruler_names(self) -> list[tuple[str, str, str]]:
        """(alias, type, entity id) of every curated and custom entity: the EntityRuler's names."""
        return self.db.execute(
            "SELECT a.alias, e.type, e.id FROM aliases a JOIN entities e ON e.id = a.entity_id"
            " WHERE e.origin IN ('starter', 'custom') ORDER BY a.alias"
        ).fetchall()

    def popular_names(self, limit: int, types: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """Multi-word aliases of the ``limit`` most popular imported entities of these types
        ("Los Angeles Lakers", "Sioux Falls"): specific enough to recognise wherever they appear,
        where a one-word alias ("Heat") is not."""
        if limit <= 0:
            return []
        placeholders = ",".join("?" * len(types))
        return self.db.execute(
            "SELECT a.alias, e.type, e.id FROM aliases a JOIN entities e ON e.id = a.entity_id"
            f" WHERE e.origin NOT IN ('starter', 'custom', 'unresolved') AND e.type IN ({placeholders})"
            " AND a.alias LIKE '% %' ORDER BY e.popularity DESC, a.alias LIMIT ?",
            (*types, limit),
        ).fetchall()

    def override(self, document_id: str, surface: str) -> tuple[bool, str | None]:
        """A manual decision for this surface: (found, entity id or None for "never link")."""
        row = self.db.execute(
            "SELECT entity_id FROM overrides WHERE norm = ? AND document_id IN (?, '')"
            " ORDER BY document_id DESC LIMIT 1",
            (normalise(surface), document_id),
        ).fetchone()
        return (True, row[0]) if row else (False, None)

    def set_override(self, surface: str, entity_id: str | None, document_id: str = "") -> None:
        """Record that ``surface`` (in one document, or everywhere) is ``entity_id`` or never linked."""
        with self.db.conn:
            self.db.execute(
                "INSERT OR REPLACE INTO overrides (document_id, norm, entity_id) VALUES (?, ?, ?)",
                (document_id, normalise(surface), entity_id),
            )

    def related(self, entity_id: str) -> set[str]:
        """Ids/QIDs this entity's claims point to: used for document coherence."""
        return {
            value for (value,) in self.db.execute("SELECT value FROM claims WHERE entity_id = ?", (entity_id,))
        }

    def fingerprint(self) -> str:
        """A cheap token that changes when the knowledge base changes (for incremental builds).

        Unresolved entities are left out: builds add them, and they must not make the next build
        think the knowledge base changed.
        """
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(length(id) + length(label) + popularity), 0) FROM entities"
            " WHERE origin != 'unresolved'"
        ).fetchone()
        aliases = self.db.execute(
            "SELECT count(*) FROM aliases WHERE entity_id NOT LIKE 'nil:%'"
        ).fetchone()[0]
        overrides = self.db.execute(
            "SELECT count(*), group_concat(norm || coalesce(entity_id, '-')) FROM overrides"
        ).fetchone()
        digest = zlib.crc32((overrides[1] or "").encode("utf-8"))
        return f"{row[0]}:{row[1]}:{aliases}:{overrides[0]}:{digest}"


_NO_MATCH = Candidate("", None, "", "", "", 0.0, "", "fuzzy", 0.0)
