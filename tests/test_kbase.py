"""The knowledge base: entity files, writes and merges, candidate lookup, overrides."""

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase, read_entities_file
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


def test_a_second_record_of_the_same_qid_merges_into_the_first(kb):
    dump_record = Entity(
        id="Q999000501", qid="Q999000501", label="Northwind Treaty Organization", type="ORG",
        origin="wikidata", aliases=("NTO",), popularity=120, claims=(Claim("P31", "Q999000600"),),
    )
    kb.add([dump_record])
    assert kb.db["entities"].count == 3
    merged = kb.get("Q999000501")
    assert (merged.id, merged.label, merged.origin, merged.popularity) == ("northwind", "Northwind Alliance", "starter", 120)
    assert {"NTO", "Northwind Treaty Organization", "NWA"} <= set(merged.aliases)
    assert merged.claims == (Claim("P31", "Q999000600", None),)


def test_rewriting_an_entity_replaces_its_aliases(kb):
    kb.add([Entity(id="Q999000502", qid="Q999000502", label="Tarvia City", type="GPE", origin="wikidata")])
    assert kb.candidates("Tarvia") == []


def test_override_in_one_document_wins_over_the_global_one(kb):
    kb.set_override("Northwind", None)
    kb.set_override("Northwind", "northwind", document_id="doc-1")
    assert kb.override("doc-1", "northwind") == (True, "northwind")
    assert kb.override("doc-2", "Northwind") == (True, None)
    assert kb.override("doc-2", "Tarvia") == (False, None)


def test_fingerprint_ignores_unresolved_entities_but_sees_real_changes(kb):
    before = kb.fingerprint()
    kb.add([Entity(id="nil:somebody", label="Somebody", type="PERSON", origin="unresolved")])
    assert kb.fingerprint() == before
    kb.set_override("Tarvia", None)
    assert kb.fingerprint() != before


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


@pytest.mark.parametrize(
    "content, suffix, message",
    [
        ("- {id: a, label: A}\n", ".yaml", "entry 1: missing type"),
        ("- {id: a, label: A, type: SHIP}\n", ".yaml", "type 'SHIP' is not one of"),
        ("- {id: a, label: A, type: ORG, qid: 7184}\n", ".yaml", "is not a Wikidata QID"),
        ("- {id: a, label: A, type: ORG}\n- {id: a, label: B, type: ORG}\n", ".yaml", "duplicate ids: a"),
        ("id,label,type\na,A,\n", ".csv", "entities.csv:2: missing type"),
        ("[1, 2", ".json", "not valid JSON"),
    ],
)
def test_bad_entity_files_name_the_file_and_entry(tmp_path, content, suffix, message):
    path = tmp_path / f"entities{suffix}"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        read_entities_file(path)


def test_csv_aliases_are_separated_by_bars(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text("id,label,type,aliases,qid\n3rd-brigade,3rd Assault Brigade,ORG,3rd Assault|Third Assault,\n")
    [entity] = read_entities_file(path)
    assert (entity.aliases, entity.qid, entity.origin) == (("3rd Assault", "Third Assault"), None, "custom")
