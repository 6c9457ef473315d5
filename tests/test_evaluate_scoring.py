"""Tests for kb.evaluate.scoring and .results: every scoring rule on hand-computed cases.

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
messy.jsonl   a file with one problem of each kind; what is scored after the repairs:
              m1 "Lena Voss flew from Korva to Brannock with Teo Marr."
                 Lena Voss [0:9] PERSON Q999000101, Korva [20:25] GPE null (placeholder QID),
                 Brannock [29:37] GPE Q999000103, Teo Marr [43:51] PERSON Q999000104,
                 Teo [43:46] PERSON Q999000105 (overlaps Teo Marr)
              line 2 "Brannock exports tin."  Brannock [0:8] GPE null (empty QID)
              m1 (line 4) "Korva voted."  Korva [0:5] GPE Q999000102
              m5 "Dag"  Dag [0:3] LOC null
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.evaluate import (
    GoldDocument,
    GoldMention,
    Score,
    combine,
    format_report,
    gold_spans,
    read_gold,
    read_gold_set,
    score,
    score_given,
    type_mapping,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval"
DOMAIN = FIXTURES / "domain.jsonl"
NEWS = FIXTURES / "news.jsonl"
MESSY = FIXTURES / "messy.jsonl"

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


@pytest.fixture
def messy() -> list[GoldDocument]:
    return list(read_gold_set(MESSY).documents)


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



# --- a worked example, every figure computed by hand -------------------------------------------

Q_VOSS, Q_KORVA, Q_BRANNOCK, Q_MARR, Q_TEO = ("Q999000101", "Q999000102", "Q999000103", "Q999000104", "Q999000105")
Q_ELSE = "Q999000199"


def messy_predictions() -> dict[str, list[dict]]:
    """One prediction of each outcome on the repaired messy.jsonl."""
    return {
        "m1": [
            p(0, 9, "PERSON", Q_VOSS),  # mention right, link right
            p(20, 25, "GPE", Q_ELSE),  # mention right, link neutral (gold QID was a placeholder)
            p(29, 37, "ORG", Q_BRANNOCK),  # type error; link right (links ignore type)
            p(43, 51, "PERSON", Q_TEO),  # mention right (Teo Marr); link finds the overlapping Teo
        ],
        "line 2": [p(0, 8, "GPE", Q_ELSE)],  # mention right, link neutral (gold QID was empty)
        "m1 (line 4)": [
            p(0, 5, "GPE", Q_VOSS),  # mention right, wrong QID
            p(6, 11, "ORG", Q_ELSE),  # "voted": spurious mention, false link
        ],
    }  # nothing for m5


def test_worked_example_mentions(messy):
    report = score(messy, messy_predictions())
    assert report.types == ("PERSON", "ORG", "WEAPON", "GPE", "LOC")
    # PERSON: gold Lena Voss, Teo Marr, Teo; predicted Lena Voss, Teo Marr
    assert report.mentions["PERSON"] == Score(2, 2, 2, 3)
    assert figures(report.mentions["PERSON"]) == (1.0, pytest.approx(2 / 3), pytest.approx(0.8))
    # GPE: gold Korva, Brannock, Brannock, Korva; predicted Korva, Brannock (line 2), Korva
    assert report.mentions["GPE"] == Score(3, 3, 3, 4)
    assert figures(report.mentions["GPE"]) == (1.0, 0.75, pytest.approx(6 / 7))
    assert report.mentions["ORG"] == Score(0, 2, 0, 0)
    assert figures(report.mentions["ORG"]) == (0.0, None, 0.0)
    assert report.mentions["LOC"] == Score(0, 0, 0, 1)  # unknown gold type: its own row
    # headline: 7 gold, 7 predicted, 5 right
    assert report.mentions_overall == Score(5, 7, 5, 7)
    assert figures(report.mentions_overall) == pytest.approx((5 / 7, 5 / 7, 5 / 7))


def test_worked_example_links_wrong_qids_and_in_kb_accuracy(messy):
    report = score(messy, messy_predictions(), kb_qids=lambda qid: qid in {Q_VOSS, Q_KORVA, Q_MARR})
    # 7 predicted QIDs: 3 right (Lena Voss, Brannock, Teo), 2 neutral, 2 false (one a wrong QID)
    # 5 gold QIDs: Lena Voss, Brannock, Teo found; Teo Marr and Korva (line 4) not
    assert report.linking == Score(correct=3, predicted=5, found=3, gold=5)
    assert figures(report.linking) == (0.6, 0.6, pytest.approx(0.6))
    assert report.wrong_qids == 1
    assert report.neutral_links == 2
    # in the KB: Lena Voss (found), Korva (wrong QID), Teo Marr (missed)
    assert (report.in_kb_found, report.in_kb_gold) == (1, 3)
    assert report.in_kb_accuracy == pytest.approx(1 / 3)
    assert kinds(report) == [  # by document, then span
        ("type error", "m1", 29),
        ("missed mention", "m1", 43),  # Teo [43:46]
        ("missed link", "m1", 43),  # Teo Marr [43:51]
        ("wrong link", "m1 (line 4)", 0),
        ("false link", "m1 (line 4)", 6),
        ("spurious mention", "m1 (line 4)", 6),
        ("missed mention", "m5", 0),
    ]
    missed = report.errors[2]
    assert (missed.gold_qid, missed.predicted_type) == (Q_MARR, "PERSON")


def test_worked_example_given_spans(messy):
    given = {
        "m1": [
            p(0, 9, "PERSON", Q_VOSS),  # right
            p(20, 25, "GPE", Q_ELSE),  # gold QID null: not scored
            p(29, 37, "GPE", Q_ELSE),  # wrong
            p(43, 51, "PERSON", Q_MARR),  # right; Teo [43:46] gets nothing
        ],
        "m1 (line 4)": [p(0, 5, "GPE", Q_KORVA)],  # right
    }
    result = score_given(messy, given, kb_qids=lambda qid: qid in {Q_VOSS, Q_KORVA, Q_MARR})
    assert (result.correct, result.gold) == (3, 5)
    assert result.accuracy == 0.6
    assert (result.in_kb_correct, result.in_kb_gold) == (3, 3)
    assert result.in_kb_accuracy == 1.0
    assert [(e.kind, e.start, e.predicted_qid) for e in result.errors] == [
        ("given: wrong link", 29, Q_ELSE),
        ("given: missed link", 43, None),
    ]


def test_combine_adds_up_every_count(domain, messy):
    kb_qids = lambda qid: qid in {Q_VOSS, Q_KORVA, Q_MARR, Q_BERG}  # noqa: E731
    first = score(messy, messy_predictions(), kb_qids, given={})
    second = score(domain, {"d1": perfect(domain[0])}, kb_qids, given={"d1": perfect(domain[0])})
    total = combine([first, second])
    assert total.documents == 6
    assert total.types == ("PERSON", "ORG", "WEAPON", "GPE", "LOC")
    # messy: 5 right of 7 predicted, 7 gold; domain d1 perfect (5), d2 missed (3 gold)
    assert total.mentions_overall == Score(10, 12, 10, 15)
    assert total.mentions_overall.f1 == pytest.approx(2 * (10 / 12) * (10 / 15) / (10 / 12 + 10 / 15))
    assert total.mentions["PERSON"] == Score(4, 4, 4, 5)
    # links: messy 3 of 5, 5 gold; domain 4 right of 4, 6 gold
    assert total.linking == Score(correct=7, predicted=9, found=7, gold=11)
    assert (total.wrong_qids, total.neutral_links) == (1, 2)
    # in KB: messy 1 of 3; domain Anna Berg and Berg, both found
    assert (total.in_kb_found, total.in_kb_gold) == (3, 5)
    # given: messy nothing right of 5; domain 4 right of 6, Anna Berg and Berg in the KB
    assert (total.given.correct, total.given.gold, total.given.in_kb_correct, total.given.in_kb_gold) == (4, 11, 2, 5)
    assert total.errors == ()


def test_combine_leaves_unmeasured_figures_unmeasured(domain):
    measured = score(domain, {}, lambda qid: True)
    unmeasured = score(domain, {})
    total = combine([measured, unmeasured])
    assert total.in_kb_gold is None and total.in_kb_accuracy is None
    assert total.given is None
    assert total.linking == Score(0, 0, 0, 12)
