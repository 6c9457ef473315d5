"""Known names that are pieces of a longer name (kb/recognise/longer.py): the cases added after
the first ones, which live in tests/test_recognise_repair.py."""

import pytest

from kb.recognise.longer import longer_names
from repair_spans import run_step, surfaces

KNOWN = {"Alphania": "GPE", "Betaland": "GPE", "Gammaville": "GPE", "Omega Union": "ORG", "Kyra Varga": "PERSON"}


def found(text: str, *spans: tuple[str, str]) -> list[tuple[str, str]]:
    """(surface, label) of the spans after the step."""
    return surfaces(text, run_step(longer_names, text, spans, KNOWN))


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        # "and" between two words of a body's name
        ("They used the Omega Union Support and Procurement Agency then.", [("Omega Union", "ORG")],
         [("Omega Union Support and Procurement Agency", "ORG")]),
        ("He saw the Alphania Research and Training Centre today.", [("Alphania", "GPE")],
         [("Alphania Research and Training Centre", "ORG")]),
        # "and" after a head word joins two names: the first body's name ends there
        ("He wrote to the Omega Union Commission and Parliament today.", [("Omega Union", "ORG")],
         [("Omega Union Commission", "ORG")]),
        # after an "and", neither a model's span nor an "of …" phrase is taken in
        ("He thanked the Alphania Oleksa Petrenko and Rector of the University.",
         [("Alphania", "GPE"), ("Rector of the University", "ORG")],
         [("Alphania", "GPE"), ("Rector of the University", "ORG")]),
        ("He thanked the Alphania Research and Training Centre of the University.",
         [("Alphania", "GPE")], [("Alphania Research and Training Centre", "ORG")]),
        # words joined by "and" that go on past the longest name read: no name is read, the place stays
        ("He studied at the Alphania Automobile and Road Construction State Technical University.",
         [("Alphania", "GPE")], [("Alphania", "GPE")]),
        # the model's span after "and" that ends in a head word is taken in
        ("He saw the Alphania Research and Training Centre today.", [("Alphania", "GPE"), ("Training Centre", "PERSON")],
         [("Alphania Research and Training Centre", "ORG")]),
        # a known place right after "and" is no word of the organisation's body (it makes its own name)
        ("The Omega Union Support and Gammaville Group met.", [("Omega Union", "ORG"), ("Gammaville", "GPE")],
         [("Omega Union", "ORG"), ("Gammaville Group", "ORG")]),
        # a known place inside the name of an organisation's body
        ("Talks of the Omega Union Gammaville Group resumed.", [("Omega Union", "ORG"), ("Gammaville", "GPE")],
         [("Omega Union Gammaville Group", "ORG")]),
        # a meeting: the organisation keeps its name, the place makes the event's
        ("The Omega Union Gammaville Summit opened.", [("Omega Union", "ORG"), ("Gammaville", "GPE")],
         [("Omega Union", "ORG"), ("Gammaville Summit", "EVENT")]),
        ("The Omega Union Gammaville office said so.", [("Omega Union", "ORG"), ("Gammaville", "GPE")],
         [("Omega Union", "ORG"), ("Gammaville", "GPE")]),
        # a mission is one of an organisation's bodies
        ("She served in the Omega Union Monitoring Mission last year.", [("Omega Union", "ORG")],
         [("Omega Union Monitoring Mission", "ORG")]),
    ],
)
def test_a_body_of_a_known_organisation_is_its_own_name(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("Work on the Alphania-Gammaville-Betaland motorway goes on.",
         [("Alphania", "GPE"), ("Gammaville", "GPE"), ("Betaland", "GPE")],
         [("Alphania-Gammaville-Betaland motorway", "FAC")]),
        ("The Alphania – Gammaville Highway reopened.", [("Alphania", "GPE"), ("Gammaville", "GPE")],
         [("Alphania – Gammaville Highway", "FAC")]),
        ("Gas flows through the Alphania–Betaland pipeline.", [("Alphania", "GPE"), ("Betaland", "GPE")],
         [("Alphania–Betaland pipeline", "FAC")]),
        # lower-case words before the route's noun
        ("Gas flows through the Alphania-Betaland gas pipeline.", [("Alphania", "GPE"), ("Betaland", "GPE")],
         [("Alphania-Betaland gas pipeline", "FAC")]),
        # a road map is no road
        ("The Alphania-Betaland road map was revived.", [("Alphania", "GPE"), ("Betaland", "GPE")],
         [("Alphania", "GPE"), ("Betaland", "GPE")]),
        # a place of two words inside the route
        ("The Alphania-Upper Delta-Gammaville Motorway opened.", [("Alphania", "GPE"), ("Gammaville", "GPE")],
         [("Alphania-Upper Delta-Gammaville Motorway", "FAC")]),
    ],
)
def test_a_route_named_after_the_places_it_joins_is_a_facility(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans",
    [
        # places joined by a hyphen before another noun: talks, a border, a war
        ("The Alphania-Betaland talks resumed.", [("Alphania", "GPE"), ("Betaland", "GPE")]),
        ("The Alphania-Betaland border is closed.", [("Alphania", "GPE"), ("Betaland", "GPE")]),
        # one place before a road's noun: the road to it
        ("They drove on the Gammaville road.", [("Gammaville", "GPE")]),
        # a span the would-be route would cut in two
        ("Kyra Varga-Alphania road works began.", [("Kyra Varga", "PERSON"), ("Alphania", "GPE")]),
    ],
)
def test_other_hyphenated_places_stay_places(text, spans):
    assert found(text, *spans) == list(spans)


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("They paid 2 billion Alphania dollars.", [("Alphania", "GPE")], [("Alphania dollars", "MONEY")]),
        ("Trust in the Alphania dollar fell.", [("Alphania", "GPE")], [("Alphania dollar", "MONEY")]),
        # an organisation's name before a currency word keeps its name: a currency is none of its bodies
        ("The Omega Union euro rules apply.", [("Omega Union", "ORG")], [("Omega Union", "ORG")]),
    ],
)
def test_a_country_before_its_currency_is_the_currencys_name(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("The Days of Alphania opened in Gammaville.", [("Alphania", "GPE"), ("Gammaville", "GPE")],
         [("Days of Alphania", "EVENT"), ("Gammaville", "GPE")]),
        ("We marked the Day of Unity of Alphania.", [("Alphania", "GPE")], [("Day of Unity of Alphania", "EVENT")]),
    ],
)
def test_days_named_after_a_place_hold_it(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("The Omega Union-Alphania Council met.", [("Omega Union", "ORG"), ("Alphania", "GPE")],
         [("Omega Union-Alphania Council", "ORG")]),
        ("They signed the Omega Union–Alphania Founding Act then.", [("Omega Union", "ORG"), ("Alphania", "GPE")],
         [("Omega Union–Alphania Founding Act", "LAW")]),
        # a dash with spaces around it is punctuation
        ("Aid reached Gammaville – Omega Union Council staff said.", [("Gammaville", "GPE"), ("Omega Union", "ORG")],
         [("Gammaville", "GPE"), ("Omega Union Council", "ORG")]),
        # more words after the head: another name ("… Council Building")
        ("The Omega Union-Alphania Council Building opened.", [("Omega Union", "ORG"), ("Alphania", "GPE")],
         [("Omega Union", "ORG"), ("Alphania", "GPE")]),
        # a heading in Title Case
        ("Gammaville Sees New Omega Union-Alphania Council\nThe text was short.",
         [("Gammaville", "GPE"), ("Omega Union", "ORG"), ("Alphania", "GPE")],
         [("Gammaville", "GPE"), ("Omega Union", "ORG"), ("Alphania", "GPE")]),
        # a meeting named after its participants: each is meant
        ("The Omega Union-Alphania Summit opened.", [("Omega Union", "ORG"), ("Alphania", "GPE")],
         [("Omega Union", "ORG"), ("Alphania", "GPE")]),
        # no head after them
        ("The Omega Union-Alphania talks went on.", [("Omega Union", "ORG"), ("Alphania", "GPE")],
         [("Omega Union", "ORG"), ("Alphania", "GPE")]),
        # a resolution of a known organisation, a constitution of a place
        ("The Omega Union Resolution 22 passed.", [("Omega Union", "ORG")], [("Omega Union Resolution", "LAW")]),
        ("Article 5 of the Constitution of Alphania says so.", [("Alphania", "GPE")],
         [("Constitution of Alphania", "LAW")]),
        ("He cited the Criminal Code of Alphania.", [("Alphania", "GPE")], [("Criminal Code of Alphania", "LAW")]),
        # a lower-case resolution is one about the place, not named after it; accords are
        ("They adopted an Alphania resolution and the Gammaville accords.", [("Alphania", "GPE"), ("Gammaville", "GPE")],
         [("Alphania", "GPE"), ("Gammaville accords", "LAW")]),
    ],
)
def test_bodies_and_acts_named_after_known_names(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        # the model took the honour's head word for a place: nothing of its own to keep
        ("Five soldiers became Heroes of Alphania today.", [("Heroes", "GPE"), ("Alphania", "GPE")],
         [("Heroes of Alphania", "AWARD")]),
        ("The National Anthem of Alphania was played.", [("National Anthem", "ORG"), ("Alphania", "GPE")],
         [("National Anthem of Alphania", "WORK_OF_ART")]),
        # a model's person is a name of its own: kept
        ("He visited the Museum of Doru Petrascu of Alphania.", [("Doru Petrascu", "PERSON"), ("Alphania", "GPE")],
         [("Doru Petrascu", "PERSON"), ("Alphania", "GPE")]),
    ],
)
def test_a_model_span_of_head_words_only_is_taken_in(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("They fly Omega Union A320 jets.", [("Omega Union", "ORG")], [("Omega Union A320", "PRODUCT")]),
        ("They ordered the Omega Union 737 last year.", [("Omega Union", "ORG")], [("Omega Union 737", "PRODUCT")]),
        ("Doses of Omega Union V arrived.", [("Omega Union", "ORG")], [("Omega Union V", "PRODUCT")]),
        # a year, a count, the pronoun "I": the organisation itself
        ("The Omega Union 2030 agenda was read.", [("Omega Union", "ORG")], [("Omega Union", "ORG")]),
        ("The Omega Union 27 met.", [("Omega Union", "ORG")], [("Omega Union", "ORG")]),
        ("In Omega Union I saw it.", [("Omega Union", "ORG")], [("Omega Union", "ORG")]),
    ],
)
def test_a_designation_after_an_organisation_makes_a_product(text, spans, expected):
    assert found(text, *spans) == expected
