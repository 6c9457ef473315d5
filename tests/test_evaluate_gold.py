"""Tests for kb.evaluate.gold: reading gold files, and repairing what real benchmark files get wrong.

The fixtures are described in test_evaluate_scoring.py; messy.jsonl holds one problem of each kind.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
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


# --- gold lines that name a corpus instead of carrying their text --------------------------------

CORPUS_ROWS = [
    {"id": "r1", "title": "Talks in Velmora", "url": "u1", "published": "p", "source": "s",
     "text": "Ines Kor met the Harbour Board of Velmora on Tuesday."},
    {"id": "r2", "title": "A second release", "url": "u2", "published": "p", "source": "s",
     "text": "Nothing named here."},
]


def corpus_line(doc_id="r1", **changes) -> str:
    """An annotation-only gold line for the tiny corpus: no text, no title."""
    line = {
        "id": doc_id, "corpus": "press-releases", "evaluation_span": [0, 41],
        "mentions": [
            {"start": 0, "end": 8, "type": "PERSON", "text": "Ines Kor", "qid": None},
            {"start": 17, "end": 41, "type": "ORG", "text": "Harbour Board of Velmora", "qid": None},
        ],
    }
    return json.dumps({**line, **changes})


def make_shared(folder: Path) -> Path:
    """A ``shared`` folder holding a tiny press-release corpus (texts written for this test)."""
    corpus = folder / "corpus" / "press-releases.jsonl.gz"
    corpus.parent.mkdir(parents=True)
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in CORPUS_ROWS)
    return folder


def write_gold(path: Path, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_corpus_lines_get_text_and_title_from_the_corpus(tmp_path):
    shared = make_shared(tmp_path / "shared")
    gold = read_gold_set(write_gold(tmp_path / "gold.jsonl", corpus_line()), shared=shared)
    [document] = gold.documents
    assert document.text == CORPUS_ROWS[0]["text"]
    assert document.title == "Talks in Velmora"
    assert document.evaluation_span == (0, 41)
    assert [(m.text, m.type, m.qid) for m in document.mentions] == [
        ("Ines Kor", "PERSON", None), ("Harbour Board of Velmora", "ORG", None)]
    assert gold.warnings == ()


def test_corpus_line_offsets_are_checked_against_the_corpus_text(tmp_path):
    shared = make_shared(tmp_path / "shared")
    shifted = {"start": 1, "end": 9, "type": "PERSON", "text": "Ines Kor", "qid": None}
    gold = read_gold_set(write_gold(tmp_path / "gold.jsonl", corpus_line(mentions=[shifted])), shared=shared)
    assert gold.documents[0].mentions == ()
    assert [w.kind for w in gold.warnings] == ["unusable mention"]
    assert "text[1:9] is 'nes Kor '" in gold.warnings[0].message


def test_a_line_with_its_own_text_keeps_it_and_a_given_title_wins(tmp_path):
    shared = make_shared(tmp_path / "shared")
    own = json.dumps({"id": "r2", "corpus": "press-releases", "text": "Ines Kor", "mentions": [mention()]})
    titled = corpus_line(title="My own title")
    gold = read_gold_set(write_gold(tmp_path / "gold.jsonl", own, titled), shared=shared)
    assert [(d.id, d.text, d.title) for d in gold.documents] == [
        ("r2", "Ines Kor", None), ("r1", CORPUS_ROWS[0]["text"], "My own title")]


def test_unknown_id_or_corpus_leaves_the_line_out_with_a_warning(tmp_path):
    shared = make_shared(tmp_path / "shared")
    path = write_gold(tmp_path / "gold.jsonl", corpus_line("r9"), corpus_line(corpus="speeches"), corpus_line())
    gold = read_gold_set(path, shared=shared)
    assert [d.id for d in gold.documents] == ["r1"]
    assert [(w.kind, w.where) for w in gold.warnings] == [
        ("unusable document", f"{path}:1"), ("unusable document", f"{path}:2")]
    assert "document id 'r9' is not in corpus 'press-releases'" in gold.warnings[0].message
    assert "unknown corpus 'speeches'" in gold.warnings[1].message


def test_shared_is_found_from_the_environment_or_beside_the_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_SHARED", raising=False)
    make_shared(tmp_path / "shared")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "pyproject.toml").write_text("", encoding="utf-8")
    inside = write_gold(tmp_path / "repo" / "bench" / "sample" / "gold.jsonl", corpus_line())
    assert read_gold_set(inside).documents[0].text == CORPUS_ROWS[0]["text"]
    elsewhere = make_shared(tmp_path / "elsewhere")
    outside = write_gold(tmp_path / "loose" / "gold.jsonl", corpus_line())
    monkeypatch.setenv("KB_SHARED", str(elsewhere))
    assert read_gold_set(outside).documents[0].title == "Talks in Velmora"


def test_absent_corpus_is_an_error_naming_the_gold_file_and_the_corpus(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_SHARED", raising=False)
    path = write_gold(tmp_path / "gold.jsonl", json.dumps(GOOD), corpus_line())
    with pytest.raises(ValueError, match=r"gold.jsonl:2: corpus 'press-releases' not found at .*nowhere"):
        read_gold_set(path, shared=tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"gold.jsonl:2: corpus 'press-releases' needs the shared folder.*KB_SHARED"):
        read_gold_set(path)  # tmp_path is in no repository
    broken = tmp_path / "broken" / "corpus" / "press-releases.jsonl.gz"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not gzip")
    with pytest.raises(ValueError, match=r"gold.jsonl:2: cannot read corpus .*press-releases.jsonl.gz"):
        read_gold_set(path, shared=tmp_path / "broken")


def test_kb_eval_reports_an_absent_corpus_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_SHARED", str(tmp_path / "nowhere"))
    path = write_gold(tmp_path / "gold.jsonl", corpus_line())
    result = CliRunner().invoke(cli, ["eval", str(path)])
    assert result.exit_code == 1
    assert "gold.jsonl:1: corpus 'press-releases' not found at" in result.output
    assert "Traceback" not in result.output


PRESS_SAMPLE = Path(__file__).resolve().parents[1] / "bench" / "press-sample"


@pytest.mark.slow
def test_press_sample_reads_cleanly_from_the_real_corpus(shared):
    """Every hand-annotated offset fits the corpus text, inside a span that ends at whitespace."""
    lines = [json.loads(line) for line in (PRESS_SAMPLE / "annotations.jsonl").read_text("utf-8").splitlines()]
    assert all(set(line) == {"id", "corpus", "evaluation_span", "mentions"} for line in lines)
    gold = read_gold_set(PRESS_SAMPLE / "annotations.jsonl", shared=shared)
    assert len(gold.documents) == 15 and gold.warnings == ()
    for document, line in zip(gold.documents, lines):
        start, end = document.evaluation_span
        assert start == 0 and end <= 2500 and (end == len(document.text) or document.text[end].isspace())
        assert len(document.mentions) == len(line["mentions"])
        for m in document.mentions:
            assert document.text[m.start:m.end] == m.text and m.end <= end and m.qid is None
            assert m.type in ("PERSON", "ORG", "WEAPON", "GPE")


@pytest.mark.slow
def test_press_sample_is_the_seeded_choice_outside_the_eval_files(shared):
    """select.py, run again, picks exactly the annotated releases, none of them in an eval file."""
    spec = importlib.util.spec_from_file_location("press_sample_select", PRESS_SAMPLE / "select.py")
    select = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(select)
    chosen = select.select(shared)
    lines = [json.loads(line) for line in (PRESS_SAMPLE / "annotations.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in chosen] == [line["id"] for line in lines]
    evals = select.eval_documents(shared)
    assert all(len(r["text"]) >= 1500 and not select.is_in_eval(r, evals) for r in chosen)
