"""The one QID rule and the QID queries."""

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase, is_qid, wikidata_url
from kb.records import Entity
from kb.wikidata.entity import entity_from_json


@pytest.mark.parametrize("value", ["Q5", "Q7184", "Q999000001"])
def test_qids(value):
    assert is_qid(value)


@pytest.mark.parametrize("value", ["Q0", "Q0999000001", "q7184", "Q", "7184", "Q-7184", "Q999000001a", " Q7184", "", None, 7184])
def test_not_qids(value):
    assert not is_qid(value)


def test_the_wikidata_importer_applies_the_same_rule():
    with pytest.raises(ValueError, match="not a Wikidata item"):
        entity_from_json({"id": "Q0", "labels": {}})


def test_has_qid_holder_and_known_qids():
    kb = KnowledgeBase(sqlite_utils.Database(memory=True))
    kb.add([
        Entity("north", "North Test", "ORG", qid="Q999000001"),
        Entity("south", "South Test", "ORG"),
    ])
    assert kb.has_qid("Q999000001") and not kb.has_qid("Q999000002")
    assert kb.qid_holder("Q999000001") == "north"
    assert kb.qid_holder("Q999000001", other_than="north") is None
    assert kb.known_qids(["Q999000001", "Q999000002"]) == {"Q999000001"}
    assert kb.get("north").qid == "Q999000001"
    assert wikidata_url("Q999000001") == "https://www.wikidata.org/wiki/Q999000001"
    assert wikidata_url(None) is None
