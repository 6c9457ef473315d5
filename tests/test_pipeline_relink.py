"""After a knowledge-base edit, a build relinks exactly the documents that can see it, and ends
with the rows a fresh build with the edited knowledge base writes (loads spaCy: slow)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from kb import pipeline
from kb.kbase import KnowledgeBase, read_entities_file
from kb.pipeline import build, resolve
from kb.records import Entity
from kb.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.slow

ARTICLES = {
    "a": "Peskov said the Kremlin would answer soon. Dmitry Peskov later spoke to LBC about it.",
    "b": "Reuters reported from Moscow that the ministers would meet again on Tuesday.",
    "c": "Officials of Ostrava Copperworks met the mayor of Moscow to discuss the new smelter.",
    "d": "The weather stayed mild all week, the harbour master said on Friday.",
    "e": "Whitfield told the harbour council on Monday that the ferry would run again.",
    "f": "Shares of Tallow Foundry rose on Tuesday, the company said.",
}
MENTION_COLUMNS = 'document_id, start, "end", text, label, entity_id, score, runner_up_id, runner_up_score, sentence, source'


@pytest.fixture
def inputs(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in ARTICLES.items()))
    return path


@pytest.fixture
def kb_file(tmp_path):
    path = tmp_path / "mini-kb.db"
    KnowledgeBase.open(path).add(read_entities_file(FIXTURES / "mini_kb.yaml", origin="starter"))
    return path


#: The entities the mentions point to. (Builds add published copies of knowledge-base entities
#: and never remove them: a copy no mention points to any more stays, relinked or rebuilt.)
NAMED = "SELECT entity_id FROM mentions UNION SELECT runner_up_id FROM mentions"


def rows(db_path: Path) -> dict[str, list[tuple]]:
    """What a build writes that must not depend on how it got there (no timestamps, row ids or
    knowledge-base versions)."""
    db = sqlite_utils.Database(db_path)
    return {
        "documents": db.execute("SELECT id, text, content_hash FROM documents ORDER BY id").fetchall(),
        "mentions": db.execute(f"SELECT {MENTION_COLUMNS} FROM mentions ORDER BY 1, 2, 3").fetchall(),
        "co_mentions": db.execute("SELECT * FROM co_mentions ORDER BY 1, 2").fetchall(),
        "entities": db.execute(
            f"SELECT id, qid, label, type, origin FROM entities WHERE id IN ({NAMED}) ORDER BY id"
        ).fetchall(),
        "aliases": db.execute(
            f"SELECT entity_id, alias FROM aliases WHERE entity_id IN ({NAMED}) ORDER BY 1, 2"
        ).fetchall(),
        "claims": db.execute(
            f"SELECT entity_id, property, value FROM claims WHERE entity_id IN ({NAMED}) ORDER BY 1, 2, 3"
        ).fetchall(),
    }


def no_model(*args, **kwargs):
    raise AssertionError("the NER model was loaded although no document can see the edit")


def map_peskov(kb: KnowledgeBase) -> None:
    kb.set_qid("dmitry-peskov", "Q999000201", "custom")


def add_copperworks(kb: KnowledgeBase) -> None:
    kb.add([Entity("ostrava-copperworks", "Ostrava Copperworks", "ORG", qid="Q999000202", origin="custom")])


def alias_for_lbc(kb: KnowledgeBase) -> None:
    lbc = kb.get("lbc")
    kb.add([Entity(lbc.id, lbc.label, lbc.type, description=lbc.description, origin=lbc.origin,
                   aliases=("Leading Britain's Conversation",))])


def rename_lbc(kb: KnowledgeBase) -> None:
    lbc = kb.get("lbc")
    kb.add([Entity(lbc.id, "LBC radio", lbc.type, description=lbc.description, origin=lbc.origin, aliases=("LBC",))])


def describe_kremlin(kb: KnowledgeBase) -> None:
    kb.db.execute("UPDATE entities SET description = 'fortified complex in central Moscow' WHERE id = 'kremlin'")


def add_a_whitfield(kb: KnowledgeBase) -> None:
    """A person the lone surname of "e" may name (a surname candidate)."""
    kb.add([Entity("corran-whitfield", "Corran Whitfield", "PERSON", qid="Q999000203", origin="custom")])


def add_the_foundry_with_its_suffix(kb: KnowledgeBase) -> None:
    """A company known only with its suffix, which "f" names without it."""
    kb.add([Entity("tallow-foundry", "Tallow Foundry Inc.", "ORG", qid="Q999000204", origin="custom")])


def never_link_reuters(kb: KnowledgeBase) -> None:
    kb.set_override("Reuters", None)


def never_link_moscow_in_c(kb: KnowledgeBase) -> None:
    kb.set_override("Moscow", None, document_id="c")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (map_peskov, {"a"}),
        (add_copperworks, {"c"}),
        (alias_for_lbc, {"a"}),
        (rename_lbc, {"a"}),
        (describe_kremlin, {"a"}),
        (never_link_reuters, {"b"}),
        (never_link_moscow_in_c, {"c"}),
        (add_a_whitfield, {"e"}),
        (add_the_foundry_with_its_suffix, {"f"}),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_an_edit_relinks_exactly_the_documents_that_can_see_it(tmp_path, inputs, kb_file, edit, expected):
    db_path = tmp_path / "out.db"
    build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    before = {row[0]: row[1:] for row in rows(db_path)["mentions"]}
    edit(KnowledgeBase.open(kb_file))

    report = build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (report.processed, report.unchanged) == (len(expected), len(ARTICLES) - len(expected))

    fresh = tmp_path / "fresh.db"
    build([inputs], fresh, Settings(), kb_path=kb_file, progress=False)
    assert rows(db_path) == rows(fresh)
    after = {row[0]: row[1:] for row in rows(db_path)["mentions"]}
    assert {d for d in ARTICLES if after.get(d) != before.get(d)} <= expected
    # Every document now carries the new signature: the next build has nothing to do.
    again = build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (again.processed, again.unchanged) == (0, len(ARTICLES))


def test_the_edit_changes_the_links_of_the_relinked_document(tmp_path, inputs, kb_file):
    db_path = tmp_path / "out.db"
    build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    map_peskov(KnowledgeBase.open(kb_file))
    build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    qids = sqlite_utils.Database(db_path).execute(
        "SELECT DISTINCT e.qid FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.text LIKE '%Peskov'"
    ).fetchall()
    assert qids == [("Q999000201",)]


def test_an_edit_no_document_can_see_relinks_nothing_and_loads_no_model(tmp_path, inputs, kb_file, monkeypatch):
    db_path = tmp_path / "out.db"
    build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    before = rows(db_path)
    KnowledgeBase.open(kb_file).add([Entity("zanzibar-trust", "Zanzibar Tidewater Trust", "ORG", origin="custom")])
    monkeypatch.setattr(pipeline, "make_nlp", no_model)
    report = build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (report.processed, report.unchanged) == (0, len(ARTICLES))
    assert rows(db_path) == before


def test_resolve_after_an_edit_relinks_only_the_documents_that_see_it(tmp_path, inputs, kb_file):
    db_path = tmp_path / "out.db"
    build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    unresolved = sqlite_utils.Database(db_path).execute(
        "SELECT DISTINCT document_id FROM mentions WHERE entity_id LIKE 'nil:%'"
    ).fetchall()
    assert unresolved == [("c",), ("e",), ("f",)]
    map_peskov(KnowledgeBase.open(kb_file))
    # c's, e's and f's unresolved names are none of the edit's: relinking them offline could not
    # resolve them.
    assert resolve(db_path, Settings(), kb_path=kb_file, progress=False).processed == 1
    add_copperworks(KnowledgeBase.open(kb_file))
    assert resolve(db_path, Settings(), kb_path=kb_file, progress=False).processed == 1
    linked = sqlite_utils.Database(db_path).execute(
        "SELECT DISTINCT document_id FROM mentions WHERE entity_id = 'ostrava-copperworks'"
    ).fetchall()
    assert linked == [("c",)]


def test_the_knowledge_base_in_the_output_database_relinks_only_what_can_see_the_edit(tmp_path, inputs):
    db_path = tmp_path / "out.db"
    build([inputs], db_path, Settings(), progress=False)
    kb = KnowledgeBase.open(db_path)
    built = kb.fingerprint()
    kb.add([Entity("ostrava-copperworks", "Ostrava Copperworks", "ORG", origin="custom")])
    report = build([inputs], db_path, Settings(), progress=False)
    assert (report.processed, report.unchanged) == (1, len(ARTICLES) - 1)
    linked = kb.db.execute("SELECT document_id FROM mentions WHERE entity_id = 'ostrava-copperworks'").fetchall()
    assert linked == [("c",)]
    # After the next edit, the next build forgets the notes no document needs any more.
    edited = kb.fingerprint()
    map_peskov(kb)
    assert build([inputs], db_path, Settings(), progress=False).processed == 1
    assert kb.changes_since(built) is None
    assert kb.changes_since(edited).entities == {"dmitry-peskov"}


def test_another_knowledge_base_relinks_everything(tmp_path, inputs, kb_file):
    db_path = tmp_path / "out.db"
    build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    other = tmp_path / "other-kb.db"
    KnowledgeBase.open(other).add(read_entities_file(FIXTURES / "mini_kb.yaml", origin="starter"))
    report = build([inputs], db_path, Settings(), kb_path=other, progress=False)
    assert report.processed == len(ARTICLES)


def test_a_log_that_cannot_answer_relinks_everything(tmp_path, inputs, kb_file):
    db_path = tmp_path / "out.db"
    build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    kb = KnowledgeBase.open(kb_file)
    map_peskov(kb)
    kb.forget_changes(kb.fingerprint())  # as after a bulk import
    report = build([inputs], db_path, Settings(), kb_path=kb_file, progress=False)
    assert report.processed == len(ARTICLES)
    fresh = tmp_path / "fresh.db"
    shutil.copy(kb_file, tmp_path / "copy-kb.db")
    build([inputs], fresh, Settings(), kb_path=tmp_path / "copy-kb.db", progress=False)
    assert rows(db_path) == rows(fresh)


def test_an_imported_entity_edit_relinks_everything_when_the_popular_names_are_cut(tmp_path, inputs, kb_file):
    kb = KnowledgeBase.open(kb_file)
    kb.add([
        Entity("Q999000301", "Fenwick Harbour Authority", "ORG", qid="Q999000301", popularity=5, origin="wikidata"),
        Entity("Q999000302", "Marlow Tide Company", "ORG", qid="Q999000302", popularity=4, origin="wikidata"),
    ])
    for limit, expected in ((50_000, 0), (1, len(ARTICLES))):
        db_path = tmp_path / f"out-{limit}.db"
        settings = Settings(ruler_imported=limit)
        build([inputs], db_path, settings, kb_path=kb_file, progress=False)
        # More popular: "Marlow Tide Company" may now push the other name out of a cut list.
        kb.db.execute("UPDATE entities SET popularity = popularity + 2 WHERE id = 'Q999000302'")
        assert build([inputs], db_path, settings, kb_path=kb_file, progress=False).processed == expected
