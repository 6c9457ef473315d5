"""The link stage: mentions → knowledge-base entities, or honest unresolved entities.

The modules follow the steps of :func:`link_document` (:mod:`kb.link.document`):

- :mod:`kb.link.clusters`: mentions of one document that name the same thing (surnames, short
  forms, acronyms);
- :mod:`kb.link.candidates`: each cluster's candidates from the knowledge base;
- :mod:`kb.link.features`, :mod:`kb.link.context`: the evidence for each candidate (prior,
  name, type, context, coherence, metonymy signals …);
- :mod:`kb.link.ranking`, :mod:`kb.link.model`: candidates scored by the learned ranker
  (``kb/data/ranker.json``, trained by ``bench/train_ranker.py`` with :mod:`kb.link.train`), or
  by hand-set weights with ``linker = "weighted"``;
- :mod:`kb.link.nil`: the one place that decides a name stays unresolved;
- :mod:`kb.link.spacy_linker`: the same linking as the spaCy component ``kb_linker``.
"""

from __future__ import annotations

from .clusters import Cluster, build_clusters
from .document import LinkResult, link_document
from .nil import is_unresolved, nil_id

__all__ = ["Cluster", "LinkResult", "build_clusters", "is_unresolved", "link_document", "nil_id"]
