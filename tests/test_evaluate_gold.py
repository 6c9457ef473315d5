"""Tests for kb.evaluate.gold: reading gold files, and repairing what real benchmark files get wrong.

The fixtures are described in test_evaluate_scoring.py; messy.jsonl holds one problem of each kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.evaluate import (
    WARNING_KINDS,
    GoldMention,
    GoldWarning,
    read_gold,
    read_gold_set,
    score,
    warning_counts,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval"
NEWS = FIXTURES / "news.jsonl"
MESSY = FIXTURES / "messy.jsonl"

GOOD = {
    "id": "a",
    "text": "Ines Kor",
    "mentions": [{"start": 0, "end": 8, "text": "Ines Kor", "type": "PERSON", "qid": "Q999000201"}],
}


def mention(**changes) -> dict:
    return {"start": 0, "end": 4, "text": "Ines", "type": "PERSON", "qid": None, **changes}


def doc(**changes) -> str:
    return json.dumps({"id": "b", "text": "Ines Kor", "mentions": [mention()], **changes})


def read_two(tmp_path, line: str):
    """Read a file of GOOD then ``line``."""
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + line + "\n", encoding="utf-8")
    return path, read_gold_set(path)


def test_read_gold_reads_documents_and_skips_blank_lines(tmp_path):
    [n1] = read_gold(NEWS)
    assert (n1.id, n1.title, n1.evaluation_span, len(n1.mentions)) == ("n1", "A news item", (0, 43), 4)
    assert n1.mentions[1] == GoldMention(20, 27, "Skybolt", "PRODUCT", "Skybolt", "Q999000011")
    path = tmp_path / "gold.jsonl"
    path.write_text("\n" + json.dumps(GOOD) + "\n\n", encoding="utf-8")
    gold = read_gold_set(path)
    assert [d.id for d in gold.documents] == ["a"]
    assert gold.warnings == ()
    assert gold.path == str(path)


@pytest.mark.parametrize(
    ("qid", "shown"),
    [("PERSON", "'PERSON'"), ("", "''"), ("12", "'12'"), ("Q0", "'Q0'"), ("q5", "'q5'"), (42, "42")],
)
def test_placeholder_or_malformed_qid_is_scored_as_null_with_a_warning(tmp_path, qid, shown):
    path, gold = read_two(tmp_path, doc(mentions=[mention(qid=qid)]))
    assert gold.documents[1].mentions == (GoldMention(0, 4, "Ines", "PERSON", None, None),)
    assert gold.warnings == (
        GoldWarning("malformed QID", f"{path}:2: document 'b', mention 1",
                    f"{shown} is not a Wikidata QID; scored as null"),
    )


def test_duplicate_span_keeps_the_first_mention(tmp_path):
    line = doc(mentions=[mention(qid="Q999000202"), mention(type="ORG", qid="not-a-qid")])
    path, gold = read_two(tmp_path, line)
    assert gold.documents[1].mentions == (GoldMention(0, 4, "Ines", "PERSON", None, "Q999000202"),)
    # the dropped mention's own QID is not also reported
    assert [(w.kind, w.message) for w in gold.warnings] == [("duplicate span", "[0:4] 'Ines' repeats mention 1")]


def test_overlapping_spans_are_both_kept(tmp_path):
    line = doc(mentions=[mention(end=8, text="Ines Kor"), mention(start=5, end=8, text="Kor")])
    _, gold = read_two(tmp_path, line)
    assert [(m.start, m.end) for m in gold.documents[1].mentions] == [(0, 8), (5, 8)]
    assert [(w.kind, w.message) for w in gold.warnings] == [("overlapping span", "[5:8] 'Kor' overlaps mention 1")]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("nope", "expected an object, got str"),
        ({"start": 0, "end": 4, "text": "Ines"}, "missing type"),
        (mention(start="0"), "offsets must be integers, got start='0' end=4"),
        (mention(end=99), "offsets [0:99] are outside the text (length 8)"),
        (mention(start=4), "offsets [4:4] are outside the text (length 8)"),
        (mention(text="Kor"), "text[0:4] is 'Ines', mention text is 'Kor'"),
        (mention(type=None), "type must be a non-empty string, got None"),
    ],
)
def test_mention_that_does_not_fit_the_text_is_left_out(tmp_path, bad, message):
    path, gold = read_two(tmp_path, doc(mentions=[bad, mention(start=5, end=8, text="Kor")]))
    assert [(m.start, m.end) for m in gold.documents[1].mentions] == [(5, 8)]
    assert gold.warnings == (GoldWarning("unusable mention", f"{path}:2: document 'b', mention 1", message),)


def test_unknown_type_is_kept_and_scored_in_its_own_row(tmp_path):
    _, gold = read_two(tmp_path, doc(mentions=[mention(type="LOC")]))
    assert gold.documents[1].mentions[0].type == "LOC"
    assert [w.kind for w in gold.warnings] == ["unknown type"]
    report = score(list(gold.documents), {"b": [{"start": 0, "end": 4, "label": "LOC"}]})
    assert report.mentions["LOC"].f1 == 1.0
    assert report.mentions_overall.gold == 1  # GOOD's PERSON only


@pytest.mark.parametrize(
    ("line", "new_id", "message"),
    [
        (json.dumps({"text": "x", "mentions": []}), "line 2", "document id '' missing or empty; scored as 'line 2'"),
        (doc(id=""), "line 2", "document id '' missing or empty; scored as 'line 2'"),
        (json.dumps(GOOD), "a (line 2)", "document id 'a' repeated; scored as 'a (line 2)'"),
    ],
)
def test_missing_or_repeated_document_id_is_made_from_the_line(tmp_path, line, new_id, message):
    path, gold = read_two(tmp_path, line)
    assert [d.id for d in gold.documents] == ["a", new_id]
    assert gold.warnings == (GoldWarning("document id", f"{path}:2", message),)


def test_numeric_document_id_is_read_as_text(tmp_path):
    _, gold = read_two(tmp_path, doc(id=7))
    assert gold.documents[1].id == "7" and gold.warnings == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        (doc(text=None), "'text' must be a string"),
        (doc(mentions={}), "'mentions' must be a list"),
        (doc(evaluation_span=[0]), "document 'b': 'evaluation_span' must be [start, end], got [0]"),
        (doc(evaluation_span=[0, 50]), "document 'b': evaluation_span [0, 50] is outside the text (length 8)"),
    ],
)
def test_line_that_is_no_usable_document_is_left_out(tmp_path, line, message):
    path, gold = read_two(tmp_path, line)
    assert [d.id for d in gold.documents] == ["a"]
    [warning] = gold.warnings
    assert (warning.kind, warning.where) == ("unusable document", f"{path}:2")
    assert warning.message.startswith(message)


def test_messy_file_counts_one_warning_a_problem():
    gold = read_gold_set(MESSY)
    assert [d.id for d in gold.documents] == ["m1", "line 2", "m1 (line 4)", "m5"]
    assert warning_counts(gold.warnings) == {
        "malformed QID": 2,
        "duplicate span": 1,
        "overlapping span": 1,
        "unusable mention": 1,
        "unknown type": 1,
        "document id": 2,
        "unusable document": 1,
    }
    assert list(warning_counts(gold.warnings)) == list(WARNING_KINDS)  # reports list kinds in this order
    assert str(gold.warnings[0]) == f"{MESSY}:1: document 'm1', mention 2: 'GPE' is not a Wikidata QID; scored as null"


def test_unreadable_or_hopeless_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="missing.jsonl: cannot read gold file"):
        read_gold_set(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="binary.jsonl: cannot read gold file"):
        read_gold_set(binary)
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"garbage.jsonl: no usable gold document; first problem: .*:1: not valid JSON"):
        read_gold_set(garbage)


def test_empty_file_is_an_empty_gold_set(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    assert read_gold_set(path).documents == ()


@pytest.mark.slow
def test_shared_dev_sets_read_without_warnings(shared):
    """The development sets are clean: nothing should be repaired in them."""
    for name in ("dev-domain.jsonl", "dev-msnbc.jsonl", "dev-reuters128.jsonl"):
        gold = read_gold_set(shared / "eval" / name)
        assert gold.documents and gold.warnings == (), name
