"""What :mod:`kb.wikidata` records in the knowledge base besides entities: the cache of online
searches (``lookups``: one row per name searched, hits or not, so the next run is offline and
repeatable) and the log of dump imports (``imports``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone

import sqlite_utils

from ..names import normalise


def cached_lookup(db: sqlite_utils.Database, name: str, language: str = "en") -> list[str] | None:
    """The QIDs an earlier online search found for ``name`` ([] = nothing), or None if never searched."""
    row = db.execute(
        "SELECT qids FROM lookups WHERE norm = ? AND language = ?", (normalise(name), language)
    ).fetchone()
    return json.loads(row[0]) if row else None


def record_lookups(db: sqlite_utils.Database, found: Mapping[str, list[str]], language: str) -> None:
    """Store searched names with the QIDs found (in the caller's transaction, if one is open)."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows = [
        {"norm": normalise(name), "language": language, "name": name, "qids": json.dumps(qids), "looked_up": now}
        for name, qids in found.items()
    ]
    db["lookups"].upsert_all(rows, pk=("norm", "language"))


def log_import(db: sqlite_utils.Database, row: dict) -> None:
    """Append one dump import (path, started, seconds, lines, written, filtered, malformed,
    types, languages) to the ``imports`` table."""
    db["imports"].insert(row)
