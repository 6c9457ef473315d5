"""People's names after a title and the field of its office (kb/recognise/people.py:
people_after_fields); the other people steps are tested in tests/test_recognise_repair.py."""

import pytest

from kb.recognise.people import people_after_fields
from repair_spans import run_step, surfaces

KNOWN = {"Zeta Ora": "LOC", "Alphania": "GPE", "Ada Lovel": "PERSON"}


def found(text: str, *spans: tuple[str, str]) -> list[tuple[str, str]]:
    """(surface, label) of the spans after the step."""
    return surfaces(text, run_step(people_after_fields, text, spans, KNOWN))


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("He met Minister of Agriculture Kyra Varga, then left.", [], [("Kyra Varga", "PERSON")]),
        ("He met the Minister of Natural Resources and Environment Doru Petrascu and others.", [],
         [("Doru Petrascu", "PERSON")]),
        ("He met Chief of the Government Staff Ada Lovel.", [], [("Ada Lovel", "PERSON")]),
        # a third name word before the two, when the model's person holds it
        ("He met Minister of Internal Affairs Oleksa Ivanovych Tamarenko.", [("Affairs Oleksa Ivanovych Tamarenko", "PERSON")],
         [("Oleksa Ivanovych Tamarenko", "PERSON")]),
        # … not a word of the office's field the model left alone
        ("He met the Head of Emergency Management Kyra Varga, then left.", [("Emergency Management", "ORG")],
         [("Emergency Management", "ORG"), ("Kyra Varga", "PERSON")]),
        # a comma before the two words: no third word across it, the place before it kept
        ("Speakers included the Head of Research, Alphania, Kyra Varga, who spoke first.", [("Alphania", "GPE")],
         [("Alphania", "GPE"), ("Kyra Varga", "PERSON")]),
        # a field made of field words only
        ("He met Minister of Disaster Relief Kyra Varga, then left.", [], [("Kyra Varga", "PERSON")]),
        # no organisation's head word is taken in as a name word
        ("He met General Director of Alpha State Corporation Kyra Varga.", [], [("Kyra Varga", "PERSON")]),
        # the model's span that took field words in gives way
        ("He met Minister of Culture Kyra Varga.", [("Culture Kyra Varga", "ORG")], [("Kyra Varga", "PERSON")]),
        # the model's person that took a field word in gives way too
        ("He met Chief of the General Staff Kyra Varga.", [("Staff Kyra Varga", "PERSON")],
         [("Kyra Varga", "PERSON")]),
    ],
)
def test_the_name_after_a_title_and_its_field_is_a_person(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans",
    [
        # field words only: the title names nobody here
        ("The Minister of Culture and Information Policy, he said, was away.", []),
        ("He is Minister of Civil Defence, Emergencies and Disaster Relief, since May.", []),
        # a known name of another kind; a region's name the model found
        ("The Director for Europe and Zeta Ora, he said, was away.", [("Zeta Ora", "LOC")]),
        ("The Director for Europe and Central Asia, he said, was away.", [("Central Asia", "LOC")]),
        # a field with no field word: "of" names something else (a company, a place)
        ("The President of Betamax Kyra Varga, he said, was away.", []),
        # no title before "of"
        ("Friends of Science Kyra Varga, he said, were away.", []),
        # the phrase goes on with a verb: the last two words need not end the name
        ("Minister of Health Kyra Varga came.", []),
        # the model read the two words as a name of another kind
        ("He quoted Kyra Varga, Director of Research, Capital Economics, in a note.", [("Capital Economics", "ORG")]),
        ("He met the Head of Youth Policy Unit Alphania.", [("Alphania", "GPE")]),
        # a heading in Title Case
        ("Minister of Defence Visits Front Line.\nThe text was short.", []),

    ],
)
def test_other_phrases_name_no_person(text, spans):
    assert found(text, *spans) == list(spans)


def test_a_known_person_after_a_field_keeps_its_ruler_id():
    text = "He met Minister of Culture Ada Lovel."
    assert [e.known for e in run_step(people_after_fields, text, [("Ada Lovel", "PERSON")], KNOWN)] == ["ada lovel"]


def test_the_step_runs_in_span_repair():
    from kb.recognise.context import Context, lower_words
    from kb.recognise.repair import repair
    from repair_spans import ents_of

    text = "He met Minister of Agriculture Kyra Varga, then left."
    context = Context(text, lower_words(text), KNOWN)
    assert surfaces(text, repair(ents_of(text, [], KNOWN), context)) == [("Kyra Varga", "PERSON")]
