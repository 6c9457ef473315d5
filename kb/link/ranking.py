"""Ranking a document's candidates and deciding each name.

The default linker ranks with the learned model (:mod:`kb.link.model`): every candidate of every
cluster gets its features first (:func:`featurise`, order-free: coherence is read from all the
other clusters' candidates), then the model scores them and each cluster is decided on its own
(:func:`decide_learned`). The hand-weighted linker (``linker = "weighted"``) scores each
candidate by the weighted mean of its features (weights in settings), unambiguous clusters first
so that the entities they link are coherence evidence for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..kbase import KnowledgeBase
from ..records import Candidate
from ..settings import Settings
from .clusters import Cluster
from .context import surroundings
from .features import WINDOW, Evidence, content_words, features_of, learned_features, neighbours, prominence
from .model import Ranker
from .nil import decide, decide_by_confidence


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


# --- the learned ranker --------------------------------------------------------------------------


def featurise(clusters: list[Cluster], text: str, knowledge_base: KnowledgeBase, settings: Settings) -> None:
    """Set every cluster's ``features`` (one dict per candidate, in candidate order)."""
    related = {
        c.entity_id: knowledge_base.related(c.entity_id) for cluster in clusters for c in cluster.candidates
    }
    evidence = Evidence(words=content_words(text))
    for cluster, others in zip(clusters, neighbours([c.candidates for c in clusters], related)):
        signals, local = surroundings(text, cluster.mentions, WINDOW)
        cluster.features = learned_features(
            cluster.candidates, cluster.label, {**signals, "mentions": len(cluster.mentions)}, local, related,
            others, evidence, settings,
        )


def decide_learned(clusters: list[Cluster], ranker: Ranker, settings: Settings) -> None:
    """Score each cluster's candidates with the ranker and link or leave it unresolved."""
    threshold = max(ranker.nil_threshold, settings.min_confidence)
    for cluster in clusters:
        if cluster.forced[0] or not cluster.candidates:
            continue
        ranked = sorted(
            (
                ScoredCandidate(c, ranker.candidate.probability(f), f)
                for c, f in zip(cluster.candidates, cluster.features)
            ),
            key=lambda s: (-s.score, s.candidate.entity_id),
        )
        runner = ranked[1].score if len(ranked) > 1 else None
        confidence = ranker.confident(ranked[0].score, runner, len(ranked))
        cluster.decision = decide_by_confidence(ranked, confidence, threshold)


# --- the hand-weighted linker --------------------------------------------------------------------


def rank_candidates(
    candidates: list[Candidate],
    label: str,
    evidence: Evidence,
    knowledge_base: KnowledgeBase,
    settings: Settings,
) -> list[ScoredCandidate]:
    """Score and sort a cluster's candidates by the weighted features, best first (ties broken
    by entity id)."""
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
    """Rank and decide every cluster without an override by the weighted features (sets
    ``cluster.decision``). Unambiguous clusters go first: each entity linked adds to the
    evidence of the rest."""
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
