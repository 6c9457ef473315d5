"""Which stored documents a knowledge-base change can reach (no model: fast)."""

from __future__ import annotations

import sqlite_utils

from kb import store
from kb.kbase import Changes, KnowledgeBase
from kb.records import Document, Link, Mention
from kb.relink import affected_documents
from kb.settings import Settings

#: document id → (text, its stored mentions as (surface, entity id or None))
DOCUMENTS = {
    "tb": ("The Baykar TB-2 flew again over the river.", [("Baykar", None)]),
    "quote": ('He called it "Grey Owl" & left; no other names here.', []),
    "spelled": ("Officials met Zelenskiy in the capital.", [("Zelenskiy", None)]),
    "misspelt": ("The Marrowdale council voted.", [("Marrowdale", None)]),
    "linked": ("The minister spoke.", [("minister", "harbour-board")]),
    "accent": ("Erdogan answered the press.", []),
    "time": ("It was time to go, the timetable said.", []),
}
#: document id → where it was published
PUBLISHED = {"quote": "https://news.example.no/1", "time": "example.se"}


def make_db() -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    store.ensure_schema(db)
    with store.transaction(db):
        for document_id, (text, mentions) in DOCUMENTS.items():
            links, unlinked = [], []
            for surface, entity_id in mentions:
                start = text.index(surface)
                mention = Mention(start, start + len(surface), surface, "ORG")
                if entity_id:
                    links.append(Link(mention, entity_id, None, surface, "ORG", 0.9))
                else:
                    unlinked.append(mention)
            document = Document(document_id, text, url=PUBLISHED.get(document_id), content_hash=document_id)
            store.write_document(db, document, links, unlinked, [], "s")
    return db


def affected(names=(), entities=(), documents=(), **settings) -> set[str]:
    changes = Changes(frozenset(names), frozenset(entities), frozenset(documents))
    db = make_db()
    return affected_documents(db, KnowledgeBase(db), changes, Settings(**settings), set(DOCUMENTS))


def test_a_name_in_a_text_reaches_that_document_only():
    assert affected(names=["Grey Owl"]) == {"quote"}
    assert affected(names=["Times"]) == set()  # the full-text index stems "time": the text check does not


def test_names_with_search_syntax_are_searched_safely():
    assert affected(names=['"Grey Owl" & co', "NEAR(x)", "a*", "-"]) == set()
    assert affected(names=['Grey "Owl']) == {"quote"}


def test_weapon_forms_and_folded_spellings_count():
    assert affected(names=["TB2"]) == {"tb"}  # recognised as "TB-2" too
    assert affected(names=["Erdoğan"]) == {"accent"}


def test_stored_mentions_meet_changed_names_by_loose_key_and_fuzzy_range():
    assert affected(names=["Zelensky"]) == {"spelled"}
    assert affected(names=["Marrowdales"]) == {"misspelt"}  # a close spelling: the fuzzy fallback
    assert affected(names=["Marrowvale"]) == set()  # same first letters, not close
    assert affected(names=["Marrowvale"], fuzzy_rows=1) == {"misspelt"}  # which aliases it compares may change
    assert affected(names=["Ma"]) == set()


def test_links_to_a_changed_entity_and_document_overrides_count():
    assert affected(entities=["harbour-board"]) == {"linked"}
    assert affected(documents=["time", "elsewhere"]) == {"time"}


def test_a_change_to_a_countrys_names_reaches_the_documents_it_published():
    """Which place the knowledge base knows by a country's ISO name is the publisher's home
    country (kb/link/home.py): an edit of that name may change it."""
    assert affected(names=["Norway"]) == {"quote"}
    assert affected(names=["Kingdom of Sweden"]) == {"time"}  # its official name
    assert affected(names=["Denmark"]) == set()
