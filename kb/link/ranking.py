"""Ranking: each candidate's score is the weighted mean of its features (weights in settings).

Clusters are ranked unambiguous first, so that the entities they link to are coherence evidence
for the clusters ranked after them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..kbase import KnowledgeBase
from ..records import Candidate
from ..settings import Settings
from .clusters import Cluster
from .features import Evidence, features_of, prominence
from .nil import decide


@dataclass(frozen=True)
class ScoredCandidate:
    """A candidate with its score and the features that produced it."""

    candidate: Candidate
    score: float
    features: dict[str, float]


def weighted(features: dict[str, float], weights: dict[str, float]) -> float:
    """The weighted mean of the features: the candidate's score in [0, 1]."""
    total = sum(weights.get(name, 0.0) for name in features)
    if total <= 0:
        return 0.0
    return sum(value * weights.get(name, 0.0) for name, value in features.items()) / total


def rank_candidates(
    candidates: list[Candidate],
    label: str,
    evidence: Evidence,
    knowledge_base: KnowledgeBase,
    settings: Settings,
) -> list[ScoredCandidate]:
    """Score and sort a cluster's candidates, best first (ties broken by entity id)."""
    if not candidates:
        return []
    max_popularity = max(prominence(c) for c in candidates)
    ranked = []
    for candidate in candidates:
        related = knowledge_base.related(candidate.entity_id) if evidence.linked_ids else set()
        features = features_of(candidate, label, max_popularity, related, evidence, settings)
        ranked.append(ScoredCandidate(candidate, weighted(features, settings.weights), features))
    ranked.sort(key=lambda s: (-s.score, s.candidate.entity_id))
    return ranked


def rank_clusters(
    clusters: list[Cluster], evidence: Evidence, knowledge_base: KnowledgeBase, settings: Settings
) -> None:
    """Rank and decide every cluster without an override (sets ``cluster.decision``).

    Unambiguous clusters go first: each entity linked adds to the evidence of the rest.
    """
    for cluster in sorted(clusters, key=lambda c: len(c.candidates) != 1):
        if cluster.forced[0]:
            continue
        ranked = rank_candidates(cluster.candidates, cluster.label, evidence, knowledge_base, settings)
        cluster.decision = decide(ranked, settings)
        if cluster.decision.winner is not None:
            best = cluster.decision.winner.candidate
            evidence = replace(
                evidence,
                linked_ids=evidence.linked_ids | {i for i in (best.entity_id, best.qid) if i},
                linked_related=evidence.linked_related | knowledge_base.related(best.entity_id),
            )
