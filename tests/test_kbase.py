"""The KnowledgeBase facade: opening one (the one way), and the fingerprint builds rely on."""

import pytest
import sqlite_utils

import kb as kb_package
from kb.kbase import KnowledgeBase, open_knowledge_base, starter_entities
from kb.kbase.custom import add_custom, map_qid
from kb.records import Entity


def test_open_knowledge_base_from_nothing_a_file_or_a_database(tmp_path):
    starter = len(starter_entities())
    assert open_knowledge_base().db["entities"].count == starter
    path = tmp_path / "kb.db"
    assert open_knowledge_base(path, seed=False).is_empty()
    assert open_knowledge_base(path).db["entities"].count == starter  # seeded when empty
    db = sqlite_utils.Database(memory=True)
    assert open_knowledge_base(db).db is db
    assert KnowledgeBase.open(tmp_path / "other.db").is_empty()  # unseeded by default
    assert kb_package.open_kb(None).db["entities"].count == starter


def test_seeding_leaves_a_loaded_knowledge_base_alone(tmp_path):
    path = tmp_path / "kb.db"
    open_knowledge_base(path, seed=False).add([Entity("x", "X Test", "ORG", origin="custom")])
    assert open_knowledge_base(path).db["entities"].count == 1


def test_a_file_that_is_not_sqlite_is_named(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the tables you are looking for\n" * 100)
    with pytest.raises(ValueError, match="notes.db: not a kb knowledge base"):
        open_knowledge_base(path)


@pytest.fixture
def kb():
    knowledge_base = open_knowledge_base(seed=False)
    add_custom(knowledge_base, {"id": "test-launcher", "label": "Test Launcher", "type": "WEAPON"})
    return knowledge_base


def test_fingerprint_changes_on_every_edit_that_can_change_links(kb):
    seen = {kb.fingerprint()}

    def changed() -> bool:
        now = kb.fingerprint()
        is_new = now not in seen
        seen.add(now)
        return is_new

    map_qid(kb, "test-launcher", "Q999000005")
    assert changed()
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher Mk 2", "type": "WEAPON"})
    assert changed()
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher Mk 2", "type": "WEAPON", "aliases": ["TL-2"]})
    assert changed()
    add_custom(kb, {"id": "test-launcher", "label": "Test Launcher Mk 2", "type": "PRODUCT"})
    assert changed()
    kb.set_override("TL-2", None)
    assert changed()
    kb.add([Entity("Q999000006", "Test Town", "GPE", qid="Q999000006", origin="wikidata", popularity=1)])
    assert changed()
    kb.add([Entity("Q999000006", "Test Town", "GPE", qid="Q999000006", origin="wikidata", popularity=9)])
    assert changed()


def test_fingerprint_ignores_unresolved_entities_and_unchanged_rewrites(kb):
    before = kb.fingerprint()
    kb.add([Entity(id="nil:somebody", label="Somebody", type="PERSON", origin="unresolved", aliases=("Sb",))])
    assert kb.fingerprint() == before
    with kb.db.conn:
        kb.db.execute("DELETE FROM entities WHERE id = 'nil:somebody'")  # what a build's pruning does
    assert kb.fingerprint() == before
    kb.add([kb.get("test-launcher")])  # written again, unchanged
    kb.fill_value_labels()
    assert kb.fingerprint() == before


def test_two_knowledge_bases_never_share_a_fingerprint():
    first, second = open_knowledge_base(seed=False), open_knowledge_base(seed=False)
    assert first.fingerprint() != second.fingerprint()
