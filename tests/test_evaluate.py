"""Tests for kb.evaluate.run and `kb eval`: running kb and the max-prior baseline over gold files.

Annotators are fakes returning canned predictions (per linker setting), so every figure is known;
fixtures are described in test_evaluate_scoring.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

import kb.evaluate.run as run_module
from kb.cli import cli
from kb.evaluate import Score, compare, evaluate, gold_spans, kb_qid_checker, read_gold
from kb.kbase import KnowledgeBase
from kb.records import Entity
from kb.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval"
DOMAIN = FIXTURES / "domain.jsonl"
NEWS = FIXTURES / "news.jsonl"
MESSY = FIXTURES / "messy.jsonl"
Q_BERG, Q_TARVIA, Q_OSTMARK, Q_OLSEN, Q_SKYBOLT = (
    "Q999000001", "Q999000003", "Q999000004", "Q999000010", "Q999000011",
)


def p(start: int, end: int, label: str, qid: str | None = None) -> dict:
    return {"start": start, "end": end, "text": "", "label": label, "qid": qid, "name": None, "score": 1.0}


def perfect(document) -> list[dict]:
    return [p(m.start, m.end, m.type, m.qid) for m in document.mentions]


class FakeAnnotator:
    """Canned predictions per linker ("full" for kb, "prior" for the baseline); records its calls."""

    def __init__(self, full: dict[str, list[dict]], prior: dict[str, list[dict]] | None = None):
        self.predictions = {"full": full, "prior": prior if prior is not None else full}
        self.calls: list[tuple[str, list[tuple]]] = []

    def __call__(self, items, *, settings, knowledge_base):
        items = list(items)
        self.calls.append((settings.linker, items))
        for item in items:
            yield {"id": item[0], "mentions": self.predictions[settings.linker].get(item[0], [])}


def fake_kb() -> KnowledgeBase:
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add([Entity(id="anna-berg", label="Anna Berg", type="PERSON", qid=Q_BERG)])
    return knowledge_base


# --- running -----------------------------------------------------------------------------------


def test_kb_qid_checker_asks_the_knowledge_base():
    has = kb_qid_checker(fake_kb())
    assert has(Q_BERG) is True
    assert has(Q_TARVIA) is False


def test_evaluate_runs_the_annotator_on_gold_texts_and_scores():
    domain = read_gold(DOMAIN)
    annotate = FakeAnnotator({"d1": perfect(domain[0])})
    link_spans = FakeAnnotator({"d2": [p(0, 6, "GPE", Q_TARVIA)]})
    report = evaluate(DOMAIN, settings=Settings(), knowledge_base=fake_kb(), annotate=annotate,
                      link_spans=link_spans)
    assert annotate.calls == [("full", [(d.id, d.text) for d in domain])]
    assert link_spans.calls == [("full", [(d.id, d.text, gold_spans(d)) for d in domain])]
    assert report.gold_path == str(DOMAIN)
    assert report.linking == Score(4, 4, 4, 6)
    assert (report.in_kb_found, report.in_kb_gold) == (2, 2)  # only Q999000001 is in the KB
    assert (report.given.correct, report.given.gold, report.given.in_kb_gold) == (1, 6, 2)
    assert report.warnings == ()


def test_evaluate_scores_a_messy_file_and_keeps_its_warnings():
    annotate = FakeAnnotator({"m1 (line 4)": [p(0, 5, "GPE", "Q999000102")]})
    report = evaluate(MESSY, settings=Settings(), knowledge_base=fake_kb(), annotate=annotate)
    assert [item[0] for item in annotate.calls[0][1]] == ["m1", "line 2", "m1 (line 4)", "m5"]
    assert len(report.warnings) == 9
    assert report.linking == Score(correct=1, predicted=1, found=1, gold=5)
    assert report.mentions_overall == Score(1, 1, 1, 7)


def test_evaluate_rejects_malformed_annotator_output():
    def broken(items, *, settings, knowledge_base):
        return [{"id": "d1"}]

    with pytest.raises(ValueError, match="annotator: result 1 is not a dict with 'id' and a 'mentions' list"):
        evaluate(DOMAIN, settings=Settings(), knowledge_base=fake_kb(), annotate=broken)


def test_compare_scores_kb_and_the_prior_baseline_on_every_file():
    domain, news = read_gold(DOMAIN), read_gold(NEWS)
    full = {d.id: perfect(d) for d in domain + news}
    prior = {"d1": [p(0, 9, "PERSON", Q_BERG)], "n1": [p(0, 10, "PERSON", Q_SKYBOLT)]}
    annotate = FakeAnnotator(full, prior)
    results = compare([DOMAIN, NEWS], settings=Settings(), knowledge_base=fake_kb(), annotate=annotate)
    assert [linker for linker, _ in annotate.calls] == ["full", "prior", "full", "prior"]
    assert [(c.gold_path, c.documents, c.baseline, list(c.reports)) for c in results] == [
        (str(DOMAIN), 2, "prior", ["kb", "baseline"]),
        (str(NEWS), 1, "prior", ["kb", "baseline"]),
    ]
    domain_kb, domain_prior = results[0].reports["kb"], results[0].reports["baseline"]
    assert domain_kb.linking == Score(6, 6, 6, 6)
    assert domain_prior.linking == Score(1, 1, 1, 6)
    assert domain_prior.mentions_overall == Score(1, 1, 1, 8)
    news_prior = results[1].reports["baseline"]
    # Mark Olsen linked to another entity's QID: a wrong QID; the span is a right mention
    assert news_prior.linking == Score(correct=0, predicted=1, found=0, gold=2)
    assert news_prior.wrong_qids == 1
    assert news_prior.mentions["PERSON"] == Score(1, 1, 1, 1)


def test_compare_without_baseline_runs_kb_only_and_rejects_unknown_baselines():
    annotate = FakeAnnotator({})
    [result] = compare([DOMAIN], settings=Settings(), knowledge_base=fake_kb(), annotate=annotate, baseline=None)
    assert list(result.reports) == ["kb"] and result.baseline is None
    assert [linker for linker, _ in annotate.calls] == ["full"]
    with pytest.raises(ValueError, match="unknown baseline 'coin'"):
        compare([DOMAIN], settings=Settings(), knowledge_base=fake_kb(), annotate=annotate, baseline="coin")


# --- the command -------------------------------------------------------------------------------


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "kb.db"
    KnowledgeBase.open(path).add([Entity(id="anna-berg", label="Anna Berg", type="PERSON", qid=Q_BERG)])
    return path


def run_cli(monkeypatch, annotator, *args):
    monkeypatch.setattr(run_module, "default_annotator", lambda: annotator)
    return CliRunner().invoke(cli, ["eval", *args])


def domain_annotator() -> FakeAnnotator:
    """kb perfect on domain.jsonl; the baseline finds Anna Berg only."""
    domain = read_gold(DOMAIN)
    return FakeAnnotator({d.id: perfect(d) for d in domain}, {"d1": [p(0, 9, "PERSON", Q_BERG)]})


def test_cli_eval_prints_kb_and_baseline_side_by_side(monkeypatch, kb_file):
    result = run_cli(monkeypatch, domain_annotator(), str(DOMAIN), "--kb", str(kb_file), "--no-given")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    row = "{:<28}{:<24}{}"
    assert row.format("", "kb", "baseline (prior)") in lines
    # baseline: 1 of 8 mentions, 1 of 6 gold QIDs
    assert row.format("mentions* P / R / F1", "1.000 / 1.000 / 1.000", "1.000 / 0.125 / 0.222") in lines
    assert row.format("links P / R / F1", "1.000 / 1.000 / 1.000", "1.000 / 0.167 / 0.286") in lines
    assert row.format("in-KB accuracy", "2/2 = 1.000", "1/2 = 0.500") in lines
    assert row.format("given spans: accuracy", "not run", "not run") in lines
    assert "No errors." in lines  # kb's errors


def test_cli_eval_several_files_with_json(monkeypatch, kb_file):
    domain, news = read_gold(DOMAIN), read_gold(NEWS)
    annotator = FakeAnnotator({d.id: perfect(d) for d in domain + news}, {})
    result = run_cli(monkeypatch, annotator, str(DOMAIN), str(NEWS), "--kb", str(kb_file), "--json", "--no-given")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["gold_path"] for s in data["sets"]] == [str(DOMAIN), str(NEWS)]
    assert [s["kb"]["linking"]["f1"] for s in data["sets"]] == [1.0, 1.0]
    assert [s["baseline"]["linking"]["recall"] for s in data["sets"]] == [0.0, 0.0]
    assert data["sets"][0]["kb"]["in_kb"] == {"gold": 2, "found": 2, "accuracy": 1.0}
    combined = data["combined"]
    assert (combined["documents"], combined["kb"]["linking"]["gold"]) == (3, 8)
    assert combined["kb"]["mentions_overall"]["gold"] == 9  # 8 domain + Mark Olsen
    assert combined["baseline"]["mentions_overall"]["f1"] == 0.0


def test_cli_eval_baseline_none_and_given_spans(monkeypatch, kb_file):
    annotator = domain_annotator()
    monkeypatch.setattr("kb.annotate.annotate_spans", FakeAnnotator({"d2": [p(0, 6, "GPE", Q_TARVIA)]}))
    result = run_cli(monkeypatch, annotator, str(DOMAIN), "--kb", str(kb_file), "--baseline", "none",
                     "--json")
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.output)["sets"]
    assert "baseline" not in entry and entry["baseline_name"] is None
    assert [linker for linker, _ in annotator.calls] == ["full"]
    assert (entry["kb"]["given"]["correct"], entry["kb"]["given"]["gold"]) == (1, 6)


def test_cli_eval_baseline_prior_uses_the_prior_linker(monkeypatch, kb_file):
    annotator = domain_annotator()
    result = run_cli(monkeypatch, annotator, str(DOMAIN), "--kb", str(kb_file), "--baseline", "prior",
                     "--no-given", "--no-errors")
    assert result.exit_code == 0, result.output
    assert [linker for linker, _ in annotator.calls] == ["full", "prior"]
    assert "Errors" not in result.output and "No errors" not in result.output


def test_cli_eval_reports_messy_gold_with_warning_counts(monkeypatch, kb_file):
    result = run_cli(monkeypatch, FakeAnnotator({}), str(MESSY), "--kb", str(kb_file), "--no-given", "--no-errors")
    assert result.exit_code == 0, result.output
    assert "gold warnings: 9 (malformed QID 2, duplicate span 1, overlapping span 1" in result.output


def test_cli_eval_reports_a_hopeless_gold_file_as_an_error(monkeypatch, kb_file, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    result = run_cli(monkeypatch, FakeAnnotator({}), str(bad), "--kb", str(kb_file))
    assert result.exit_code == 1
    assert f"Error: {bad}: no usable gold document; first problem: {bad}:1: not valid JSON" in result.output


def test_cli_eval_missing_kb_file_is_an_error(monkeypatch, tmp_path):
    result = run_cli(monkeypatch, FakeAnnotator({}), str(DOMAIN), "--kb", str(tmp_path / "nope.db"))
    assert result.exit_code == 1
    assert "nope.db: no such knowledge-base file" in result.output


# --- with the real annotator (slow) ------------------------------------------------------------


@pytest.mark.slow
def test_cli_eval_with_the_real_annotator(tmp_path):
    """End to end with spaCy on the fixture: the gold side is exact, both systems are scored."""
    result = CliRunner().invoke(cli, ["eval", str(DOMAIN), str(NEWS), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    domain_set, news_set = data["sets"]
    for system in ("kb", "baseline"):
        assert domain_set[system]["mentions_overall"]["gold"] == 8
        assert domain_set[system]["linking"]["gold"] == 6
        assert domain_set[system]["given"]["gold"] == 6
        assert news_set[system]["mentions_overall"]["gold"] == 1  # Mark Olsen; the rest is PRODUCT/OTHER
        assert news_set[system]["linking"]["gold"] == 2  # inside the evaluation span
        # none of the invented names is in the starter KB
        assert domain_set[system]["in_kb"] == {"gold": 0, "found": 0, "accuracy": None}
    assert data["combined"]["kb"]["linking"]["gold"] == 8
