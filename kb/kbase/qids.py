"""Wikidata QIDs: the one validity rule, and which entities of a knowledge base carry which QID."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import sqlite_utils

#: A Wikidata item id: "Q" and a positive number without leading zeros ("Q0", "Q007" are not).
QID = re.compile(r"^Q[1-9]\d*$")
#: Parameters per query: well under SQLite's limit on host parameters.
BATCH = 500


def is_qid(value: object) -> bool:
    """Whether ``value`` is a Wikidata item id: the one rule entity files, ``kb entities map``
    and the Wikidata importers all apply."""
    return isinstance(value, str) and QID.match(value) is not None


def wikidata_url(qid: str | None) -> str | None:
    """The canonical Wikidata page of a QID, or None."""
    return f"https://www.wikidata.org/wiki/{qid}" if qid else None


def batches(items: list[str], size: int = BATCH) -> Iterator[list[str]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def qid_holders(db: sqlite_utils.Database, qids: Iterable[str]) -> dict[str, str]:
    """QID → id of the entity carrying it, for those of ``qids`` the knowledge base knows (a QID
    is carried by one entity at most: the unique index on ``entities.qid``)."""
    holders: dict[str, str] = {}
    for batch in batches(sorted(set(qids))):
        placeholders = ",".join("?" * len(batch))
        holders.update(db.execute(f"SELECT qid, id FROM entities WHERE qid IN ({placeholders})", batch).fetchall())
    return holders


def qid_holder(db: sqlite_utils.Database, qid: str, other_than: str | None = None) -> str | None:
    """The id of the entity carrying ``qid``, or None (also when that entity is ``other_than``)."""
    holder = qid_holders(db, [qid]).get(qid)
    return holder if holder != other_than else None


def known_qids(db: sqlite_utils.Database, qids: Iterable[str]) -> set[str]:
    """Those of ``qids`` some entity of the knowledge base carries."""
    return set(qid_holders(db, qids))
