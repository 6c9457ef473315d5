"""Writing entities: whole rewrites, merges of one QID, value labels, and the published copies."""

import pytest
import sqlite_utils

from kb import store
from kb.kbase import KnowledgeBase, copy_entities, write_entities
from kb.records import Claim, Document, Entity, Link, Mention

ALLIANCE = Entity(
    id="northwind", qid="Q999000501", label="Northwind Alliance", type="ORG", origin="starter",
    aliases=("Northwind", "NWA"), description="military alliance (test entity)", popularity=60,
)
CITY = Entity(
    id="Q999000502", qid="Q999000502", label="Tarvia City", type="GPE", origin="wikidata",
    aliases=("Tarvia",), popularity=10, claims=(Claim("P17", "Q999000503", "Tarvia"),),
)


@pytest.fixture
def kb():
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add([ALLIANCE, CITY])
    return knowledge_base


def test_a_second_record_of_the_same_qid_merges_into_the_first(kb):
    dump_record = Entity(
        id="Q999000501", qid="Q999000501", label="Northwind Treaty Organization", type="ORG",
        origin="wikidata", aliases=("NTO",), popularity=120, claims=(Claim("P31", "Q999000600"),),
    )
    kb.add([dump_record])
    assert kb.db["entities"].count == 2
    merged = kb.get("Q999000501")
    assert (merged.id, merged.label, merged.origin, merged.popularity) == ("northwind", "Northwind Alliance", "starter", 120)
    assert {"NTO", "Northwind Treaty Organization", "NWA"} <= set(merged.aliases)
    assert merged.claims == (Claim("P31", "Q999000600", None),)


def test_two_records_of_one_qid_in_one_batch_merge(kb):
    first = Entity("east", "East Test", "ORG", qid="Q999000700", origin="custom")
    second = Entity("Q999000700", "East Test Org", "ORG", qid="Q999000700", origin="wikidata", aliases=("ETO",))
    assert kb.add([first, second]) == 2
    assert kb.get("Q999000700").id == "east"
    assert {"East Test Org", "ETO"} <= set(kb.get("east").aliases)
    assert kb.db["entities"].count == 3


def test_rewriting_an_entity_replaces_its_aliases_and_claims(kb):
    kb.add([Entity(id="Q999000502", qid="Q999000502", label="Tarvia City", type="GPE", origin="wikidata")])
    assert kb.candidates("Tarvia") == []
    assert kb.get("Q999000502").claims == ()


def test_value_labels_are_filled_from_the_knowledge_base(kb):
    kb.add([Entity("Q999000503", "Tarvia Republic", "GPE", qid="Q999000503", origin="wikidata",
                   claims=(Claim("P36", "Q999000502"),))])
    assert kb.fill_value_labels() == 1
    assert kb.get("Q999000503").claims == (Claim("P36", "Q999000502", "Tarvia City"),)


# --- the published copies in an output database (kb build --kb FILE) ----------------------------


def output_db():
    db = sqlite_utils.Database(memory=True)
    store.ensure_schema(db)
    return db


def publish(db, entity):
    mention = Mention(0, len(entity.label), entity.label, entity.type)
    link = Link(mention, entity.id, entity.qid, entity.label, entity.type, 0.9)
    with db.conn:
        store.write_document(db, Document("d1", entity.label, content_hash="h1"), [link], [], [entity], "sig")


def test_edits_of_a_separate_knowledge_base_reach_the_published_copy():
    db = output_db()
    launcher = Entity("test-launcher", "Test Launcher", "WEAPON", origin="custom", aliases=("TL-1",))
    publish(db, launcher)
    edited = Entity("test-launcher", "Test Launcher Mk 2", "WEAPON", qid="Q999000005", origin="custom",
                    aliases=("TL-2",))
    publish(db, edited)
    row = db["entities"].get("test-launcher")
    assert (row["label"], row["qid"]) == ("Test Launcher Mk 2", "Q999000005")
    assert {r["alias"] for r in db["aliases"].rows_where("entity_id = ?", ["test-launcher"])} == {
        "Test Launcher Mk 2", "TL-2",
    }


def test_a_stale_copy_gives_up_its_qid():
    db = output_db()
    write_entities(db, [Entity("old-id", "Test Launcher", "WEAPON", qid="Q999000005", origin="custom")])
    copy_entities(db, [Entity("new-id", "Test Launcher", "WEAPON", qid="Q999000005", origin="custom")])
    assert db["entities"].get("new-id")["qid"] == "Q999000005"
    assert db["entities"].get("old-id")["qid"] is None


def test_unresolved_entities_never_overwrite_a_published_entity():
    db = output_db()
    mapped = Entity("nil:test-launcher", "Test Launcher", "WEAPON", qid="Q999000005", origin="custom")
    write_entities(db, [mapped])
    again = Entity("nil:test-launcher", "Test Launcher", "WEAPON", origin="unresolved")
    assert copy_entities(db, [again]) == 0
    assert db["entities"].get("nil:test-launcher")["qid"] == "Q999000005"
