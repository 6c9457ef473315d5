"""A W3C Entity Reconciliation API 0.2 service over the knowledge base (what OpenRefine speaks).

Written here rather than with datasette-reconcile: that plugin matches one column of one table
with FTS or ``LIKE`` and calls a result a match when the name equals the query, where kb must
match every alias through the linker's normalisation (:meth:`KnowledgeBase.candidates`) and may
only claim a match when exactly one entity carries the name.

Protocol: without ``queries`` the endpoint answers the service manifest; ``queries`` (GET
parameter or POST form field) holds a JSON object of named queries ``{"q0": {"query": "Putin",
"type": "PERSON", "limit": 3}}`` and the answer maps each name to ``{"result": [...]}``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..kbase import KnowledgeBase
from ..records import Candidate
from .linked_data import row_url
from .pages import TYPE_NAMES

#: Types offered to clients; any kb type may still be asked for.
DEFAULT_TYPES = ("PERSON", "ORG", "GPE", "WEAPON")
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
#: Most queries one request may carry (OpenRefine sends batches of 10).
MAX_QUERIES = 100
#: Score by how the name matched: exactly (after normalisation), as a variant, or fuzzily.
MATCH_SCORES = {"exact": 100.0, "variant": 90.0}


#: A JSONP callback name clients may ask for (anything else is ignored: no script injection).
JSONP_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")


class ReconcileError(ValueError):
    """A malformed reconciliation request (answered with 400 and this message)."""


def manifest(base: str, database: str) -> dict[str, Any]:
    """The service manifest: name, identifier and schema spaces, entity view URL, types."""
    entities = row_url(base, database, "entities", "")
    return {
        "versions": ["0.2"],
        "name": f"kb entities ({database})",
        "identifierSpace": entities,
        "schemaSpace": f"{base.rstrip('/')}/{database}/entities?type=",
        "view": {"url": entities + "{{id}}"},
        "defaultTypes": [{"id": t, "name": TYPE_NAMES[t]} for t in DEFAULT_TYPES],
        "batchSize": 10,
    }


def parse_queries(raw: str) -> dict[str, dict]:
    """The query batch in a ``queries`` parameter; ReconcileError when it is not one."""
    try:
        batch = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ReconcileError(f"queries is not valid JSON: {error}") from error
    if not isinstance(batch, dict):
        raise ReconcileError("queries must be a JSON object of named queries")
    if len(batch) > MAX_QUERIES:
        raise ReconcileError(f"at most {MAX_QUERIES} queries per request, got {len(batch)}")
    for key, query in batch.items():
        if not isinstance(query, dict) or not isinstance(query.get("query"), str):
            raise ReconcileError(f"query {key!r} needs a string 'query'")
        limit = query.get("limit", DEFAULT_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise ReconcileError(f"query {key!r}: limit must be a non-negative integer")
    return batch


def wanted_types(query: dict) -> set[str]:
    """The types a query asks for (``type`` is a string or a list; empty: any type)."""
    types = query.get("type") or []
    if isinstance(types, str):
        types = [types]
    return {str(t).upper() for t in types if t}


def score(candidate: Candidate) -> float:
    """0–100: 100 for a name that matches exactly, 90 for a variant, fuzzy ratio × 0.8."""
    if candidate.match in MATCH_SCORES:
        return MATCH_SCORES[candidate.match]
    return round(80.0 * candidate.similarity, 1)


def reconcile_one(kb: KnowledgeBase, query: dict) -> list[dict]:
    """The ranked results of one query; ``match`` is true only for an unambiguous exact match."""
    limit = min(query.get("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
    types = wanted_types(query)
    found = kb.candidates(query["query"], limit=MAX_LIMIT, include_unresolved=True)
    if types:
        found = [c for c in found if c.type in types]
    exact = [c for c in found if c.match == "exact"]
    results = [
        {
            "id": c.entity_id,
            "name": c.label,
            "description": c.description or "",
            "type": [{"id": c.type, "name": TYPE_NAMES.get(c.type, c.type)}],
            "score": score(c),
            "match": len(exact) == 1 and c is exact[0],
        }
        for c in found
    ]
    results.sort(key=lambda r: -r["score"])
    return results[:limit]


def reconcile_batch(kb: KnowledgeBase, batch: dict[str, dict]) -> dict[str, dict]:
    """Answer a parsed query batch: ``{key: {"result": [...]}}``."""
    return {key: {"result": reconcile_one(kb, query)} for key, query in batch.items()}
