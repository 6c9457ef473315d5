"""Long texts are recognised in pieces: boundaries, offsets, names at the cut, the spaCy limit."""

from __future__ import annotations

import re

import pytest

from kb.recognise.chunks import chunk_spans, recognise_in_chunks
from kb.records import Mention

NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+)*")


def capitalised(texts):
    """A stand-in recogniser: every run of capitalised words is a name."""
    for text in texts:
        yield [Mention(m.start(), m.end(), m.group(), "PERSON") for m in NAME.finditer(text)]


def pieces(text, limit):
    return [text[start:end] for start, end in chunk_spans(text, limit)]


def test_a_text_that_fits_is_one_piece():
    assert chunk_spans("Short text.", 100) == [(0, 11)]
    assert chunk_spans("", 100) == [(0, 0)]


def test_pieces_cover_the_text_exactly_and_respect_the_limit():
    text = "".join(f"Sentence number {i} is here. " + ("\n\n" if i % 7 == 0 else "") for i in range(400))
    for limit in (50, 200, 1000):
        parts = pieces(text, limit)
        assert "".join(parts) == text
        assert all(len(part) <= limit for part in parts)
        assert all(len(part) >= limit // 2 for part in parts[:-1])


def test_paragraph_break_is_preferred_over_sentence_and_sentence_over_space():
    text = "First paragraph has words. More words here\n\nSecond one. Then more and more words follow on"
    first = pieces(text, 60)[0]
    assert first.endswith("\n\n") and first.startswith("First")
    text = "One sentence ends here. Another sentence goes on and on without end"
    assert pieces(text, 40)[0] == "One sentence ends here. "


def test_a_cut_never_falls_inside_a_word_when_there_is_whitespace():
    text = " ".join(["Alpha Bravo Charlie"] * 200)
    for part in pieces(text, 97)[:-1]:
        assert part.endswith(" ")


def test_abbreviations_are_not_taken_for_sentence_ends():
    # "U.S. Army" must not be cut after "U.S."; the cut goes between lowercase words instead.
    text = "the soldiers of the U.S. Army crossed the river quietly at night"
    first = pieces(text, 40)[0]
    assert not first.endswith("U.S. ")


def test_text_without_whitespace_is_cut_hard_at_the_limit():
    text = "x" * 1050
    assert [len(p) for p in pieces(text, 100)] == [100] * 10 + [50]


def test_the_number_of_pieces_grows_linearly():
    paragraph = "Officials met in the capital. " * 10 + "\n\n"
    assert len(chunk_spans(paragraph * 1000, 5000)) <= 2 * len(paragraph * 1000) // 5000 + 1


def test_limit_must_allow_a_piece():
    with pytest.raises(ValueError, match="at least 2"):
        chunk_spans("text", 1)


def test_mentions_get_offsets_into_the_whole_text_and_names_at_the_cut_survive():
    paragraph = "Yesterday Olena Examplenko met Petro Fakeenko in the city of Exampleville. "
    text = "".join(paragraph for _ in range(60))
    [mentions] = list(recognise_in_chunks(capitalised, [text], 180))
    expected = [Mention(m.start(), m.end(), m.group(), "PERSON") for m in NAME.finditer(text)]
    assert mentions == expected
    assert all(text[m.start : m.end] == m.text for m in mentions)


def test_each_text_gets_its_own_mentions_in_order():
    texts = ["Alpha met Bravo. " * 30, "", "Only Charlie here.", "Delta spoke. " * 50]
    results = list(recognise_in_chunks(capitalised, texts, 64))
    assert len(results) == 4
    for text, mentions in zip(texts, results):
        assert [m.text for m in mentions] == NAME.findall(text)
        assert all(text[m.start : m.end] == m.text for m in mentions)


def test_a_dateline_at_a_cut_in_the_middle_of_a_line_is_dropped():
    def datelines(texts):
        for text in texts:
            yield [Mention(0, 4, text[:4], "GPE", source="dateline")] if text[:1].isupper() else []

    text = "word " * 20 + "ABCD more words"  # one line: a piece starting at ABCD is a cut, not a line start
    assert list(recognise_in_chunks(datelines, [text], 110)) == [[]]
    text = "word " * 20 + "\nABCD more words"  # here ABCD does start a line
    [[mention]] = list(recognise_in_chunks(datelines, [text], 110))
    assert text[mention.start : mention.end] == "ABCD"


@pytest.mark.slow
def test_spacy_recognises_a_text_longer_than_its_max_length_in_pieces(mini_kb):
    from kb.pipeline import link_batches, make_nlp
    from kb.records import Document
    from kb.settings import Settings

    settings = Settings(max_chunk_chars=2_000)
    nlp = make_nlp(settings, mini_kb)
    nlp.max_length = 10_000  # as if this text were over spaCy's 1,000,000-character limit
    paragraph = "Jens Stoltenberg met Volodymyr Zelensky in Kyiv on Tuesday, Reuters reported.\n\n"
    text = paragraph * 300  # 24,600 characters
    [[(document, result)]] = list(link_batches(nlp, [Document("long", text)], mini_kb, settings))
    mentions = sorted([link.mention for link in result.links] + result.unlinked, key=lambda m: m.start)
    assert all(text[m.start : m.end] == m.text for m in mentions)
    people = [m for m in mentions if m.text == "Jens Stoltenberg"]
    assert len(people) == 300  # one per paragraph: none lost at a cut
    assert [m.start for m in people] == [i * len(paragraph) for i in range(300)]


def test_cyrillic_sentences_are_cut_between_sentences_not_inside_a_name():
    text = "Вчера министр встретился с коллегами. Владимир Путин ответил позже вечером"
    first = pieces(text, 60)[0]
    assert first == "Вчера министр встретился с коллегами. "
