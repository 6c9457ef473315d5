"""Names found again: whole words, no overlaps, longest form first, sentences cut to the limit."""

import random
import re

from kb.recognise.repeats import find_again, sentence_around, whole_words
from kb.settings import Settings

TEXT = "Ada Varga spoke first. Later Varga left; Varga's aides stayed.\nVargas and Varga-Lind did not."


def test_forms_are_found_as_whole_words_outside_taken_spans():
    [found] = find_again(TEXT, [(["Ada Varga", "Varga"], "PERSON")], [(0, 9)], Settings())
    assert [(m.start, m.text, m.label, m.source) for m in found] == [
        (29, "Varga", "PERSON", "propagated"),
        (41, "Varga", "PERSON", "propagated"),
    ]
    assert found[0].sentence == "Later Varga left; Varga's aides stayed."


def test_an_earlier_name_keeps_its_occurrences():
    text = "Orlando Magic won. The Magic fans cheered Orlando Magic again."
    magic, orlando = find_again(text, [(["Orlando Magic", "Magic"], "ORG"), (["Orlando"], "GPE")], [], Settings())
    assert [m.text for m in magic] == ["Orlando Magic", "Orlando Magic", "Magic"]
    assert orlando == []  # every "Orlando" is inside an "Orlando Magic" already found


def test_sentences_are_cut_to_the_limit():
    [found] = find_again(TEXT, [(["Varga"], "PERSON")], [], Settings(sentence_limit=10))
    assert [m.sentence for m in found][:2] == ["Ada Varga ", "Later Varg"]
    assert sentence_around("One. Two three. Four", 5, 8, 400) == "Two three."


def test_overlapping_and_nested_taken_spans_block_what_they_cover():
    text = "Varga met Varga and Varga near Varga, then Varga."
    # (0, 30) covers the first three; the nested (10, 15) and the overlapping (28, 37) change nothing
    # but the fourth; the last occurrence is free.
    [found] = find_again(text, [(["Varga"], "PERSON")], [(10, 15), (0, 30), (28, 37)], Settings())
    assert [m.start for m in found] == [43]


def test_many_taken_spans_agree_with_a_plain_overlap_check():
    text = " ".join(["Kovo"] * 300)
    taken = [(i * 10, i * 10 + 4) for i in range(0, 150, 3)] + [(700, 760)]
    [found] = find_again(text, [(["Kovo"], "ORG")], taken, Settings())
    expected = [
        i * 5 for i in range(300) if not any(i * 5 < e and s < i * 5 + 4 for s, e in taken)
    ]
    assert [m.start for m in found] == expected


def test_whole_words_finds_what_a_look_around_pattern_finds():
    rng = random.Random(5)
    alphabet = ["Ab", "ab", " ", "-", "_", "9", "é", "Ж", ".", "\n", "Ab Ab"]
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14)))
        form = rng.choice(["Ab", "Ab Ab", "ab", "b", "Abab"])
        expected = [m.span() for m in re.finditer(rf"(?<![\w\-]){re.escape(form)}(?![\w\-])", text)]
        assert list(whole_words(text, form)) == expected, (text, form)
