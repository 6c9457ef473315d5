"""Ranking by hand-weighted features (``linker = "weighted"``), and linking where ranking decides
(fake QIDs from Q999000000 up). The learned ranker is tested in test_link_model.py."""

import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.link import link_document
from kb.link.features import Evidence
from kb.link.ranking import rank_candidates, weighted
from kb.records import Entity, Mention
from kb.settings import Settings
from link_entities import CHARACTER, CITY, MISSILE, PERSON, STATE

WEIGHTED = Settings(linker="weighted")
COUNTRY = Entity(id="Q999000030", qid="Q999000030", label="Examplestan", type="GPE", origin="wikidata")


def kb_with(*entities):
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add(entities)
    return knowledge_base


def test_weighted_mean_respects_weights():
    assert weighted({"a": 1.0, "b": 0.0}, {"a": 3.0, "b": 1.0}) == 0.75
    assert weighted({"a": 1.0}, {}) == 0.0


def text_and_mention(text, surface, label):
    start = text.index(surface)
    return Mention(start, start + len(surface), surface, label)


def test_storm_shadow_in_a_war_story_is_the_missile():
    knowledge_base = kb_with(MISSILE, CHARACTER)
    text = "Ukraine struck the bridge with Storm Shadow cruise missiles launched from the air."
    mention = text_and_mention(text, "Storm Shadow", "PRODUCT")
    [link] = link_document("d", text, [mention], knowledge_base, WEIGHTED).links
    assert link.qid == MISSILE.qid
    assert link.runner_up_id == CHARACTER.id
    assert link.runner_up_score < link.score


def test_too_close_to_call_stays_unresolved():
    knowledge_base = kb_with(CITY, STATE)
    text = "Officials in Washington said nothing."
    mention = text_and_mention(text, "Washington", "GPE")
    [link] = link_document("d", text, [mention], knowledge_base, Settings(linker="weighted", min_margin=0.5)).links
    assert link.qid is None


def test_person_label_picks_the_person_named_washington():
    knowledge_base = kb_with(CITY, STATE, PERSON)
    text = "George Washington crossed the river. Washington then wrote a letter."
    mentions = [text_and_mention(text, "George Washington", "PERSON")]
    start = text.index("Washington then")
    mentions.append(Mention(start, start + 10, "Washington", "GPE"))
    links = link_document("d", text, mentions, knowledge_base, Settings()).links
    assert {link.qid for link in links} == {PERSON.qid}


def test_coherence_prefers_the_entity_related_to_what_the_document_links():
    knowledge_base = kb_with(CITY, STATE, COUNTRY)
    candidates = knowledge_base.candidates("Washington")
    evidence = Evidence(linked_ids=frozenset({COUNTRY.id}))
    ranked = rank_candidates(candidates, "GPE", evidence, knowledge_base, Settings())
    assert ranked[0].candidate.entity_id == CITY.id
    assert ranked[0].features["coherence"] > 0


def test_weights_come_from_the_settings():
    knowledge_base = kb_with(MISSILE, CHARACTER)
    candidates = knowledge_base.candidates("Storm Shadow")
    popular = rank_candidates(candidates, "PRODUCT", Evidence(), knowledge_base, Settings(weights={"prior": 100.0}))
    typed = rank_candidates(candidates, "PRODUCT", Evidence(), knowledge_base, Settings(weights={"type": 100.0}))
    assert popular[0].candidate.entity_id == CHARACTER.id  # the more popular one
    assert typed[0].candidate.entity_id == MISSILE.id  # a product is more like a weapon than a person
