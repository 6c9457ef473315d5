"""Wikidata for kb: dump import and online resolution with a cache.

- :mod:`.entity`: one Wikidata JSON entity → :class:`kb.records.Entity` (pure).
- :mod:`.dump`: stream a JSON dump into the knowledge base.
- :mod:`.online`: search and fetch on Wikidata, cached in the knowledge base.
"""

from .dump import ImportReport, import_dump
from .entity import CLASS_TYPES, coarse_type, entity_from_json
from .online import ResolveReport, WikidataClient, WikidataUnavailable, cached_lookup, resolve_names

__all__ = [
    "CLASS_TYPES",
    "ImportReport",
    "ResolveReport",
    "WikidataClient",
    "WikidataUnavailable",
    "cached_lookup",
    "coarse_type",
    "entity_from_json",
    "import_dump",
    "resolve_names",
]
