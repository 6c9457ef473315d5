"""Tests for kb.evaluate.report: text and JSON reports of one run and of kb beside the baseline.

Fixtures: see test_evaluate_scoring.py (domain.jsonl d2 is "Tarvia and Ostmark signed a deal in
Lindau."; messy.jsonl has one gold problem of each kind).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kb.evaluate import (
    Comparison,
    combined,
    comparisons_json,
    format_comparison,
    format_comparisons,
    format_report,
    read_gold,
    read_gold_set,
    report_json,
    score,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval"
DOMAIN = FIXTURES / "domain.jsonl"
MESSY = FIXTURES / "messy.jsonl"
Q_TARVIA, Q_OSTMARK = "Q999000003", "Q999000004"


def p(start: int, end: int, label: str, qid: str | None = None, name: str | None = None) -> dict:
    return {"start": start, "end": end, "text": "", "label": label, "qid": qid, "name": name, "score": 1.0}


def wrong_link_report():
    """d2 with Ostmark linked to Tarvia's QID and a spurious ORG on "deal"; only Ostmark in the KB."""
    d2 = read_gold(DOMAIN)[1]
    predicted = {"d2": [p(0, 6, "GPE", Q_TARVIA), p(11, 18, "GPE", Q_TARVIA, "Tarvia"), p(28, 32, "ORG")]}
    return score([d2], predicted, kb_qids=lambda qid: qid == Q_OSTMARK)


def baseline_report():
    """d2 with Tarvia alone found and linked."""
    d2 = read_gold(DOMAIN)[1]
    return score([d2], {"d2": [p(0, 6, "GPE", Q_TARVIA)]}, kb_qids=lambda qid: qid == Q_OSTMARK, given={})


def messy_report():
    gold = read_gold_set(MESSY)
    return replace(score(list(gold.documents), {}), gold_path=str(MESSY), warnings=gold.warnings)


# --- one run -----------------------------------------------------------------------------------


def test_format_report_shows_table_figures_and_errors():
    text = format_report(wrong_link_report())
    lines = text.splitlines()
    assert "gold warnings: none" in lines
    assert "GPE            3     2      2   1.000   0.667   0.800" in lines
    assert "overall*       3     3      2   0.667   0.667   0.667" in lines
    assert "P 0.500  R 0.500  F1 0.500" in lines
    assert "gold QIDs 2, found 1; predicted links 2, correct 1, false 1 (wrong QID 1); neutral (on gold QID null) 0" in lines
    assert "in-KB accuracy, end to end: 0/1 = 0.000" in lines
    assert "d2:" in lines
    wrong = "gold Q999000004 (Ostmark), predicted Q999000003 (Tarvia)"
    assert any("wrong link" in line and wrong in line for line in lines)
    assert any("missed mention" in line and "'Lindau'" in line for line in lines)
    assert any("spurious mention" in line and "'deal'" in line for line in lines)
    assert "Errors" not in format_report(wrong_link_report(), errors=False)


def test_format_report_counts_gold_warnings_and_lists_them_with_the_errors():
    report = messy_report()
    summary = (
        "gold warnings: 9 (malformed QID 2, duplicate span 1, overlapping span 1, unusable mention 1,"
        " unknown type 1, document id 2, unusable document 1)"
    )
    text = format_report(report)
    assert summary in text.splitlines()
    assert "Gold warnings (9)" in text
    assert f"  duplicate span: {MESSY}:1: document 'm1', mention 4: [29:37] 'Brannock' repeats mention 3" in text
    short = format_report(report, errors=False)
    assert summary in short.splitlines() and "Gold warnings (9)" not in short


def test_report_json_carries_counts_ratios_warnings_and_errors():
    data = json.loads(report_json(wrong_link_report()))
    assert data["mentions"]["GPE"] == {
        "correct": 2, "predicted": 2, "found": 2, "gold": 3, "precision": 1.0, "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(0.8),
    }
    assert data["linking"] == {
        "correct": 1, "predicted": 2, "found": 1, "gold": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5,
        "wrong_qids": 1, "neutral_links": 0,
    }
    assert data["in_kb"] == {"gold": 1, "found": 0, "accuracy": 0.0}
    assert data["given"] is None
    assert data["warnings"] == {"count": 0, "by_kind": {}, "items": []}
    assert {e["kind"] for e in data["errors"]} == {"wrong link", "missed mention", "spurious mention"}


