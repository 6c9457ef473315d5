"""The NIL decision: no candidates, a score below the threshold, or a tie stay unresolved."""

import pytest

from kb.link.nil import decide, is_unresolved, keeps_unresolved, nil_id, unresolved_entity
from kb.link.ranking import ScoredCandidate
from kb.records import Candidate
from kb.settings import Settings


def scored(entity_id: str, score: float) -> ScoredCandidate:
    candidate = Candidate(entity_id, entity_id, "Name", "ORG", "", 1.0, "Name", "exact")
    return ScoredCandidate(candidate, score, {"name": 1.0})


def test_no_candidates_is_nil():
    decision = decide([], Settings())
    assert decision.winner is None and decision.best is None and decision.runner_up is None


def test_the_threshold_decides():
    ranked = [scored("Q999000001", 0.45), scored("Q999000002", 0.2)]
    assert decide(ranked, Settings(nil_threshold=0.4)).winner == ranked[0]
    assert decide(ranked, Settings(nil_threshold=0.5)).winner is None
    assert decide([scored("Q999000001", 0.4)], Settings(nil_threshold=0.4)).winner is not None


def test_a_tie_stays_unresolved_and_says_so():
    ranked = [scored("Q999000001", 0.8), scored("Q999000002", 0.79)]
    decision = decide(ranked, Settings(min_margin=0.05))
    assert decision.winner is None
    assert decision.best.score < Settings().nil_threshold and decision.best.features["tie"] == 1.0
    assert decision.runner_up == ranked[1]
    assert decide(ranked, Settings(min_margin=0.005)).winner.candidate.entity_id == "Q999000001"


@pytest.mark.parametrize("name, expected", [("Ada Varga", "nil:ada-varga"), ("ADA  varga", "nil:ada-varga")])
def test_unresolved_names_are_grouped_by_normalised_name(name, expected):
    assert nil_id(name) == expected and is_unresolved(expected)
    assert unresolved_entity(name, "PERSON").id == expected
    assert not is_unresolved("Q999000001")


def test_only_linked_labels_become_unresolved_entities():
    assert keeps_unresolved("PERSON", Settings())
    assert not keeps_unresolved("LOC", Settings())
    assert keeps_unresolved("LOC", Settings(linked_labels=("LOC",)))
