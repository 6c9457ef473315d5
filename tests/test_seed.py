"""The founding example: what kb must find and link in examples/kremlin-stoltenberg.txt."""

from pathlib import Path

import pytest
import sqlite_utils

from kb.annotate import annotate_texts
from kb.kbase import KnowledgeBase
from kb.settings import Settings

pytestmark = pytest.mark.slow

SEED = Path(__file__).resolve().parents[1] / "examples" / "kremlin-stoltenberg.txt"


@pytest.fixture(scope="module")
def starter_kb():
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.load_starter()
    return knowledge_base


@pytest.fixture(scope="module")
def mentions(starter_kb):
    text = SEED.read_text(encoding="utf-8")
    [record] = annotate_texts([("seed", text)], settings=Settings(), knowledge_base=starter_kb)
    for mention in record["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    return record["mentions"]


def by_name(mentions, name):
    return [m for m in mentions if m["name"] == name]


@pytest.mark.parametrize(
    "surface, qid",
    [
        ("Jens Stoltenberg", "Q57665"),
        ("Vladimir Putin", "Q7747"),
        ("Volodymyr Zelensky", "Q3874799"),
        ("NATO", "Q7184"),
        ("Reuters", "Q130879"),
        ("AFP", "Q40464"),
        ("TASS", "Q223799"),
        ("The Times", "Q50008"),
        ("EFE", "Q1274521"),
    ],
)
def test_seed_entities_are_found_and_linked(mentions, surface, qid):
    found = [m for m in mentions if m["text"] == surface]
    assert found, f"{surface} not found"
    assert {m["qid"] for m in found} == {qid}


@pytest.mark.parametrize(
    "surface, label",
    [("Dmitry Peskov", "PERSON"), ("Kremlin", "ORG"), ("LBC", "ORG"), ("ATACMS", "WEAPON"), ("Storm Shadows", "WEAPON")],
)
def test_seed_names_are_found_with_the_right_type(mentions, surface, label):
    found = [m for m in mentions if m["text"] == surface]
    assert found, f"{surface} not found"
    assert {m["label"] for m in found} == {label}


def test_weapons_and_unverified_entities_keep_a_null_qid(mentions):
    for surface in ("ATACMS", "Storm Shadows", "Dmitry Peskov", "LBC"):
        assert {m["qid"] for m in mentions if m["text"] == surface} == {None}


def test_every_stoltenberg_mention_is_the_person_q57665(mentions):
    stoltenberg = [m for m in mentions if "Stoltenberg" in m["text"]]
    assert len(stoltenberg) >= 6
    assert {(m["label"], m["qid"]) for m in stoltenberg} == {("PERSON", "Q57665")}


def test_no_mention_carries_a_qid_of_another_entity(mentions, starter_kb):
    for mention in mentions:
        if mention["qid"]:
            entity = starter_kb.get(mention["qid"])
            assert entity is not None and entity.label == mention["name"], mention
