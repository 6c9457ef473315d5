"""Nationality words linked to their country, only when the setting asks for it."""

import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.link import link_document
from kb.link.demonyms import country_of, demonym_table
from kb.records import Entity, Mention
from kb.settings import Settings

COUNTRIES = [
    Entity(id="Q999000701", qid="Q999000701", label="Italy", type="GPE", origin="wikidata", popularity=80),
    Entity(id="Q999000702", qid="Q999000702", label="Kenya", type="GPE", origin="wikidata", popularity=60),
    # a film named like a country: a name match, but not a place
    Entity(id="Q999000703", qid="Q999000703", label="Kenya", type="WORK", origin="wikidata", popularity=90),
    Entity(id="Q999000704", qid="Q999000704", label="Switzerland", type="GPE", origin="wikidata", popularity=70),
]
TEXT = "Italian officials met Kenyans and Swiss bankers in Rome. Martian delegates stayed home."


def knowledge_base() -> KnowledgeBase:
    kb = KnowledgeBase(sqlite_utils.Database(memory=True))
    kb.add(COUNTRIES)
    return kb


def mentions() -> list[Mention]:
    return [
        Mention(0, 7, "Italian", "NORP"),
        Mention(22, 29, "Kenyans", "NORP"),
        Mention(34, 39, "Swiss", "NORP"),
        Mention(57, 64, "Martian", "NORP"),
    ]


def test_singular_and_plural_forms_are_known():
    table = demonym_table()
    assert table["italian"] == table["italians"] == "Italy"
    assert table["swiss"] == "Switzerland" and "swisss" not in table


def test_the_country_is_the_place_of_that_name():
    kb = knowledge_base()
    assert country_of("Kenyans", kb).entity_id == "Q999000702"  # the place, not the more popular film
    assert country_of("Martian", kb) is None  # not a nationality word
    assert country_of("Polish", kb) is None  # a nationality whose country this knowledge base lacks


def test_off_by_default_nationality_words_stay_unlinked():
    result = link_document("d", TEXT, mentions(), knowledge_base(), Settings())
    assert result.links == []
    assert [m.text for m in result.unlinked] == ["Italian", "Kenyans", "Swiss", "Martian"]


def test_on_they_link_to_their_country_and_keep_their_label():
    result = link_document("d", TEXT, mentions(), knowledge_base(), Settings(link_demonyms=True))
    assert [(link.mention.text, link.qid, link.type) for link in result.links] == [
        ("Italian", "Q999000701", "NORP"), ("Kenyans", "Q999000702", "NORP"), ("Swiss", "Q999000704", "NORP"),
    ]
    assert [m.text for m in result.unlinked] == ["Martian"]
