"""Mentions of parsed documents: datelines, sentences, the snippet limit."""

import spacy
from spacy.tokens import Span

from kb.recognise import dateline_mentions, mentions_of


def test_datelines_give_places():
    text = "Headline here\nMILLBROOK, Ala. - Dana Whitfield spoke.\nKANSAS CITY — Stocks fell.\nAP - credit\nNot A - dateline\n"
    found = [(m.text, m.label, m.source) for m in dateline_mentions(text)]
    assert found == [
        ("MILLBROOK", "GPE", "dateline"), ("Ala.", "GPE", "dateline"), ("KANSAS CITY", "GPE", "dateline")
    ]
    for m in dateline_mentions(text):
        assert text[m.start : m.end] == m.text


def test_mentions_are_cleaned_and_their_sentences_cut_to_the_limit():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("Officials met “Ada Varga” in the capital of Examplestan on Monday. She left.")
    doc.ents = [Span(doc, 2, 6, label="PERSON"), Span(doc, 10, 11, label="GPE"), Span(doc, 12, 13, label="DATE")]
    mentions = mentions_of(doc, lambda surface: False)
    assert [(m.text, m.label, m.source) for m in mentions] == [("Ada Varga", "PERSON", "ner"), ("Examplestan", "GPE", "ner")]
    assert mentions[0].sentence == "Officials met “Ada Varga” in the capital of Examplestan on Monday."
    short = mentions_of(doc, lambda surface: False, sentence_limit=20)
    assert short[0].sentence == "Officials met “Ada …" and len(short[0].sentence) == 20


def test_nationality_words_stay_norp_and_programmes_are_no_organisations():
    nlp = spacy.blank("en")
    doc = nlp("Alphanian farmers praised the Clean Rivers Programme in Betaland.")
    doc.ents = [Span(doc, 0, 1, label="NORP"), Span(doc, 4, 7, label="ORG"), Span(doc, 8, 9, label="GPE")]
    mentions = mentions_of(doc, lambda surface: False)
    assert [(m.text, m.label) for m in mentions] == [
        ("Alphanian", "NORP"), ("Clean Rivers Programme", "PROGRAMME"), ("Betaland", "GPE")
    ]
    assert all(doc.text[m.start : m.end] == m.text for m in mentions)


def test_generic_words_and_titles_alone_are_no_names():
    nlp = spacy.blank("en")
    doc = nlp("The Republic thanked the Adviser and the finance ministry. Finance grew.")
    doc.ents = [Span(doc, 1, 2, label="GPE"), Span(doc, 4, 5, label="PERSON"), Span(doc, 11, 12, label="ORG")]
    assert mentions_of(doc, lambda surface: False) == []


def test_places_before_a_shared_plural_region_word_are_named_as_regions():
    nlp = spacy.blank("en")
    doc = nlp("Floods hit the Alphaville and Betaville regions; Alphaville itself stayed dry.")
    doc.ents = [Span(doc, 3, 4, label="GPE"), Span(doc, 5, 6, label="GPE"), Span(doc, 8, 9, label="GPE")]
    known = {"Alphaville region": "GPE", "Betaville region": "GPE"}
    mentions = mentions_of(doc, lambda surface: False, known=known)
    assert [(m.text, m.name, m.meant) for m in mentions] == [
        ("Alphaville", "Alphaville region", "Alphaville region"), ("Betaville", "Betaville region", "Betaville region"),
        ("Alphaville", "", "Alphaville"),
    ]
    assert all(doc.text[m.start : m.end] == m.text for m in mentions)
