"""Entity files (YAML, CSV, JSON) and the starter knowledge base."""

import pytest

from kb.kbase import ENTITY_TYPES, parse_entity, read_entities_file, starter_entities


@pytest.mark.parametrize(
    "content, suffix, message",
    [
        ("- {id: a, label: A}\n", ".yaml", "entry 1: missing type"),
        ("- {id: a, label: A, type: SHIP}\n", ".yaml", "type 'SHIP' is not one of"),
        ("- {id: a, label: A, type: ORG, qid: 7184}\n", ".yaml", "is not a Wikidata QID"),
        ("- {id: a, label: A, type: ORG, qid: Q0}\n", ".yaml", "'Q0' is not a Wikidata QID"),
        ("- {id: a, label: A, type: ORG}\n- {id: a, label: B, type: ORG}\n", ".yaml", "duplicate ids: a"),
        ("id,label,type\na,A,\n", ".csv", "entities.csv:2: missing type"),
        ("[1, 2", ".json", "not valid JSON"),
        ("[1]", ".json", "entry 1: expected a mapping, got int"),
        ("{a: 1}\n", ".yaml", "expected a list of entities"),
    ],
)
def test_bad_entity_files_name_the_file_and_entry(tmp_path, content, suffix, message):
    path = tmp_path / f"entities{suffix}"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        read_entities_file(path)


def test_csv_aliases_are_separated_by_bars(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text("id,label,type,aliases,qid\n3rd-brigade,3rd Assault Brigade,ORG,3rd Assault|Third Assault,\n")
    [entity] = read_entities_file(path)
    assert (entity.aliases, entity.qid, entity.origin) == (("3rd Assault", "Third Assault"), None, "custom")


def test_parse_entity_normalises_type_and_reads_claims():
    entity = parse_entity(
        {"id": "x", "label": "X Test", "type": "org", "qid": "Q999000001",
         "claims": [{"property": "P17", "value": "Q999000002"}]},
        "custom", "here",
    )
    assert (entity.type, entity.qid, entity.claims[0].value) == ("ORG", "Q999000001", "Q999000002")


def test_starter_entities_are_valid_and_typed():
    entities = starter_entities()
    assert entities and all(e.origin == "starter" and e.type in ENTITY_TYPES for e in entities)
    qids = [e.qid for e in entities if e.qid]
    assert len(qids) == len(set(qids))
