"""The learned ranker: the JSON model evaluated in plain Python, its features, its decisions
(fake QIDs from Q999000000 up)."""

import json
import math

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.link import link_document
from kb.link.clusters import build_clusters
from kb.link.candidates import cluster_candidates
from kb.link.model import Logistic, Trees, confidence_features, load_ranker, ranker_from_dict, trees_from_dict
from kb.link.ranking import featurise
from kb.records import Entity, Mention
from kb.settings import Settings

CITY = Entity(
    id="Q999000101", qid="Q999000101", label="Exampleton", type="GPE", origin="wikidata", popularity=1,
    description="city in the north of Examplestan",
)


def kb_with(*entities):
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add(entities)
    return knowledge_base


def test_logistic_is_the_standardised_formula():
    model = Logistic(("a", "b"), (1.0, 0.0), (2.0, 1.0), (0.5, -1.0), 0.25)
    z = 0.25 + 0.5 * (3.0 - 1.0) / 2.0 - 1.0 * 0.5
    assert model.probability({"a": 3.0, "b": 0.5}) == pytest.approx(1 / (1 + math.exp(-z)))
    assert model.probability({}) == pytest.approx(1 / (1 + math.exp(-(0.25 - 0.25))))


def test_trees_add_the_leaf_each_tree_reaches():
    # one stump on "a" at 0.5, one two-level tree on "b" then "a"
    data = {
        "kind": "trees", "features": ["a", "b"], "base": -0.5, "rate": 0.1,
        "trees": [
            [[0, 0.5, 1, 2, 0.0], [-1, 0.0, -1, -1, -1.0], [-1, 0.0, -1, -1, 2.0]],
            [[1, 0.25, 1, 2, 0.0], [-1, 0.0, -1, -1, 0.5], [0, 0.75, 3, 4, 0.0],
             [-1, 0.0, -1, -1, 1.5], [-1, 0.0, -1, -1, -3.0]],
        ],
    }
    model = trees_from_dict(data, "test")
    assert isinstance(ranker_from_dict({"nil_threshold": 0.5, "candidate": data,
                                        "confidence": {"features": [], "mean": [], "scale": [], "coef": [],
                                                       "intercept": 0.0}}).candidate, Trees)
    sigmoid = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert model.probability({"a": 0.9, "b": 0.5}) == pytest.approx(sigmoid(-0.5 + 0.1 * (2.0 - 3.0)))
    assert model.probability({"a": 0.5, "b": 0.5}) == pytest.approx(sigmoid(-0.5 + 0.1 * (-1.0 + 1.5)))
    assert model.probability({}) == pytest.approx(sigmoid(-0.5 + 0.1 * (-1.0 + 0.5)))
    broken = {**data, "trees": [[[5, 0.5, 1, 2, 0.0], [-1, 0.0, -1, -1, 1.0], [-1, 0.0, -1, -1, 1.0]]]}
    with pytest.raises(ValueError, match="test: a tree has a node with no such feature"):
        trees_from_dict(broken, "test")


def test_bad_model_files_are_named(tmp_path):
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps({"nil_threshold": 2}))
    with pytest.raises(ValueError, match="ranker.json: nil_threshold"):
        load_ranker(str(path))
    with pytest.raises(ValueError, match="candidate: not a logistic model"):
        ranker_from_dict({"nil_threshold": 0.5, "candidate": {"features": ["a"]}, "confidence": {}})


def test_the_shipped_model_reads_only_features_kb_computes():
    ranker = load_ranker()
    knowledge_base = kb_with(CITY)
    text = "Exampleton lies on a river."
    clusters = build_clusters([Mention(0, 10, "Exampleton", "GPE")], Settings())
    clusters[0].candidates = cluster_candidates(clusters[0], knowledge_base, Settings())
    featurise(clusters, text, knowledge_base, Settings())
    computed = set(clusters[0].features[0])
    assert set(ranker.candidate.names) <= computed
    assert set(ranker.confidence.names) == set(confidence_features(0.5, 0.4, 2))
    assert 0.0 <= ranker.nil_threshold <= 1.0


def test_a_better_best_candidate_is_more_confident():
    confidence = load_ranker().confidence
    for runner_up in (None, 0.05):
        strong = confidence.probability(confidence_features(0.95, runner_up, 2 if runner_up else 1))
        weak = confidence.probability(confidence_features(0.30, runner_up, 2 if runner_up else 1))
        assert strong > weak


def place_probability(text):
    knowledge_base = kb_with(CITY)
    start = text.index("Exampleton")
    clusters = build_clusters([Mention(start, start + 10, "Exampleton", "GPE")], Settings())
    clusters[0].candidates = cluster_candidates(clusters[0], knowledge_base, Settings())
    featurise(clusters, text, knowledge_base, Settings())
    return clusters[0].features[0], load_ranker().candidate.probability(clusters[0].features[0])


def test_a_place_name_in_a_sports_story_is_less_likely_the_place():
    neutral, p_neutral = place_probability("The museum of Exampleton opened a new wing near the river.")
    sport, p_sport = place_probability("Exampleton won 3-1 at home, and the coach praised the striker.")
    assert neutral["sport_place"] == 0.0 and sport["sport_place"] == 1.0
    assert p_sport < p_neutral


def test_links_carry_the_confidence_as_score():
    knowledge_base = kb_with(CITY)
    text = "Exampleton lies on a river."
    [link] = link_document("d", text, [Mention(0, 10, "Exampleton", "GPE")], knowledge_base, Settings()).links
    assert 0.0 <= link.score <= 1.0
    assert (link.qid is not None) == (link.score >= load_ranker().nil_threshold)
