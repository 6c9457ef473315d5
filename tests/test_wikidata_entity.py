"""Wikidata JSON → Entity, and the P31/P279 → coarse type mapping."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from fake_wikidata import item

from kb.kbase import ENTITY_TYPES
from kb.records import Claim
from kb.wikidata.entity import (
    CLASS_TYPES,
    claim_values,
    coarse_type,
    entity_from_json,
    type_from_classes,
    type_from_description,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ENTITY_SOURCE = Path(__file__).resolve().parents[1] / "kb" / "wikidata" / "entity.py"


def test_entity_from_json_takes_labels_aliases_sitelinks_and_claims():
    data = item(
        "Q999000001", "Testland", "country made up for tests", aliases=("Republic of Testland",),
        p31=("Q6256",), claims={"P463": ("Q999000004",)}, sitelinks=3,
    )
    data["labels"]["uk"] = {"language": "uk", "value": "Тестланд"}
    data["aliases"]["ru"] = [{"language": "ru", "value": "Тестландия"}]
    entity = entity_from_json(data, languages=("en", "uk"), labels={"Q999000004": "Example Alliance"})
    assert (entity.id, entity.qid, entity.label, entity.type) == ("Q999000001", "Q999000001", "Testland", "GPE")
    assert entity.aliases == ("Тестланд", "Republic of Testland")  # ru not asked for
    assert entity.popularity == 3.0
    assert entity.origin == "wikidata"
    assert entity.claims == (Claim("P31", "Q6256"), Claim("P463", "Q999000004", "Example Alliance"))


def test_label_falls_back_to_the_next_language_then_the_qid():
    data = item("Q999000002", "Тествіль", language="uk")
    assert entity_from_json(data, ("en", "uk")).label == "Тествіль"
    assert entity_from_json(data, ("en",)).label == "Q999000002"


def test_deprecated_and_novalue_statements_are_skipped():
    data = item("Q999000003", "Ann Example", p31=("Q5",), claims={"P27": ("Q999000001", "Q999000002")})
    data["claims"]["P27"][1]["rank"] = "deprecated"
    data["claims"]["P106"] = [{"mainsnak": {"snaktype": "novalue", "property": "P106"}, "rank": "normal"}]
    assert claim_values(data, "P27") == ["Q999000001"]
    assert claim_values(data, "P106") == []


def test_string_claims_are_kept_as_text():
    data = item("Q999000003", "Ann Example")
    data["claims"]["P18"] = [{
        "mainsnak": {"snaktype": "value", "property": "P18", "datavalue": {"type": "string", "value": "Ann.jpg"}},
        "rank": "normal",
    }]
    assert Claim("P18", "Ann.jpg") in entity_from_json(data).claims


@pytest.mark.parametrize("data", [{"id": "P17", "type": "property"}, {"id": "nope"}, {}, {"id": "Q999000001", "missing": ""}])
def test_non_items_are_refused(data):
    with pytest.raises(ValueError):
        entity_from_json(data)


def test_type_from_classes_climbs_subclass_chains():
    edges = {"Q999000010": ("Q999000011",), "Q999000011": ("Q515",)}
    assert type_from_classes(["Q999000010"], edges) == "GPE"
    assert type_from_classes(["Q999000010"]) is None
    assert type_from_classes(["Q999000010"], {"Q999000010": ("Q999000010",)}) is None  # cycle ends


def test_nearest_class_wins_and_ties_go_by_priority():
    edges = {"Q999000010": ("Q5",)}
    assert type_from_classes(["Q999000010", "Q43229"], edges) == "ORG"  # direct class is nearer
    assert type_from_classes(["Q43229", "Q6256"]) == "GPE"


def test_description_hints_type_weapons():
    assert type_from_description("air-launched cruise missile") == "WEAPON"
    assert type_from_description("American multiple rocket launcher") == "WEAPON"
    assert type_from_description("missiles and rockets") == "WEAPON"
    assert type_from_description("Norwegian politician") == "PERSON"
    assert type_from_description("an unusual thing") is None


def test_description_hints_read_the_head_noun():
    assert type_from_description("American basketball player") == "PERSON"
    assert type_from_description("American professional basketball team") == "ORG"
    assert type_from_description("European missile maker") == "ORG"
    assert type_from_description("film director from Poland") == "PERSON"
    assert type_from_description("city in Texas, United States") == "GPE"
    assert type_from_description("major international airport serving London") == "LOC"
    assert type_from_description("legislature of the United States") == "ORG"
    assert coarse_type([], "an unusual thing") == "OTHER"
    assert coarse_type(["Q5"], "politician who fired a missile") == "PERSON"


def test_class_table_uses_only_kb_types():
    assert set(CLASS_TYPES.values()) <= set(ENTITY_TYPES)


@pytest.mark.slow
def test_every_mapped_class_is_verified_by_its_label_in_the_sample():
    sample = SHARED / "wikidata" / "wikidata-sample.json.gz"
    if not sample.exists():
        pytest.skip(f"shared reference data not found at {SHARED}")
    verified = set((SHARED / "wikidata" / "verified-qids.txt").read_text().split())
    labels = {}
    with gzip.open(sample, "rt", encoding="utf-8") as lines:
        for line in lines:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                data = json.loads(line)
                if data["id"] in CLASS_TYPES:
                    labels[data["id"]] = data["labels"]["en"]["value"]
    comments = dict(re.findall(r'"(Q\d+)": "\w+",  # ([^(\n]+)', ENTITY_SOURCE.read_text()))
    for qid in CLASS_TYPES:
        assert qid in verified, qid
        assert comments[qid].strip() == labels[qid], qid
