"""Disambiguation features, on hand-made candidates (fake QIDs from Q999000000 up)."""

import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.records import Candidate
from kb.link.features import Evidence, coherence, content_words, context_overlap, name_match, type_fit
from kb.settings import Settings
from link_entities import CHARACTER, MISSILE



def kb_with(*entities):
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add(entities)
    return knowledge_base


def test_type_fit_is_graded():
    mixed = Settings().confusable_fit
    assert type_fit("GPE", "GPE", mixed) == 1.0
    assert 0 < type_fit("GPE", "LOC", mixed) < 1
    assert type_fit("PERSON", "OTHER", mixed) == 0.5  # unknown type: no evidence either way
    assert 0 < type_fit("PERSON", "ORG", mixed) < type_fit("GPE", "LOC", mixed)  # a common NER confusion
    assert type_fit("PERSON", "WEAPON", mixed) < type_fit("PERSON", "ORG", mixed)
    assert type_fit("WORK_OF_ART", "GPE", mixed) == 0.0
    assert type_fit("PERSON", "ORG", 0.6) == 0.6


def test_context_counts_description_words_found_in_the_document():
    knowledge_base = kb_with(MISSILE, CHARACTER)
    [missile] = [c for c in knowledge_base.candidates("Storm Shadow") if c.entity_id == MISSILE.id]
    document = content_words("Kyiv fired cruise missiles launched from the air at a bridge.")
    assert context_overlap(missile, document) > 0.5
    assert context_overlap(missile, content_words("A comic about ninjas.")) == 0.0


def candidate(match, alias="Examplestan", similarity=1.0, entity_id="Q999000030"):
    return Candidate(entity_id, entity_id, "Examplestan", "GPE", "", 1.0, alias, match, similarity)


def test_name_match_prefers_the_label_then_aliases_variants_and_fuzzy():
    settings = Settings()
    assert name_match(candidate("exact"), settings) == 1.0
    assert name_match(candidate("exact", alias="Exampleland"), settings) == 1.0 - settings.alias_penalty
    assert name_match(candidate("variant"), settings) == settings.variant_match
    assert name_match(candidate("fuzzy", similarity=0.96), settings) == 0.96 - settings.fuzzy_discount
    assert name_match(candidate("fuzzy", similarity=0.96), Settings(fuzzy_discount=0.0)) == 0.96


def test_coherence_counts_claims_both_ways():
    examplestan = candidate("exact")
    assert coherence(examplestan, {"Q999000040"}, Evidence()) == 0.0  # nothing linked yet
    one_way = Evidence(linked_ids=frozenset({"Q999000040"}))
    assert coherence(examplestan, {"Q999000040"}, one_way) == 0.5
    both_ways = Evidence(linked_ids=frozenset({"Q999000040"}), linked_related=frozenset({"Q999000030"}))
    assert coherence(examplestan, {"Q999000040"}, both_ways) == 1.0
