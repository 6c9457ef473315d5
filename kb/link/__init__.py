"""The link stage: mentions → knowledge-base entities, or honest unresolved entities.

The modules follow the steps of :func:`link_document` (:mod:`kb.link.document`):

- :mod:`kb.link.clusters`: mentions of one document that name the same thing (surnames, short
  forms, acronyms);
- :mod:`kb.link.candidates`: each cluster's candidates from the knowledge base;
- :mod:`kb.link.features`: the evidence for each candidate (prior, name, type, context, …);
- :mod:`kb.link.ranking`: candidates ranked by the weighted features, unambiguous clusters first;
- :mod:`kb.link.nil`: the one place that decides a name stays unresolved.
"""

from __future__ import annotations

from .clusters import Cluster, build_clusters
from .document import LinkResult, link_document
from .nil import is_unresolved, nil_id

__all__ = ["Cluster", "LinkResult", "build_clusters", "is_unresolved", "link_document", "nil_id"]
