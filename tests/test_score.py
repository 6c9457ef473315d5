"""Disambiguation features and ranking, on hand-made candidates (fake QIDs from Q999000000 up)."""

import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.link import link_document
from kb.records import Claim, Entity, Mention
from kb.link.score import content_words, context_overlap, rank_candidates, type_fit, weighted
from kb.settings import Settings

MISSILE = Entity(
    id="Q999000010", qid="Q999000010", label="Storm Shadow", type="WEAPON", origin="wikidata",
    description="Anglo-French air-launched cruise missile", popularity=40,
)
CHARACTER = Entity(
    id="Q999000011", qid="Q999000011", label="Storm Shadow", type="PERSON", origin="wikidata",
    description="fictional ninja character in a comic book and toy line", popularity=45,
)
CITY = Entity(
    id="Q999000020", qid="Q999000020", label="Washington, D.C.", aliases=("Washington",), type="GPE",
    origin="wikidata", description="capital city of the United States", popularity=50,
    claims=(Claim("P17", "Q999000030"),),
)
STATE = Entity(
    id="Q999000021", qid="Q999000021", label="Washington", type="GPE", origin="wikidata",
    description="state in the Pacific Northwest of the United States", popularity=50,
)
PERSON = Entity(
    id="Q999000022", qid="Q999000022", label="George Washington", aliases=("Washington",), type="PERSON",
    origin="wikidata", description="first president of the United States", popularity=50,
)
COUNTRY = Entity(id="Q999000030", qid="Q999000030", label="Examplestan", type="GPE", origin="wikidata")


def kb_with(*entities):
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add(entities)
    return knowledge_base


def test_type_fit_is_graded():
    assert type_fit("GPE", "GPE") == 1.0
    assert 0 < type_fit("GPE", "LOC") < 1
    assert type_fit("PERSON", "OTHER") == 0.5  # unknown type: no evidence either way
    assert 0 < type_fit("PERSON", "ORG") < type_fit("GPE", "LOC")  # a common NER confusion
    assert type_fit("PERSON", "WEAPON") < type_fit("PERSON", "ORG")
    assert type_fit("WORK_OF_ART", "GPE") == 0.0


def test_context_counts_description_words_found_in_the_document():
    knowledge_base = kb_with(MISSILE, CHARACTER)
    [missile] = [c for c in knowledge_base.candidates("Storm Shadow") if c.entity_id == MISSILE.id]
    document = content_words("Kyiv fired cruise missiles launched from the air at a bridge.")
    assert context_overlap(missile, document) > 0.5
    assert context_overlap(missile, content_words("A comic about ninjas.")) == 0.0


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
    [link] = link_document("d", text, [mention], knowledge_base, Settings()).links
    assert link.qid == MISSILE.qid
    assert link.runner_up_id == CHARACTER.id
    assert link.runner_up_score < link.score


def test_too_close_to_call_stays_unresolved():
    knowledge_base = kb_with(CITY, STATE)
    text = "Officials in Washington said nothing."
    mention = text_and_mention(text, "Washington", "GPE")
    [link] = link_document("d", text, [mention], knowledge_base, Settings(min_margin=0.5)).links
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
    ranked = rank_candidates(candidates, "GPE", frozenset(), {COUNTRY.id}, knowledge_base, Settings())
    assert ranked[0].candidate.entity_id == CITY.id
    assert ranked[0].features["coherence"] > 0
