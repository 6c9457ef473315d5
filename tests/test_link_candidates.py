"""Candidate lookup for clusters: the settings that bound it, the fallback to other surfaces."""

import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.link.candidates import cluster_candidates, linkable, lookup, most_popular
from kb.link.clusters import Cluster
from kb.records import Entity, Mention
from kb.settings import Settings

HARBOUR = Entity(id="Q999000100", qid="Q999000100", label="Vantaa Harbour Authority", type="ORG", popularity=5)
ISLAND = Entity(id="Q999000101", qid="Q999000101", label="Korvensaari", type="GPE", popularity=3)
ISLAND_CLUB = Entity(id="Q999000102", qid="Q999000102", label="Korvensaari", type="ORG", popularity=9)


def kb_with(*entities):
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add(entities)
    return knowledge_base


def test_soft_labels_are_linkable_and_a_setting():
    assert linkable(Mention(0, 4, "Alps", "LOC"), Settings())
    assert not linkable(Mention(0, 4, "Alps", "LOC"), Settings(soft_labels=()))
    assert not linkable(Mention(0, 6, "Monday", "DATE"), Settings())


def test_fuzzy_lookup_follows_the_settings():
    knowledge_base = kb_with(ISLAND)
    assert [c.entity_id for c in lookup("Korvensari", knowledge_base, Settings())] == [ISLAND.id]
    assert lookup("Korvensari", knowledge_base, Settings(fuzzy_threshold=99.0)) == []
    assert lookup("Korvensari", knowledge_base, Settings(fuzzy_min_length=11)) == []
    assert lookup("Korvensari", knowledge_base, Settings(fuzzy_rows=1)) != []  # the one alias is in range
    assert lookup("Xorvensaari", knowledge_base, Settings(fuzzy_prefix=1)) == []  # another first letter


def test_max_candidates_bounds_the_lookup():
    knowledge_base = kb_with(ISLAND, ISLAND_CLUB)
    assert len(lookup("Korvensaari", knowledge_base, Settings())) == 2
    assert len(lookup("Korvensaari", knowledge_base, Settings(max_candidates=1))) == 1


def test_a_cluster_falls_back_to_its_other_surfaces_when_they_are_names():
    knowledge_base = kb_with(HARBOUR)
    mentions = [
        Mention(0, 31, "the new Vantaa Harbour Authority", "ORG"),
        Mention(40, 64, "Vantaa Harbour Authority", "ORG"),
        Mention(70, 73, "VHA", "ORG"),
    ]
    cluster = Cluster(mentions, mentions[0].text, "ORG")
    assert [c.entity_id for c in cluster_candidates(cluster, knowledge_base, Settings())] == [HARBOUR.id]
    assert cluster_candidates(cluster, knowledge_base, Settings(fallback_min_length=30)) == []


def test_an_acronym_alone_is_no_fallback():
    knowledge_base = kb_with(Entity(id="Q999000103", qid="Q999000103", label="VHA", type="ORG"))
    mentions = [Mention(0, 17, "Vantaa Harbourage", "ORG"), Mention(20, 23, "VHA", "ORG")]
    assert cluster_candidates(Cluster(mentions, mentions[0].text, "ORG"), knowledge_base, Settings()) == []


def test_the_prior_baseline_picks_the_most_popular():
    knowledge_base = kb_with(ISLAND, ISLAND_CLUB)
    assert most_popular(Mention(0, 11, "Korvensaari", "GPE"), knowledge_base, Settings()).entity_id == ISLAND_CLUB.id
    assert most_popular(Mention(0, 7, "Nowhere", "GPE"), knowledge_base, Settings()) is None


def test_a_person_named_by_surname_alone_gets_the_people_of_that_surname():
    person = Entity(id="Q999000103", qid="Q999000103", label="Aino Korvensaari", type="PERSON", popularity=4)
    knowledge_base = kb_with(ISLAND, person)
    lone = Mention(0, 6, "Harjus", "PERSON")
    knowledge_base.add([Entity(id="Q999000104", qid="Q999000104", label="Eero Harjus", type="PERSON")])
    found = cluster_candidates(Cluster([lone], "Harjus", "PERSON"), knowledge_base, Settings())
    assert [(c.entity_id, c.match) for c in found] == [("Q999000104", "surname")]
    # a name that is an alias keeps its own candidates; a place name gets no surname lookup
    named = Mention(0, 11, "Korvensaari", "PERSON")
    assert [c.match for c in cluster_candidates(Cluster([named], "Korvensaari", "PERSON"), knowledge_base, Settings())] == ["exact"]
    place = Mention(0, 6, "Harjus", "GPE")
    assert cluster_candidates(Cluster([place], "Harjus", "GPE"), knowledge_base, Settings()) == []
