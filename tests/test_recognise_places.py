"""Places and the units they name (kb/recognise/places.py): the cases added after the first
ones, which live in tests/test_recognise_repair.py."""

import pytest

from kb.recognise.context import Context, Ent, lower_words
from kb.recognise.places import shared_heads

KNOWN = {"the Epsilon": "GPE", "Epsilon region": "GPE", "Alphania": "GPE", "Gammaville": "GPE", "Deltaburg": "GPE",
         "Gammaville region": "GPE", "Deltaburg region": "GPE", "Gammaville Oblast": "GPE", "Gammaville Krai": "GPE"}


def heads(text: str, *surfaces: str) -> list[tuple[str, str]]:
    """(surface, head) of each place after the step, from hand-written GPE spans."""
    ents = []
    for surface in surfaces:
        start = text.index(surface, ents[-1].end if ents else 0)
        ents.append(Ent(start, start + len(surface), "GPE", surface.lower()))
    context = Context(text, lower_words(text), KNOWN)
    return [(text[e.start : e.end], e.head) for e in shared_heads(ents, context)]


@pytest.mark.parametrize(
    "text",
    [
        "Residents of the southern regions of Alphania - Gammaville and Deltaburg left.",
        "Two regions: Gammaville and Deltaburg.",
        "Help came to a number of regions, including Gammaville and Deltaburg.",
    ],
)
def test_places_listed_after_the_unit_that_announces_them_are_such_units(text):
    assert heads(text, "Gammaville", "Deltaburg") == [("Gammaville", "region"), ("Deltaburg", "region")]


def test_an_announced_plural_unit_is_looked_up_in_its_own_word():
    text = "The oblasts - Gammaville and Deltaburg - voted."
    # "Deltaburg Oblast" is no name the knowledge base knows: Deltaburg stays the city
    assert heads(text, "Gammaville", "Deltaburg") == [("Gammaville", "Oblast"), ("Deltaburg", "")]


@pytest.mark.parametrize(
    "text",
    [
        # a front's direction: the places after it are the towns fought over in it
        "Attacks grew in the eastern direction – Gammaville, Deltaburg.",
        # no dash or colon: the list is no apposition to the unit word
        "The regions of Alphania and Gammaville and Deltaburg met.",
        # another word announces the list
        "The cities - Gammaville and Deltaburg - voted.",
        # words between the unit word and the dash
        "The regions were named in a long report that listed many things at length and then also - "
        "Gammaville and Deltaburg.",
    ],
)
def test_other_lists_stay_places(text):
    assert all(head == "" for _, head in heads(text, "Gammaville", "Deltaburg"))


def test_a_known_name_with_its_article_is_looked_up_without_it():
    text = "Fighting went on in the Epsilon direction."
    assert heads(text, "the Epsilon") == [("the Epsilon", "region")]


def test_a_territory_is_looked_up_as_a_krai():
    text = "Sessions were held in the Gammaville and Deltaburg territories."
    # no "Deltaburg Krai" known: Deltaburg stays the city
    assert heads(text, "Gammaville", "Deltaburg") == [("Gammaville", "Krai"), ("Deltaburg", "")]


def test_a_place_whose_region_the_list_names_too_stays_the_city():
    text = "Major regions, including Gammaville, Gammaville Oblast and Deltaburg, grew."
    assert heads(text, "Gammaville", "Gammaville Oblast", "Deltaburg") == [
        ("Gammaville", ""), ("Gammaville Oblast", ""), ("Deltaburg", "region")
    ]


def test_places_before_and_other_regions_are_regions():
    text = "In the Gammaville and other regions, and in the Deltaburg, Gammaville and other regions, it rained."
    assert heads(text, "Gammaville", "Deltaburg", "Gammaville") == [
        ("Gammaville", "region"), ("Deltaburg", "region"), ("Gammaville", "region")
    ]
    text = "In Gammaville and other cities it rained."
    assert heads(text, "Gammaville") == [("Gammaville", "")]
