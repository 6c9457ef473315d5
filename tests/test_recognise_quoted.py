"""Names in quotation marks beside a noun that says what they name (kb/recognise/quoted.py)."""

import pytest

from kb.recognise.context import Context, Ent, lower_words
from kb.recognise.quoted import kind_of, quoted_names
from repair_spans import run_step, surfaces

KNOWN = {"Alphania": "GPE", "Gammaville": "GPE", "Omega Union": "ORG"}


def found(text: str, *spans: tuple[str, str]) -> list[tuple[str, str]]:
    """(surface, label) of the spans after the step."""
    return surfaces(text, run_step(quoted_names, text, spans, KNOWN))


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        # the noun before the quotation, in each kind of quotation marks
        ('He spoke to the TV channel "Alphania 24" on Monday.', [("Alphania", "GPE")], [("Alphania 24", "ORG")]),
        ("He spoke to the TV channel «Alphania 24» on Monday.", [("Alphania", "GPE")], [("Alphania 24", "ORG")]),
        ("He spoke to the TV channel “Alphania 24” on Monday.", [("Alphania", "GPE")], [("Alphania 24", "ORG")]),
        ('They joined a platform called "Rebuild Alphania" today.', [("Alphania", "GPE")],
         [("Rebuild Alphania", "PRODUCT")]),
        # the noun after it: its label says what the name is
        ('The "Grain from Alphania" initiative goes on.', [("Alphania", "GPE")], [("Grain from Alphania", "PROGRAMME")]),
        ('The "Omega Union Days" festival opened.', [("Omega Union", "ORG")], [("Omega Union Days", "EVENT")]),
        ('He planned operation "Gammaville Dawn" then.', [("Gammaville", "GPE")], [("Gammaville Dawn", "EVENT")]),
    ],
)
def test_a_quoted_name_beside_its_kind_holds_the_names_inside_it(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans",
    [
        # another noun: a word, a slogan quoted, not a name
        ('He wrote the word "Alphania" twice, then "Free Alphania" on a wall.', [("Alphania", "GPE")]),
        # a quotation that reads as a sentence, or holds punctuation
        ('Said the agency "Alphania will win" today.', [("Alphania", "GPE")]),
        ('The channel "Alphania, our home" aired.', [("Alphania", "GPE")]),
        # a span covering the whole quotation is kept as it is
        ('The company "Omega Union" signed.', [("Omega Union", "ORG")]),
        # unmatched quotation marks
        ('The channel "Alphania 24» aired.', [("Alphania", "GPE")]),
        # speech to a listener the noun names
        ('He told parliament "Glory to Alphania" and left.', [("Alphania", "GPE")]),
        ('He told the summit "Gammaville Needs Help" today.', [("Gammaville", "GPE")]),
        # more than eight words
        ('The project "One Two Three Four Five Six Seven Alphania Nine" ends.', [("Alphania", "GPE")]),
    ],
)
def test_other_quotations_leave_the_spans_alone(text, spans):
    assert found(text, *spans) == [(surface, label) for surface, label in spans]


def test_a_span_crossing_the_quotation_is_left_alone():
    text = 'The channel "Alphania 24" Kyra Varga said.'
    spans = [("Alphania", "GPE"), ('24" Kyra Varga', "PERSON")]
    assert found(text, *spans) == spans


def test_kinds_come_from_the_vocabulary_of_heads():
    assert kind_of("channel") == "ORG"
    assert kind_of("initiatives") == "PROGRAMME"
    assert kind_of("agency") == "ORG"
    assert kind_of("word") is None
    assert kind_of("slogan") is None


def test_a_known_name_quoted_whole_keeps_its_ruler_id():
    text = 'The company "Omega Union" signed.'
    start = text.index("Omega Union")
    known = Ent(start, start + len("Omega Union"), "ORG", "omega union")
    assert quoted_names([known], Context(text, lower_words(text), KNOWN)) == [known]
