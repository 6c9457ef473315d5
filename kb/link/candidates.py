"""Candidate lookup: which knowledge-base entities a cluster's name may refer to."""

from __future__ import annotations

from ..kbase import KnowledgeBase
from ..records import Candidate, Mention
from ..settings import Settings
from .clusters import Cluster


def linkable(mention: Mention, settings: Settings) -> bool:
    """Whether a mention's label is one that kb links (or may link, for the soft labels)."""
    return mention.label in settings.linked_labels or mention.label in settings.soft_labels


def lookup(surface: str, knowledge_base: KnowledgeBase, settings: Settings) -> list[Candidate]:
    """The knowledge base's candidates for one surface (exact, variant, then fuzzy matches)."""
    return knowledge_base.candidates(
        surface, settings.max_candidates, settings.fuzzy_threshold, fuzzy_min_length=settings.fuzzy_min_length,
        fuzzy_prefix=settings.fuzzy_prefix, fuzzy_rows=settings.fuzzy_rows,
    )


def cluster_candidates(cluster: Cluster, knowledge_base: KnowledgeBase, settings: Settings) -> list[Candidate]:
    """Candidates for a cluster's fullest name, else for its other surfaces, longest first.

    Shorter forms are a fallback only when they are names in their own right: "GA" must not
    stand in for "Gulfline Airways" when the knowledge base does not know the airline. When
    nothing matches a person's one-word name, the people it may be the surname of are the
    candidates (the ranker knows them by their ``surname`` match).
    """
    others = sorted(
        {m.meant for m in cluster.mentions if len(m.meant) >= settings.fallback_min_length and not m.meant.isupper()}
        - {cluster.name},
        key=lambda s: (-len(s), s),
    )
    for surface in [cluster.name, *others]:
        found = lookup(surface, knowledge_base, settings)
        if found:
            return found
    if cluster.label == "PERSON" and " " not in cluster.name.strip():
        return knowledge_base.surname_candidates(cluster.name, settings.max_candidates)
    return []


def most_popular(mention: Mention, knowledge_base: KnowledgeBase, settings: Settings) -> Candidate | None:
    """The popularity-prior baseline's pick: the mention's most popular candidate, if any."""
    found = lookup(mention.meant, knowledge_base, settings)
    return max(found, key=lambda c: (c.popularity, c.similarity)) if found else None
