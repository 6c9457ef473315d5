"""Names found again: whole words, no overlaps, longest form first, sentences cut to the limit."""

from kb.recognise.repeats import find_again, sentence_around
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
