"""Reading the knowledge base: candidate tiers, what candidates carry, overrides, ruler names."""

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.records import Claim, Entity

ALLIANCE = Entity(
    id="northwind", qid="Q999000501", label="Northwind Alliance", type="ORG", origin="starter",
    aliases=("Northwind", "NWA"), description="military alliance (test entity)", popularity=60,
)
MINISTER = Entity(
    id="anna-zelenska", label="Anna Zelenskyy-Testova", type="PERSON", origin="custom",
    aliases=("Zelenskyy-Testova",), description="minister (test entity)",
)
CITY = Entity(
    id="Q999000502", qid="Q999000502", label="Tarvia City", type="GPE", origin="wikidata",
    aliases=("Tarvia",), popularity=10, claims=(Claim("P17", "Q999000503", "Tarvia"),),
)


@pytest.fixture
def kb():
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add([ALLIANCE, MINISTER, CITY])
    return knowledge_base


def test_exact_then_variant_then_loose_then_fuzzy(kb):
    assert [(c.entity_id, c.match) for c in kb.candidates("NORTHWIND")] == [("northwind", "exact")]
    assert [(c.entity_id, c.match) for c in kb.candidates("Northwind’s")] == [("northwind", "variant")]
    assert [(c.entity_id, c.match) for c in kb.candidates("Zelenskiy-Testova")] == [("anna-zelenska", "variant")]
    fuzzy = kb.candidates("Northwind Aliance")
    assert [(c.entity_id, c.match) for c in fuzzy] == [("northwind", "fuzzy")]
    assert 0.9 < fuzzy[0].similarity < 1
    assert kb.candidates("Nowhere at all") == []
    assert kb.candidates("Northwind Alliances") != []  # a plural: a variant
    assert kb.candidates("Northwind Alliancer") == []  # another word form, not a misspelling


def test_candidates_carry_what_scoring_needs(kb):
    [city] = kb.candidates("Tarvia")
    assert (city.qid, city.type, city.popularity, city.origin, city.statements) == (
        "Q999000502", "GPE", 10, "wikidata", 1,
    )


def test_unresolved_entities_are_never_candidates(kb):
    # A build stores "nil:…" entities for names nothing matched; another document must not link
    # to them (its links would depend on which documents were built before it).
    kb.add([
        Entity(id="nil:tarvia-harbour", label="Tarvia Harbour", type="LOC", origin="unresolved"),
        Entity(id="nil:northwind-aliance", label="Northwind Aliance", type="ORG", origin="unresolved"),
    ])
    assert kb.candidates("Tarvia Harbour") == []
    assert [c.entity_id for c in kb.candidates("Northwind Aliance")] == ["northwind"]  # fuzzy, not the NIL
    assert not kb.has_name("Tarvia Harbour")
    assert kb.get("nil:tarvia-harbour").origin == "unresolved"  # still readable by id


def test_override_in_one_document_wins_over_the_global_one(kb):
    kb.set_override("Northwind", None)
    kb.set_override("Northwind", "northwind", document_id="doc-1")
    assert kb.override("doc-1", "northwind") == (True, "northwind")
    assert kb.override("doc-2", "Northwind") == (True, None)
    assert kb.override("doc-2", "Tarvia") == (False, None)


def test_article_belongs_to_a_name_only_when_the_bare_name_is_unknown():
    kb = KnowledgeBase(sqlite_utils.Database(memory=True))
    kb.add([
        Entity(id="times", label="The Times", type="ORG"),
        Entity(id="kremlin", label="Kremlin", aliases=("the Kremlin",), type="ORG"),
    ])
    assert kb.keeps_article("The Times")
    assert not kb.keeps_article("the Kremlin")


def test_ruler_names_are_curated_and_popular_names_multi_word(kb):
    assert {alias for alias, _, _ in kb.ruler_names()} == {
        "Northwind Alliance", "Northwind", "NWA", "Anna Zelenskyy-Testova", "Zelenskyy-Testova",
    }
    assert kb.popular_names(10, ("GPE",)) == [("Tarvia City", "GPE", "Q999000502")]
    assert kb.popular_names(0, ("GPE",)) == []


def test_get_finds_by_id_or_qid_and_related_lists_claim_values(kb):
    assert kb.get("Q999000501").id == "northwind"
    assert kb.get("Q999000502").claims == (Claim("P17", "Q999000503", "Tarvia"),)
    assert kb.get("nobody") is None
    assert kb.related("Q999000502") == {"Q999000503"}


def test_a_lone_surname_finds_the_people_it_ends_the_name_of():
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add([
        Entity(id="Q999000511", qid="Q999000511", label="Oskar Vellamo", type="PERSON", popularity=40),
        Entity(id="Q999000512", qid="Q999000512", label="Liisa Vellamo", type="PERSON", popularity=90),
        Entity(id="Q999000513", qid="Q999000513", label="Port Vellamo", type="GPE", popularity=99),
        Entity(id="Q999000514", qid="Q999000514", label="Vellamonen Aho", type="PERSON", popularity=99),
    ])
    found = knowledge_base.surname_candidates("Vellamo")
    assert [c.entity_id for c in found] == ["Q999000512", "Q999000511"]  # people only, most popular first
    assert {c.match for c in found} == {"surname"}
    assert knowledge_base.surname_candidates("Vellamo", limit=1)[0].entity_id == "Q999000512"
    assert knowledge_base.surname_candidates("Oskar Vellamo") == []  # one word only
    assert knowledge_base.surname_candidates("Vell%") == []


def test_a_company_named_without_its_suffix_finds_the_suffixed_alias():
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add([Entity(id="Q999000521", qid="Q999000521", label="Harjuvaara & Co.", type="ORG")])
    found = knowledge_base.candidates("Harjuvaara")
    assert [(c.entity_id, c.match) for c in found] == [("Q999000521", "variant")]
    assert knowledge_base.candidates("Harjuvaara Inc") == []  # a suffix is never swapped for another


def test_surname_candidates_are_found_through_the_last_word_index(tmp_path):
    from kb.kbase import KnowledgeBase
    from kb.kbase.schema import LAST_WORD
    from kb.records import Entity

    knowledge_base = KnowledgeBase.open(tmp_path / "kb.db")
    knowledge_base.add([
        Entity("p1", "Ilse Marta Brandvold", "PERSON", qid="Q999000301"),
        Entity("p2", "Brandvold", "PERSON", qid="Q999000302"),  # one word: no surname of anyone
        Entity("o1", "Brandvold Shipping", "ORG", qid="Q999000303"),
        Entity("p3", "Jon Brandvoldsen", "PERSON", qid="Q999000304"),
    ])
    assert [c.entity_id for c in knowledge_base.surname_candidates("Brandvold")] == ["p1"]
    plan = knowledge_base.db.execute(
        f"EXPLAIN QUERY PLAN SELECT 1 FROM aliases a WHERE {LAST_WORD.format(column='a.norm')} = ?", ("x",)
    ).fetchall()
    assert any("idx_aliases_last_word" in row[-1] for row in plan)
