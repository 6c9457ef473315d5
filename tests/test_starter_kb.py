"""The curated starter knowledge base (kb/data/starter.yaml): shape, QID hygiene and naming policies."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase, starter_entities
from kb.names import normalise

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VERIFIED_QIDS = SHARED / "wikidata" / "verified-qids.txt"

#: Normalised aliases deliberately carried by more than one entity (truly ambiguous in the news):
#: "Armed Forces" means the Russian or the Ukrainian military depending on who is speaking, and
#: so does "Main Intelligence Directorate" their military intelligence.
SHARED_ALIASES = {"armed forces", "main intelligence directorate"}

#: Surnames too common to mean one person on their own.
COMMON_SURNAMES = ("Johnson", "Harris", "Austin", "Sullivan", "Cameron", "Price", "Miller", "Kirby", "Brown", "Smith")


@pytest.fixture(scope="module")
def entities():
    return starter_entities()


@pytest.fixture(scope="module")
def by_id(entities):
    return {entity.id: entity for entity in entities}


@pytest.fixture(scope="module")
def kb():
    knowledge = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge.load_starter()
    return knowledge


def named(entities, name):
    """The entities whose label or an alias normalises like ``name``."""
    key = normalise(name)
    return [e for e in entities if key in {normalise(n) for n in (e.label, *e.aliases)}]


def test_starter_is_large_enough(entities):
    assert len(entities) >= 300


def test_every_entity_is_starter_origin_with_a_known_type(entities):
    assert {e.origin for e in entities} == {"starter"}
    assert {e.type for e in entities} <= {"PERSON", "ORG", "WEAPON", "GPE"}
    assert {"PERSON", "ORG", "WEAPON", "GPE"} <= {e.type for e in entities}


def test_ids_are_unique_lowercase_slugs(entities):
    ids = [e.id for e in entities]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i)] == []


def test_every_entity_has_a_one_line_description_and_sane_popularity(entities):
    assert [e.id for e in entities if not e.description.strip() or "\n" in e.description] == []
    assert [e.id for e in entities if not 0 <= e.popularity <= 100] == []


def test_no_two_entities_share_a_qid(entities):
    owners = defaultdict(list)
    for e in entities:
        if e.qid:
            owners[e.qid].append(e.id)
    assert {qid: ids for qid, ids in owners.items() if len(ids) > 1} == {}


def test_qids_are_well_formed_and_not_test_fakes(entities):
    for e in entities:
        if e.qid:
            assert re.fullmatch(r"Q[1-9][0-9]*", e.qid), e.id
            assert not 999_000_000 <= int(e.qid[1:]) <= 999_999_999, e.id


def test_every_weapon_has_no_qid(entities):
    weapons = [e for e in entities if e.type == "WEAPON"]
    assert len(weapons) >= 40
    assert [e.id for e in weapons if e.qid is not None] == []


@pytest.mark.slow
@pytest.mark.skipif(not VERIFIED_QIDS.is_file(), reason=f"../shared is absent ({VERIFIED_QIDS} not found)")
def test_every_qid_is_verified(entities):
    verified = set(VERIFIED_QIDS.read_text(encoding="utf-8").split())
    assert [(e.id, e.qid) for e in entities if e.qid and e.qid not in verified] == []


def test_no_alias_is_shared_unless_listed_as_ambiguous(entities):
    owners = defaultdict(set)
    for e in entities:
        for name in (e.label, *e.aliases):
            owners[normalise(name)].add(e.id)
    shared = {key for key, ids in owners.items() if len(ids) > 1}
    assert shared == SHARED_ALIASES


@pytest.mark.parametrize("surname", COMMON_SURNAMES)
def test_common_surnames_are_never_aliases_alone(entities, surname):
    assert [e.id for e in named(entities, surname) if e.type == "PERSON"] == []


@pytest.mark.parametrize(
    "label, qid",
    [
        ("Jens Stoltenberg", "Q57665"),
        ("Vladimir Putin", "Q7747"),
        ("Volodymyr Zelenskyy", "Q3874799"),
        ("NATO", "Q7184"),
        ("Reuters", "Q130879"),
        ("Agence France-Presse", "Q40464"),
        ("TASS", "Q223799"),
        ("The Times", "Q50008"),
        ("Agencia EFE", "Q1274521"),
        ("Moscow Kremlin", "Q133274"),
    ],
)
def test_seed_entities_carry_their_verified_qids(entities, label, qid):
    assert [e.qid for e in entities if e.label == label] == [qid]


@pytest.mark.parametrize(
    "name, etype",
    [("Dmitry Peskov", "PERSON"), ("LBC", "ORG"), ("ATACMS", "WEAPON"), ("Storm Shadow", "WEAPON")],
)
def test_unverified_seed_entities_exist_without_qid(entities, name, etype):
    found = named(entities, name)
    assert [(e.type, e.qid) for e in found] == [(etype, None)]


def test_seat_aliases_stay_on_the_seats(by_id):
    def keys(entity_id):
        entity = by_id[entity_id]
        return {normalise(n) for n in (entity.label, *entity.aliases)}

    assert "white house" not in keys("executive-office-of-the-president")
    assert {"pentagon", "the pentagon"}.isdisjoint(keys("us-department-of-defense"))
    assert {"department of defense", "us department of defense", "dod", "defense department"} <= keys(
        "us-department-of-defense"
    )
    assert by_id["office-of-the-president-of-ukraine"].qid is None
    assert by_id["armed-forces-of-ukraine"].qid is None


@pytest.mark.parametrize(
    "surface, label",
    [
        ("Storm Shadows", "Storm Shadow"),
        ("SCALP", "Storm Shadow"),
        ("Zelenskiy", "Volodymyr Zelenskyy"),
        ("U.K.", "United Kingdom"),
    ],
)
def test_candidates_put_the_intended_entity_first(kb, surface, label):
    found = kb.candidates(surface)
    assert found, surface
    assert found[0].label == label


@pytest.mark.parametrize(
    "surface, qid",
    [
        ("Kremlin", "Q133274"),
        ("the Kremlin", "Q133274"),
        ("White House", "Q35525"),
        ("the Pentagon", "Q11208"),
        ("Department of Defense", "Q11209"),
        ("Russian Army", "Q193159"),
        ("Armed Forces of the Russian Federation", "Q193159"),
        ("Russian Defence Ministry", "Q1146492"),
        ("Kharkiv", "Q42308"),
        ("Kharkiv region", "Q170666"),
        ("Kharkiv Oblast", "Q170666"),
        ("Kiev", "Q1899"),
        ("Київ", "Q1899"),
        ("Odessa", "Q1874"),
        ("Brussels", "Q239"),
        ("Crimea", "Q7835"),
        ("Washington", "Q61"),
        ("Georgia", "Q230"),
        ("U.S.", "Q30"),
        ("United States of America", "Q30"),
        ("Britain", "Q145"),
        ("AFP", "Q40464"),
        ("EU", "Q458"),
        ("UN", "Q1065"),
        ("Arkhangelsk Region", "Q1875"),
        ("Fox News", "Q186068"),
        ("ТАСС", "Q223799"),
        ("Stoltenberg", "Q57665"),
    ],
)
def test_policy_names_resolve_to_the_policy_entity(kb, surface, qid):
    found = kb.candidates(surface)
    assert [c.qid for c in found[:1]] == [qid]


@pytest.mark.parametrize(
    "surface, label",
    [
        ("Peskov", "Dmitry Peskov"),
        ("Пєсков", "Dmitry Peskov"),
        ("F-16s", "General Dynamics F-16 Fighting Falcon"),
        ("MGM-140 ATACMS", "MGM-140 ATACMS"),
        ("Geran-2", "Shahed-136"),
        ("Corsair", "Korsar"),
        ("Office of the President", "Office of the President of Ukraine"),
        ("President's Office", "Office of the President of Ukraine"),
        ("Strategic Missile Forces", "Strategic Missile Forces"),
    ],
)
def test_unlinked_names_still_find_their_entity(kb, surface, label):
    found = kb.candidates(surface)
    assert [(c.label, c.qid) for c in found[:1]] == [(label, None)]


def test_shared_aliases_belong_to_institutions_of_different_countries(entities):
    """The publisher's country tells them apart (kb/link/home.py): each owner needs its own
    country claim."""
    for alias in SHARED_ALIASES:
        owners = [e for e in entities if alias in {normalise(n) for n in (e.label, *e.aliases)}]
        countries = [{c.value for c in e.claims if c.property == "P17"} for e in owners]
        assert len(owners) >= 2, alias
        assert all(len(of) == 1 for of in countries), alias
        assert len(set().union(*countries)) == len(owners), alias


def test_ambiguous_armed_forces_returns_both_militaries(kb):
    assert {c.entity_id for c in kb.candidates("Armed Forces")} == {
        "russian-armed-forces",
        "armed-forces-of-ukraine",
    }
