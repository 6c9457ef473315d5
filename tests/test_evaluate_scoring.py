"""Tests for kb.evaluate: every scoring rule on hand-computed cases, gold validation, reports, CLI.

Fixture gold files (tests/fixtures/eval/) use invented names and fake QIDs from the Q999000000–Q999999999 range:

domain.jsonl  d1 "Anna Berg of the Northwind Alliance visited Tarvia. Berg said Skybolt missiles …"
                 Anna Berg [0:9] PERSON Q999000001, Northwind Alliance [17:35] ORG Q999000002,
                 Tarvia [44:50] GPE Q999000003, Berg [52:56] PERSON Q999000001,
                 Skybolt [62:69] WEAPON null
              d2 "Tarvia and Ostmark signed a deal in Lindau."
                 Tarvia [0:6] GPE Q999000003, Ostmark [11:18] GPE Q999000004, Lindau [36:42] GPE null
news.jsonl    n1 evaluation_span [0, 43]: Mark Olsen [0:10] PERSON Q999000010,
                 Skybolt [20:27] PRODUCT Q999000011, Harlow Fair [31:42] OTHER null, and outside
                 the span Olsen [44:49] PERSON Q999000010
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

import kb.evaluate as evaluate_module
from kb.cli import cli
from kb.evaluate import (
    GoldDocument,
    GoldMention,
    Score,
    evaluate,
    format_report,
    gold_spans,
    read_gold,
    report_json,
    score,
    score_given,
    type_mapping,
)
from kb.kbase import KnowledgeBase
from kb.records import Entity
from kb.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval"
DOMAIN = FIXTURES / "domain.jsonl"
NEWS = FIXTURES / "news.jsonl"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

Q_BERG, Q_NORTHWIND, Q_TARVIA, Q_OSTMARK = "Q999000001", "Q999000002", "Q999000003", "Q999000004"
Q_OLSEN, Q_SKYBOLT, Q_OTHER = "Q999000010", "Q999000011", "Q999000099"


def p(start: int, end: int, label: str, qid: str | None = None, name: str | None = None) -> dict:
    """A predicted mention as the annotator yields it."""
    return {"start": start, "end": end, "text": "", "label": label, "qid": qid, "name": name, "score": 1.0}


def perfect(document: GoldDocument) -> list[dict]:
    """Predictions equal to the gold mentions of a document."""
    return [p(m.start, m.end, m.type, m.qid, m.name) for m in document.mentions]


def kinds(report) -> list[tuple[str, str, int]]:
    return [(e.kind, e.document, e.start) for e in report.errors]


@pytest.fixture
def domain() -> list[GoldDocument]:
    return read_gold(DOMAIN)


@pytest.fixture
def news() -> list[GoldDocument]:
    return read_gold(NEWS)


def figures(s: Score) -> tuple:
    return (s.precision, s.recall, s.f1)


# --- scoring rules -----------------------------------------------------------------------------


def test_perfect_predictions_score_one(domain):
    report = score(domain, {d.id: perfect(d) for d in domain})
    assert report.mentions_overall == Score(8, 8, 8, 8)
    assert figures(report.mentions_overall) == (1.0, 1.0, 1.0)
    # six gold QIDs (the null ones are not linking targets), six correct links
    assert report.linking == Score(6, 6, 6, 6)
    assert report.wrong_qids == 0 and report.neutral_links == 0
    assert report.errors == ()


def test_mentions_are_strict_but_links_credit_overlap(domain):
    d1 = domain[:1]
    report = score(d1, {"d1": [p(0, 4, "PERSON", Q_BERG)]})  # "Anna" for gold "Anna Berg"
    assert report.mentions_overall == Score(0, 1, 0, 5)
    assert figures(report.mentions_overall) == (0.0, 0.0, 0.0)
    # the overlapping link finds "Anna Berg" but not the second "Berg" [52:56]
    assert report.linking == Score(correct=1, predicted=1, found=1, gold=4)
    assert report.linking.precision == 1.0 and report.linking.recall == 0.25
    assert report.linking.f1 == pytest.approx(0.4)
    assert sorted(kinds(report)) == sorted(
        [("missed mention", "d1", s) for s in (0, 17, 44, 52, 62)]
        + [("spurious mention", "d1", 0)]
        + [("missed link", "d1", s) for s in (17, 44, 52)]
    )


def test_type_error_counts_against_both_types_and_is_listed_once(domain):
    d2 = domain[1:]
    predicted = {"d2": [p(0, 6, "ORG", Q_TARVIA), p(11, 18, "GPE", Q_OSTMARK), p(36, 42, "GPE")]}
    report = score(d2, predicted)
    assert report.mentions["GPE"] == Score(2, 2, 2, 3)
    assert report.mentions["ORG"] == Score(0, 1, 0, 0)
    assert figures(report.mentions["ORG"]) == (0.0, None, 0.0)
    assert report.mentions_overall == Score(2, 3, 2, 3)
    assert report.mentions_overall.f1 == pytest.approx(2 / 3)
    assert report.linking == Score(2, 2, 2, 2)  # linking ignores the type
    [error] = report.errors
    assert (error.kind, error.start, error.gold_type, error.predicted_type) == ("type error", 0, "GPE", "ORG")


def test_type_error_with_an_unscored_label_is_a_miss_with_the_label_shown(domain):
    report = score(domain[1:], {"d2": [p(0, 6, "LOC"), p(11, 18, "GPE"), p(36, 42, "GPE")]})
    assert report.mentions_overall == Score(2, 2, 2, 3)  # LOC is not a scored prediction
    assert kinds(report) == [("missed link", "d2", 0), ("type error", "d2", 0), ("missed link", "d2", 11)]
    assert report.errors[1].predicted_type == "LOC"
    assert report.errors[0].predicted_type == "LOC"  # the missed link says what was predicted there


def test_link_on_gold_mention_with_null_qid_is_neither_right_nor_wrong(domain):
    predicted = {"d1": [p(62, 69, "WEAPON", Q_OTHER)]}  # gold Skybolt has qid null
    report = score(domain[:1], predicted)
    assert report.mentions["WEAPON"] == Score(1, 1, 1, 1)
    assert report.neutral_links == 1
    assert report.linking == Score(correct=0, predicted=0, found=0, gold=4)
    assert report.wrong_qids == 0
    assert not [e for e in report.errors if e.kind in ("wrong link", "false link")]


def test_link_on_a_span_without_gold_mention_is_a_false_link(domain):
    d2 = domain[1]
    predicted = {"d2": perfect(d2) + [p(28, 32, "ORG", Q_OTHER, "Deal Corp")]}  # "deal"
    report = score([d2], predicted)
    assert report.linking == Score(correct=2, predicted=3, found=2, gold=2)
    assert report.linking.precision == pytest.approx(2 / 3)
    assert report.wrong_qids == 0
    assert report.mentions_overall == Score(3, 4, 3, 3)
    assert kinds(report) == [("false link", "d2", 28), ("spurious mention", "d2", 28)]
    assert report.errors[0].predicted_name == "Deal Corp"


def test_wrong_qid_is_a_false_link_counted_separately(domain):
    d2 = domain[1]
    predicted = {"d2": [p(0, 6, "GPE", Q_TARVIA), p(11, 18, "GPE", Q_TARVIA, "Tarvia"), p(36, 42, "GPE")]}
    report = score([d2], predicted)
    assert report.wrong_qids == 1
    assert report.linking == Score(correct=1, predicted=2, found=1, gold=2)
    assert figures(report.linking) == (0.5, 0.5, 0.5)
    [error] = report.errors  # listed as a wrong link only, not also as a missed link
    assert (error.kind, error.gold_qid, error.predicted_qid) == ("wrong link", Q_OSTMARK, Q_TARVIA)
    assert (error.gold_name, error.predicted_name) == ("Ostmark", "Tarvia")


def test_link_overlapping_a_null_gold_and_a_gold_with_another_qid_is_wrong():
    text = "Anna Berg"
    mentions = (GoldMention(0, 4, "Anna", "PERSON"), GoldMention(5, 9, "Berg", "PERSON", qid=Q_BERG))
    gold = [GoldDocument("x", text, mentions)]
    report = score(gold, {"x": [p(0, 9, "PERSON", Q_OTHER)]})
    assert report.wrong_qids == 1 and report.neutral_links == 0
    assert report.linking == Score(correct=0, predicted=1, found=0, gold=1)


def test_only_mentions_inside_the_evaluation_span_count(news):
    [n1] = news
    inside = [m for m in n1.mentions if m.end <= 43]
    predicted = [p(m.start, m.end, m.type, m.qid) for m in inside] + [p(44, 49, "PERSON", Q_OTHER)]
    report = score(news, {"n1": predicted})
    # gold Olsen [44:49] and the (wrong) prediction on it are both outside the span
    assert report.mentions["PERSON"] == Score(1, 1, 1, 1)
    assert report.linking == Score(2, 2, 2, 2)
    assert report.wrong_qids == 0
    assert report.errors == ()
    assert gold_spans(n1) == [(0, 10, "PERSON"), (20, 27, "PRODUCT"), (31, 42, "OTHER")]


def test_in_kb_accuracy_counts_found_gold_mentions_whose_qid_is_in_the_kb(domain):
    predicted = {"d1": perfect(domain[0])}  # nothing for d2
    report = score(domain, predicted, kb_qids=lambda qid: qid in {Q_BERG, Q_TARVIA})
    # in the KB: Anna Berg, Tarvia, Berg (d1, all found) and Tarvia (d2, missed)
    assert (report.in_kb_found, report.in_kb_gold) == (3, 4)
    assert report.in_kb_accuracy == 0.75
    without = score(domain, predicted)
    assert without.in_kb_accuracy is None and without.in_kb_gold is None
    assert any("in-KB accuracy not measured" in note for note in without.notes)


def test_per_type_figures_and_headline_over_the_four_types(domain):
    predicted = {
        "d1": [
            p(0, 9, "PERSON"),
            p(17, 35, "GPE"),  # type error: gold ORG
            p(44, 50, "GPE"),
            p(62, 69, "WEAPON"),
            p(70, 78, "WEAPON"),  # "missiles": spurious
        ]
    }
    report = score(domain[:1], predicted)
    assert report.types == ("PERSON", "ORG", "WEAPON", "GPE")
    assert report.mentions["PERSON"] == Score(1, 1, 1, 2)
    assert figures(report.mentions["PERSON"]) == (1.0, 0.5, pytest.approx(2 / 3))
    assert figures(report.mentions["ORG"]) == (None, 0.0, 0.0)
    assert report.mentions["GPE"] == Score(1, 2, 1, 1)
    assert report.mentions["WEAPON"] == Score(1, 2, 1, 1)
    assert report.mentions_overall == Score(3, 5, 3, 5)
    assert figures(report.mentions_overall) == pytest.approx((0.6, 0.6, 0.6))


def test_general_news_weapon_is_scored_as_product_outside_the_headline(news, domain):
    assert type_mapping(news) == {"WEAPON": "PRODUCT"}
    assert type_mapping(domain) == {}
    predicted = {"n1": [p(0, 10, "PERSON", Q_OLSEN), p(20, 27, "WEAPON", Q_SKYBOLT), p(31, 42, "OTHER")]}
    report = score(news, predicted)
    assert report.types == ("PERSON", "ORG", "WEAPON", "GPE", "OTHER", "PRODUCT")
    assert report.mentions["PRODUCT"] == Score(1, 1, 1, 1)
    assert report.mentions["OTHER"] == Score(1, 1, 1, 1)
    assert report.mentions["WEAPON"] == Score(0, 0, 0, 0)
    assert report.mentions_overall == Score(1, 1, 1, 1)  # PERSON only: PRODUCT/OTHER are not headline
    assert any("WEAPON scored as PRODUCT" in note for note in report.notes)
    assert report.linking == Score(2, 2, 2, 2)


def test_zero_divisions_give_none_or_zero():
    assert figures(Score()) == (None, None, None)
    assert figures(Score(0, 0, 0, 5)) == (None, 0.0, 0.0)
    assert figures(Score(0, 3, 0, 0)) == (0.0, None, 0.0)
    empty = score([], {})
    assert figures(empty.mentions_overall) == (None, None, None)
    assert figures(empty.linking) == (None, None, None)
    assert "—" in format_report(empty)


def test_score_given_scores_exact_gold_spans(domain):
    given = {
        "d1": [
            p(0, 9, "PERSON", Q_BERG),  # right
            p(17, 35, "ORG", Q_TARVIA, "Tarvia"),  # wrong
            p(44, 50, "GPE"),  # NIL
            p(62, 69, "WEAPON", Q_OTHER),  # gold qid null: not scored
        ]  # Berg [52:56] not returned at all
    }
    result = score_given(domain, given, kb_qids=lambda qid: qid in {Q_BERG, Q_NORTHWIND})
    assert (result.correct, result.gold) == (1, 6)
    assert result.accuracy == pytest.approx(1 / 6)
    assert (result.in_kb_correct, result.in_kb_gold) == (1, 3)
    assert [(e.kind, e.document, e.start) for e in result.errors] == [
        ("given: wrong link", "d1", 17),
        ("given: missed link", "d1", 44),
        ("given: missed link", "d1", 52),
        ("given: missed link", "d2", 0),
        ("given: missed link", "d2", 11),
    ]
    report = score(domain, {}, given=given)
    assert report.given == score_given(domain, given)
    assert "given gold spans: accuracy 1/6 = 0.167" in format_report(report)


def test_predictions_must_match_the_gold_documents(domain):
    with pytest.raises(ValueError, match="documents not in the gold set: nope"):
        score(domain, {"nope": []})
    with pytest.raises(ValueError, match=r"predictions for 'd2', mention 1: bad offsets start=40 end=99"):
        score(domain, {"d2": [p(40, 99, "GPE")]})
    with pytest.raises(ValueError, match=r"predictions for 'd2', mention 1: 'label' must be"):
        score(domain, {"d2": [{"start": 0, "end": 6}]})


# --- reading gold ------------------------------------------------------------------------------

GOOD = {
    "id": "a",
    "text": "Anna Berg",
    "mentions": [{"start": 0, "end": 9, "text": "Anna Berg", "type": "PERSON"}],
}


def mention(**changes) -> dict:
    return {"start": 0, "end": 4, "text": "Anna", "type": "PERSON", "qid": None, **changes}


def doc(**changes) -> str:
    return json.dumps({"id": "b", "text": "Anna Berg", "mentions": [mention()], **changes})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        (json.dumps({"text": "x", "mentions": []}), "'id' must be a non-empty string"),
        (doc(text=None), "'text' must be a string"),
        (doc(mentions={}), "'mentions' must be a list"),
        (doc(mentions=[mention(text="Berg")]), "mention 1: text[0:4] is 'Anna', mention text is 'Berg'"),
        (doc(mentions=[mention(end=99)]), "mention 1: offsets [0:99] are outside the text (length 9)"),
        (doc(mentions=[mention(start=4)]), "offsets [4:4] are outside the text"),
        (doc(mentions=[mention(start="0")]), "offsets must be integers"),
        (doc(mentions=[{"start": 0, "end": 4, "text": "Anna"}]), "mention 1: missing type"),
        (doc(mentions=[mention(type="LOC")]), "type 'LOC' is not one of PERSON, ORG, WEAPON, GPE"),
        (doc(mentions=[mention(qid="12")]), "'12' is not a Wikidata QID"),
        (doc(mentions=[mention(), mention(type="ORG")]), "mentions 1 and 2 have the same span [0:4]"),
        (doc(evaluation_span=[0]), "'evaluation_span' must be [start, end]"),
        (doc(evaluation_span=[0, 50]), "evaluation_span [0, 50] is outside the text"),
        (json.dumps(GOOD), "duplicate document id 'a' (first on line 1)"),
    ],
)
def test_read_gold_names_file_line_and_problem(tmp_path, line, message):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as error:
        read_gold(path)
    assert f"{path}:2: " in str(error.value)
    assert message in str(error.value)


def test_read_gold_reads_documents_and_skips_blank_lines(tmp_path):
    [n1] = read_gold(NEWS)
    assert (n1.id, n1.title, n1.evaluation_span, len(n1.mentions)) == ("n1", "A news item", (0, 43), 4)
    assert n1.mentions[1] == GoldMention(20, 27, "Skybolt", "PRODUCT", "Skybolt", Q_SKYBOLT)
    path = tmp_path / "gold.jsonl"
    path.write_text("\n" + json.dumps(GOOD) + "\n\n", encoding="utf-8")
    assert [d.id for d in read_gold(path)] == ["a"]
    with pytest.raises(ValueError, match="missing.jsonl: cannot read gold file"):
        read_gold(tmp_path / "missing.jsonl")


# --- reports -----------------------------------------------------------------------------------


def wrong_link_report(domain):
    d2 = domain[1]
    predicted = {"d2": [p(0, 6, "GPE", Q_TARVIA), p(11, 18, "GPE", Q_TARVIA, "Tarvia"), p(28, 32, "ORG")]}
    return score([d2], predicted, kb_qids=lambda qid: qid == Q_OSTMARK)


def test_format_report_shows_table_figures_and_errors(domain):
    text = format_report(wrong_link_report(domain))
    lines = text.splitlines()
    assert "GPE            3     2      2   1.000   0.667   0.800" in lines
    assert "overall*       3     3      2   0.667   0.667   0.667" in lines
    assert "P 0.500  R 0.500  F1 0.500" in lines
    assert "in-KB accuracy, end to end: 0/1 = 0.000" in lines
    assert "d2:" in lines
    wrong = "gold Q999000004 (Ostmark), predicted Q999000003 (Tarvia)"
    assert any("wrong link" in line and wrong in line for line in lines)
    assert any("missed mention" in line and "'Lindau'" in line for line in lines)
    assert any("spurious mention" in line and "'deal'" in line for line in lines)
    assert "Errors" not in format_report(wrong_link_report(domain), errors=False)


def test_report_json_carries_counts_ratios_and_errors(domain):
    data = json.loads(report_json(wrong_link_report(domain)))
    assert data["mentions"]["GPE"] == {
        "correct": 2, "predicted": 2, "found": 2, "gold": 3, "precision": 1.0, "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(0.8),
    }
    assert data["linking"]["wrong_qids"] == 1 and data["linking"]["f1"] == 0.5
    assert data["in_kb"] == {"gold": 1, "found": 0, "accuracy": 0.0}
    assert data["given"] is None
    assert {e["kind"] for e in data["errors"]} == {"wrong link", "missed mention", "spurious mention"}


# --- running -----------------------------------------------------------------------------------


def fake_kb() -> KnowledgeBase:
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add([Entity(id="anna-berg", label="Anna Berg", type="PERSON", qid=Q_BERG)])
    return knowledge_base


class FakeAnnotator:
    """Returns canned predictions and records what it was asked."""

    def __init__(self, predictions: dict[str, list[dict]]):
        self.predictions = predictions
        self.items: list[tuple] = []
        self.settings: Settings | None = None

    def __call__(self, items, *, settings, knowledge_base):
        self.settings = settings
        for item in items:
            self.items.append(item)
            yield {"id": item[0], "mentions": self.predictions.get(item[0], [])}


def test_evaluate_runs_the_annotator_on_gold_texts_and_scores(domain):
    annotate = FakeAnnotator({"d1": perfect(domain[0])})
    link_spans = FakeAnnotator({"d2": [p(0, 6, "GPE", Q_TARVIA)]})
    report = evaluate(DOMAIN, settings=Settings(), knowledge_base=fake_kb(), annotate=annotate,
                      link_spans=link_spans)
    assert annotate.items == [(d.id, d.text) for d in domain]
    assert link_spans.items == [(d.id, d.text, gold_spans(d)) for d in domain]
    assert report.gold_path == str(DOMAIN)
    assert report.linking == Score(4, 4, 4, 6)
    assert (report.in_kb_found, report.in_kb_gold) == (2, 2)  # only Q999000001 is in the KB
    assert (report.given.correct, report.given.gold, report.given.in_kb_gold) == (1, 6, 2)


def test_evaluate_rejects_malformed_annotator_output():
    def broken(items, *, settings, knowledge_base):
        return [{"id": "d1"}]

    with pytest.raises(ValueError, match="annotator: result 1 is not a dict with 'id' and a 'mentions' list"):
        evaluate(DOMAIN, settings=Settings(), knowledge_base=fake_kb(), annotate=broken)


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "kb.db"
    KnowledgeBase.open(path).add([Entity(id="anna-berg", label="Anna Berg", type="PERSON", qid=Q_BERG)])
    return path


def run_cli(monkeypatch, annotator, *args):
    monkeypatch.setattr(evaluate_module, "default_annotator", lambda: annotator)
    return CliRunner().invoke(cli, ["eval", *args])


def test_cli_eval_prints_json_and_text(monkeypatch, kb_file, domain):
    annotator = FakeAnnotator({d.id: perfect(d) for d in domain})
    result = run_cli(monkeypatch, annotator, str(DOMAIN), "--kb", str(kb_file), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mentions_overall"]["f1"] == 1.0
    assert data["in_kb"] == {"gold": 2, "found": 2, "accuracy": 1.0}
    assert annotator.settings.linker == "full"
    result = run_cli(monkeypatch, annotator, str(DOMAIN), "--kb", str(kb_file), "--no-errors")
    assert result.exit_code == 0, result.output
    assert "overall*       8     8      8   1.000   1.000   1.000" in result.output
    assert "Errors" not in result.output and "No errors" not in result.output


def test_cli_eval_baseline_prior_sets_the_linker(monkeypatch, kb_file):
    annotator = FakeAnnotator({})
    result = run_cli(monkeypatch, annotator, str(DOMAIN), "--kb", str(kb_file), "--baseline", "prior")
    assert result.exit_code == 0, result.output
    assert annotator.settings.linker == "prior"


def test_cli_eval_reports_bad_gold_as_an_error(monkeypatch, kb_file, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(doc(mentions=[mention(text="Berg")]) + "\n", encoding="utf-8")
    result = run_cli(monkeypatch, FakeAnnotator({}), str(bad), "--kb", str(kb_file))
    assert result.exit_code == 1
    assert f"Error: {bad}:1: document 'b', mention 1: text[0:4] is 'Anna'" in result.output


# --- shared gold sets (slow) -------------------------------------------------------------------


@pytest.fixture
def shared_eval() -> Path:
    if not (SHARED / "eval").is_dir():
        pytest.skip("../shared/eval (gold sets beside the repository) is not available")
    return SHARED / "eval"


@pytest.mark.slow
def test_shared_dev_sets_pass_validation(shared_eval):
    domain = read_gold(shared_eval / "dev-domain.jsonl")
    msnbc = read_gold(shared_eval / "dev-msnbc.jsonl")
    assert len(domain) == 6 and len(msnbc) == 20
    # shared/eval/README.md: 653 gold QID mentions in dev-msnbc
    assert sum(1 for d in msnbc for m in d.mentions if m.qid) == 653
    assert type_mapping(msnbc) == {"WEAPON": "PRODUCT"} and type_mapping(domain) == {}
    perfect_run = score(domain, {d.id: perfect(d) for d in domain})
    assert figures(perfect_run.mentions_overall) == (1.0, 1.0, 1.0)
    assert perfect_run.linking.f1 == 1.0


@pytest.mark.slow
def test_cli_eval_with_the_real_annotator_on_dev_domain(shared_eval):
    result = CliRunner().invoke(cli, ["eval", str(shared_eval / "dev-domain.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    gold = read_gold(shared_eval / "dev-domain.jsonl")
    assert data["mentions_overall"]["gold"] == sum(len(d.mentions) for d in gold)
    assert data["linking"]["gold"] == sum(1 for d in gold for m in d.mentions if m.qid)
    assert 0.0 <= data["mentions_overall"]["f1"] <= 1.0
    assert 0.0 <= data["linking"]["f1"] <= 1.0