def test_report_json_counts_gold_warnings():
    data = json.loads(report_json(messy_report()))
    assert data["warnings"]["count"] == 9
    assert data["warnings"]["by_kind"] == {
        "malformed QID": 2, "duplicate span": 1, "overlapping span": 1, "unusable mention": 1,
        "unknown type": 1, "document id": 2, "unusable document": 1,
    }
    assert data["warnings"]["items"][0] == {
        "kind": "malformed QID", "where": f"{MESSY}:1: document 'm1', mention 2",
        "message": "'GPE' is not a Wikidata QID; scored as null",
    }


# --- kb beside the baseline --------------------------------------------------------------------


def comparison() -> Comparison:
    return Comparison("d2.jsonl", {"kb": wrong_link_report(), "baseline": baseline_report()}, "prior")


def test_format_comparison_puts_kb_and_baseline_side_by_side():
    lines = format_comparison(comparison()).splitlines()
    assert lines[0] == "kb eval: d2.jsonl — 1 documents"
    assert lines[1] == "gold warnings: none"
    row = "{:<28}{:<24}{}"
    assert row.format("", "kb", "baseline (prior)") in lines
    # kb: 2 of 3 mentions, 3 predicted; baseline: 1 of 3, 1 predicted
    assert row.format("mentions* P / R / F1", "0.667 / 0.667 / 0.667", "1.000 / 0.333 / 0.500") in lines
    assert row.format("  GPE P / R / F1", "1.000 / 0.667 / 0.800", "1.000 / 0.333 / 0.500") in lines
    assert row.format("links P / R / F1", "0.500 / 0.500 / 0.500", "1.000 / 0.500 / 0.667") in lines
    assert row.format("gold QIDs found", "1/2", "1/2") in lines
    assert row.format("wrong QIDs", "1", "0") in lines
    assert row.format("in-KB accuracy", "0/1 = 0.000", "0/1 = 0.000") in lines
    assert row.format("given spans: accuracy", "not run", "0/2 = 0.000") in lines
    assert row.format("given spans: in-KB acc.", "not run", "0/1 = 0.000") in lines
    assert "Errors of kb (3)" in lines  # the kb run's errors only
    assert "Errors" not in format_comparison(comparison(), errors=False)


def test_format_comparisons_adds_the_combined_view():
    both = [comparison(), comparison()]
    text = format_comparisons(both, combined(both), errors=False)
    assert text.count("kb eval: d2.jsonl — 1 documents") == 2
    lines = text.splitlines()
    assert "kb eval: 2 gold sets combined — 2 documents" in lines
    assert "{:<28}{:<24}{}".format("gold QIDs found", "2/4", "2/4") in lines
    assert "{:<28}{:<24}{}".format("wrong QIDs", "2", "0") in lines


def test_comparisons_json_has_every_figure_per_set_and_system():
    both = [comparison(), comparison()]
    data = json.loads(comparisons_json(both, combined(both)))
    [first, _] = data["sets"]
    assert (first["gold_path"], first["documents"], first["baseline_name"]) == ("d2.jsonl", 1, "prior")
    assert first["warnings"]["count"] == 0
    assert first["kb"]["linking"]["wrong_qids"] == 1 and first["baseline"]["linking"]["wrong_qids"] == 0
    assert first["baseline"]["linking"]["f1"] == pytest.approx(2 / 3)
    assert first["baseline"]["given"]["accuracy"] == 0.0
    assert data["combined"]["kb"]["linking"]["gold"] == 4
    assert data["combined"]["baseline"]["in_kb"] == {"gold": 2, "found": 0, "accuracy": 0.0}
    assert "malformed QID" in data["warning_kinds"]
    assert json.loads(comparisons_json([comparison()]))["combined"] is None


def test_comparison_without_baseline_has_one_column():
    alone = Comparison("d2.jsonl", {"kb": wrong_link_report()})
    lines = format_comparison(alone, errors=False).splitlines()
    assert "{:<28}{}".format("", "kb") in lines
    assert "{:<28}{}".format("wrong QIDs", "1") in lines
