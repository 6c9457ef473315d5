"""NIL: the one place that decides whether a name stays unresolved.

A name stays unresolved when it has no candidates, or when the confidence that its best
candidate is right (:mod:`kb.link.model`) is below the ranker's cross-validated NIL threshold or
``settings.min_confidence``, whichever is higher. With the hand-weighted linker
(``linker = "weighted"``) it stays unresolved when its best candidate scores below
``settings.nil_threshold``, or when the runner-up (another entity) is within
``settings.min_margin`` of the best: too close to call. An unresolved name of a linked label
becomes an unresolved entity (no QID, grouped by normalised name across documents, ready to be
resolved later); one of another label stays an unlinked mention.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..names import normalise
from ..records import Entity
from ..settings import Settings

if TYPE_CHECKING:
    from .ranking import ScoredCandidate

#: How far below the threshold a tie puts the best score (it must fail the threshold).
_BELOW = 1e-6


@dataclass(frozen=True)
class Decision:
    """A cluster's ranked candidates (best first) and the one it links to, None for NIL.

    On a tie the best candidate's score is lowered below the threshold and its features say
    ``tie``: the stored score explains why the name stayed unresolved.
    """

    ranked: tuple[ScoredCandidate, ...] = ()
    winner: ScoredCandidate | None = None
    confidence: float | None = None  # the learned ranker's: how likely the best candidate is right

    @property
    def best(self) -> ScoredCandidate | None:
        """The best-ranked candidate, linked or not."""
        return self.ranked[0] if self.ranked else None

    @property
    def runner_up(self) -> ScoredCandidate | None:
        """The second-ranked candidate, if any."""
        return self.ranked[1] if len(self.ranked) > 1 else None


def decide(ranked: list[ScoredCandidate], settings: Settings) -> Decision:
    """Link to the best candidate, or stay unresolved (see the module docstring)."""
    if not ranked:
        return Decision()
    best = ranked[0]
    if len(ranked) > 1 and best.score - ranked[1].score < settings.min_margin:
        best = replace(
            best, score=min(best.score, settings.nil_threshold - _BELOW), features={**best.features, "tie": 1.0}
        )
    winner = best if best.score >= settings.nil_threshold else None
    return Decision((best, *ranked[1:]), winner)


def decide_by_confidence(ranked: list[ScoredCandidate], confidence: float, threshold: float) -> Decision:
    """The learned ranker's decision: link to the best candidate when the confidence that it is
    right reaches ``threshold``, else stay unresolved."""
    if not ranked:
        return Decision()
    return Decision(tuple(ranked), ranked[0] if confidence >= threshold else None, confidence)


def nil_id(name: str) -> str:
    """The id of the unresolved entity for a name: grouped by normalised name across documents."""
    return "nil:" + normalise(name).replace(" ", "-")


def is_unresolved(entity_id: str) -> bool:
    """Whether an entity id names an unresolved entity (see :func:`nil_id`)."""
    return entity_id.startswith("nil:")


def keeps_unresolved(label: str, settings: Settings) -> bool:
    """Whether an unresolved name of this label becomes an unresolved entity (the linked
    labels) rather than an unlinked mention (the soft labels: LOC, FAC …)."""
    return label in settings.linked_labels


def unresolved_entity(name: str, label: str) -> Entity:
    """The unresolved entity a name stands for until it is resolved."""
    return Entity(id=nil_id(name), label=name, type=label, origin="unresolved")
