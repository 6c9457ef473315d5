"""Repair step for a known place or organisation that is only a piece of a longer proper name.

The knowledge base's curated names run before the model, so a known name wins even inside a
longer one: "the Alphaville Accord", "the Betaland Grand Forum", "United Betaland", "Latin
Alphania", "the Gamma and Delta People's Republics", "the Battle of Alphaville", "Hero of
Alphania", "the Omega Union Charter". The longer name becomes the mention, so the known name is
not linked from it. The rules use classes of words (titles, generic nouns, heads of events,
agreements, honours and institutions, region words), never lists of names. Names of things
named after a place ("Battle of …", routes) are read in :mod:`kb.recognise.named_after`.
"""

from __future__ import annotations

import re

from .context import TITLE_WORD, WORD_AFTER, Context, Ent, bare_word, overlaps, title_case_line
from .named_after import name_ending_in, route_name
from .vocabulary import (
    ADMINISTRATIVE_UNITS, AGREEMENT_WORDS, COMPANY_WORDS, COUNTRY_FORMS, CURRENCY_WORDS, DATE_WORDS, FUNCTION_WORDS,
    INSTITUTIONS, NAME_HEADS, OUT_OF_SCOPE, PUBLIC_BODIES, REGION_WORDS, TITLES, is_generic_word,
    is_nationality_word,
)

#: A Title-case word and a space just before a place ("United ", "Latin ").
_WORD_BEFORE = re.compile(r"(?<![\w'’.-])([A-Z][a-z]+) $")
#: "and" between two words of a name ("… Support and Procurement Agency").
_AND_AFTER = re.compile(r" (and|&)(?= [A-Z])")
#: What joins two names into one compound ("Omega Union-Alphania"); a dash with spaces around it
#: is punctuation ("… reached Alphaville – Omega Union staff said").
_HYPHEN = re.compile(r"[-‐–]")
#: A model's or a version's designation after a maker's name ("… A320", "… 737", "… V"): the name
#: of a product, not of its maker. Not a year ("… 2030"), a count ("the … 27"), nor "I" or "A".
_DESIGNATION = re.compile(
    r" ((?:[A-Z]{1,3}-?\d{1,4}[A-Z]{0,3}|(?!(?:19|20)\d\d\b)\d{3,4}|[IVX]{2,4}|[B-HJ-Z]))(?![\w'’-])"
)
#: A lower-case word after a place ("… accords").
_LOWER_AFTER = re.compile(r" ([a-z]+)\b")
#: A state form after a place, with up to two words between ("… People's Republic(s)").
_STATE_AFTER = re.compile(
    r"(?: (?:[Pp]eople['’]s|[A-Z][a-z]+)){0,2} (?:"
    + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in sorted(COUNTRY_FORMS))
    + r")(s?)\b"
)
#: What may stand before a word that opens a sentence, a line or a quotation.
_OPENING = re.compile(r"(?:^|[.!?:;\n][\"'”’)\]]*\s*|[\"“‘'(\[]\s*)$")
#: The gap between places coordinated before one plural head ("Gamma and Delta …").
_COORDINATION = re.compile(r"(?:, | and |, and )$")
#: An "of …" phrase that ends a name ("… of Fine Arts", "… of Arts and Crafts").
_OF_PHRASE = re.compile(rf" (?:of|for) (?:the )?((?:{TITLE_WORD})(?: (?:and )?{TITLE_WORD}){{0,3}})(?![\w'’-])")
#: "… of" or "<title> of the" just before a place: a title's or an office's place, which a
#: person's name may follow ("President of Alphania Kyra Varga").
_AFTER_OF = re.compile(r"(?<![\w])(?:of |([A-Za-z]+) of the )$")
#: Labels of the model's spans a place's longer name may take in ("Alphaville" + "Grand Forum").
_ABSORBED = frozenset({"ORG", "EVENT", "FAC", "LAW", "PRODUCT", "WORK_OF_ART"})
#: Labels of the longer names a known organisation's name is a piece of: its bodies, its agreements.
_ORGANISATION_PARTS = frozenset({"ORG", "FAC", "LAW"})
#: Words a longer name may add after the place.
_MAX_WORDS = 5


def longer_names(ents: list[Ent], context: Context) -> list[Ent]:
    """A known place that is part of a longer proper name gives way to that name: Title-case
    words after it ("Alphaville Grand Forum": labelled by its head, here an event), a word
    before it that makes one name with it ("United Betaland" an organisation, "Latin Alphania"
    a region), a lower-case word ("the Alphaville accords" a LAW, "Alphania dollars" MONEY), a
    state form ("Gamma People's Republic"; places coordinated before a plural one, "Gamma and
    Delta People's Republics", are one mention of several places), a name "<…> of <place>" that
    names something after it ("Battle of Alphaville") or a route named after the places it joins
    ("the Alphaville–Gammaville motorway"; both :mod:`kb.recognise.named_after`). A known organisation
    gives way to the name of one of its bodies or agreements after it ("Omega Union Charter"),
    and known names joined by hyphens to the body or agreement they name ("the Omega
    Union-Alphania Council"). Never across a title ("Alphania President …", "the Alphaville
    Mayor"), a known name, a date, a sentence's start, or in a line written in Title Case."""
    spans = [(e.start, e.end) for e in ents]
    longer_spans: list[Ent] = []
    groups = _hyphen_groups(ents, context.text)
    for ent in ents:
        if not ent.known or ent.label not in ("GPE", "LOC", "ORG") or overlaps(ent.start, ent.end, spans[len(ents):]):
            continue
        joint = _joint_body(groups.get(ent, [ent]), context, spans, ents)
        if ent.label == "ORG":
            longer = joint or _organisation_longer(ent, context, spans, ents)
        else:
            longer = (joint or route_name(ent, context, ents) or name_ending_in(ent, context, ents)
                      or _longer(ent, context, spans, ents))
        if longer is not None:
            longer_spans.append(longer)
            spans.append((longer.start, longer.end))
    if not longer_spans:
        return ents
    taken = spans[len(ents):]
    return [e for e in ents if not overlaps(e.start, e.end, taken)] + longer_spans


def _longer(ent: Ent, context: Context, spans: list[tuple[int, int]], ents: list[Ent]) -> Ent | None:
    """The longer name ``ent`` is part of, or None."""
    text = context.text
    if _glued(text, ent.start, ent.end) or title_case_line(text, ent.start, ent.end):
        return None
    state = _STATE_AFTER.match(text, ent.end)
    if state and all(_could_join(word, context) for word in state.group(0).split(" ")[1:-1]):
        if not state.group(1):
            return Ent(ent.start, state.end(), "GPE")
        return Ent(_coordinated_start(ent, text, ents), state.end(), "LOC")  # several places: no one entity
    end, label = _end_after(ent, context, spans, ents)
    if end < 0:
        return None
    start = _start_before(ent, context, spans)
    if end == ent.end and start == ent.start:
        return None
    if end == ent.end:
        label = "LOC" if text[start : ent.start].strip().lower() in REGION_WORDS else "ORG"
    return Ent(start, end, label)


def _organisation_longer(ent: Ent, context: Context, spans: list[tuple[int, int]], ents: list[Ent]) -> Ent | None:
    """The longer name a known organisation starts, when the Title-case words after it end in
    the head word of one of its bodies or agreements ("Alpha Council Secretariat" an ORG, "Alpha
    Council Charter" a LAW), or a designation follows it ("Alpha Works A320", a PRODUCT); None
    otherwise: its meetings and programmes ("Alpha Council Summit") are the organisation's own,
    and a title after it ("Alpha Council Secretary") qualifies a person."""
    text = context.text
    if _glued(text, ent.start, ent.end) or title_case_line(text, ent.start, ent.end):
        return None
    designation = _DESIGNATION.match(text, ent.end)
    if designation and not overlaps(*designation.span(1), spans):
        return Ent(ent.start, designation.end(), "PRODUCT")
    end, label = _end_after(ent, context, spans, ents)
    return Ent(ent.start, end, label) if end > ent.end and label in _ORGANISATION_PARTS else None


def _joint_body(joined: list[Ent], context: Context, spans: list[tuple[int, int]], ents: list[Ent]) -> Ent | None:
    """The name of a body or an agreement named after the known names ``joined`` by hyphens
    ("the Omega Union-Alphania Council", "… Founding Act"): an ORG or a LAW. None for their
    meetings and programmes ("the Omega Union-Alphania Summit": the participants are meant), for
    names joined without such a head at the end of the words after them ("… Council Building"),
    and in a heading in Title Case."""
    if len(joined) < 2 or title_case_line(context.text, joined[0].start, joined[-1].end):
        return None
    end, words = _run_after(joined[-1].end, context, spans, ents)
    kept = _up_to_head(words)
    label = _head_label(kept[-1]) if kept else None
    if label not in _ORGANISATION_PARTS or len(kept) < len(words):
        return None
    return Ent(joined[0].start, end, label)


def _hyphen_groups(ents: list[Ent], text: str) -> dict[Ent, list[Ent]]:
    """Each known name joined to another by a hyphen ("Omega Union-Alphania") → all the known
    names so joined, in order (one pass over the known names in text order)."""
    groups: list[list[Ent]] = []
    for ent in sorted((e for e in ents if e.known), key=lambda e: e.start):
        if groups and _HYPHEN.fullmatch(text, groups[-1][-1].end, ent.start):
            groups[-1].append(ent)
        else:
            groups.append([ent])
    return {ent: group for group in groups if len(group) > 1 for ent in group}


def _start_before(ent: Ent, context: Context, spans: list[tuple[int, int]]) -> int:
    """Where the name starts once a Title-case word before the place that makes one name with it
    is taken in ("United …", "Latin …"); region words may open a sentence and be written in
    lower case elsewhere, other words not."""
    match = _WORD_BEFORE.search(context.text, max(0, ent.start - 30), ent.start)
    if not match or overlaps(*match.span(1), spans) or not _could_join(match.group(1), context):
        return ent.start
    word = match.group(1).lower()
    if is_generic_word(word):
        return ent.start
    opening = _OPENING.search(context.text, max(0, match.start(1) - 4), match.start(1))
    if word not in REGION_WORDS and (opening or word in context.lower_words):
        return ent.start
    return match.start(1)


def _end_after(ent: Ent, context: Context, spans: list[tuple[int, int]], ents: list[Ent]) -> tuple[int, str]:
    """Where the name ends once the words after the place are taken in (with an "of …" phrase:
    "Alphaville Institute of Fine Arts"), and its label by its head (an event, a programme, an
    agreement …, else an organisation); -1 when a title follows ("Alphania Foreign Minister"):
    the place only qualifies the title."""
    text = context.text
    lower = _lower_word_name(ent, text)
    if lower:
        return lower
    if INSTITUTIONS.match(text, ent.end):  # left to places.institutions
        return ent.end, ""
    end, words = _run_after(ent.end, context, spans, ents, through_places=ent.label == "ORG")
    title = WORD_AFTER.match(text, end)
    if title and bare_word(title.group(1)) in TITLES:
        return -1, ""
    kept = _up_to_head(words)
    if not kept or not (_head_label(kept[-1]) or _may_end_without_head(ent, text)):
        return ent.end, ""
    if len(kept) < len(words):
        end = ent.end + len(" " + " ".join(kept))
    elif not (_after_title_of(ent, text) or _joined(kept)):  # after "<title> of the" a person's name may follow
        end = _with_of_phrase(end, context)
    return end, _head_label(kept[-1]) or "ORG"


def _lower_word_name(ent: Ent, text: str) -> tuple[int, str] | None:
    """The end and label of a name a place makes with a lower-case word after it: an agreement
    ("… accords", a LAW) or a currency ("… dollars", MONEY); None otherwise. (A
    capital named for its government, "the Alphaville authorities", stays the city: the
    knowledge base's policy, as the gold annotations do, links seats and capitals used for their
    institutions to the seat.)"""
    lower = _LOWER_AFTER.match(text, ent.end)
    word = lower.group(1) if lower else ""
    if word in AGREEMENT_WORDS and ent.label != "ORG":
        return lower.end(), "LAW"
    if word in CURRENCY_WORDS:
        return lower.end(), "MONEY"
    return None


def _with_of_phrase(end: int, context: Context) -> int:
    """Where a name ends once an "of …" phrase after ``end`` is taken in ("… Institute of Fine Arts")."""
    phrase = _OF_PHRASE.match(context.text, end)
    if phrase and all(_could_join(w, context) for w in phrase.group(1).split(" ") if w != "and"):
        return phrase.end()
    return end


def _up_to_head(words: list[str]) -> list[str]:
    """The words of a name after a place, up to its last head word ("… Philharmonic Hall" of
    "… Philharmonic Hall Kyra Varga"); one word is a name by itself; several with no head word
    are no name of the place's (a person's name may follow a place)."""
    if len(words) == 1:
        return words
    last = max((i for i, word in enumerate(words) if _head_label(word)), default=-1)
    return words[: last + 1]


def _head_label(word: str) -> str | None:
    """The label a name ending in ``word`` gets: out of scope (an event, an agreement …), an
    organisation, a facility, a natural feature; None when ``word`` is no head."""
    bare = bare_word(word)
    for head in (bare, bare.removesuffix("s")):
        label = OUT_OF_SCOPE.get(head) or NAME_HEADS.get(head)
        if label or head in PUBLIC_BODIES or head in COMPANY_WORDS:
            return label or "ORG"
    return None


def _may_end_without_head(ent: Ent, text: str) -> bool:
    """Whether one word with no head word after a place makes a longer name with it ("Alphania
    Hilton"): not after an organisation, nor after "<title> of" (a person's name may follow)."""
    return ent.label in ("GPE", "LOC") and not _after_title_of(ent, text)


def _after_title_of(ent: Ent, text: str) -> bool:
    """A place after "of" or "<title> of the": a person's name may follow ("President of
    Alphania Kyra Varga"), so only words that end in a head word make a longer name with it."""
    after_of = _AFTER_OF.search(text, max(0, ent.start - 30), ent.start)
    return bool(after_of and (after_of.group(1) is None or after_of.group(1).lower() in TITLES))


def _run_after(
    end: int, context: Context, spans: list[tuple[int, int]], ents: list[Ent], through_places: bool = False
) -> tuple[int, list[str]]:
    """The Title-case words that go on a name from ``end`` (an "and" between two of them: "…
    Support and Procurement Agency"), and where they end; a model's span of an organisation,
    event … they meet is taken in whole, and with ``through_places`` (after an organisation) a
    known place the name goes on after ("Omega Union Gammaville Group"). After an "and", a span
    met ends the run before the "and" unless it ends in a head word; a run with an "and" that
    goes on past the longest name read is no name at all."""
    text, words, before_and, start = context.text, [], None, end
    while len(words) < _MAX_WORDS:
        joined = _joining_and(text, end, words)
        match = WORD_AFTER.match(text, joined.end() if joined else end)
        place = _known_place_at(match, ents) if through_places and not joined else None
        if place is not None:
            words, end = words + text[place.start : place.end].split(" "), place.end
            continue
        if not match or not _may_go_on(match.group(1), context, first=not words):
            return end, words
        if joined:
            before_and = before_and or (end, words)
            words = words + [joined.group(1)]
        if overlaps(*match.span(1), spans):
            return _into_span(match, context.text, ents, (end, words), before_and)
        words, end = words + [match.group(1)], match.end()
    following = WORD_AFTER.match(text, end)
    return (start, []) if before_and and following and _may_go_on(following.group(1), context, False) else (end, words)


def _into_span(
    match: re.Match, text: str, ents: list[Ent], run: tuple[int, list[str]], before_and: tuple[int, list[str]] | None
) -> tuple[int, list[str]]:
    """Where a run of words ends that meets another span: a model's span of an organisation,
    event … is taken in whole; after an "and", only one that ends in a head word, without "of"
    (the model may tag "Training Centre" in "… Research and Training Centre" as anything; "…
    Kyra Varga and Rector of the University" is no name). Any other span ends the run (before
    its "and")."""
    model_span = next((e for e in ents if e.start == match.start(1)), None)
    if model_span is None or model_span.known:
        return before_and or run
    words = text[model_span.start : model_span.end].split(" ")
    if before_and is None and model_span.label in _ABSORBED:
        return model_span.end, run[1] + words
    if before_and is not None and "of" not in words and _head_label(words[-1]):
        return model_span.end, run[1] + words
    return before_and or run


def _known_place_at(match: re.Match | None, ents: list[Ent]) -> Ent | None:
    """The known place span that starts with the word ``match`` found, if any."""
    if match is None:
        return None
    return next((e for e in ents if e.start == match.start(1) and e.known and e.label in ("GPE", "LOC")), None)


def _joining_and(text: str, end: int, words: list[str]) -> re.Match | None:
    """An "and" at ``end`` that joins two words of one name ("Support and Procurement …"); not
    after a head word, where it joins two names ("… Commission and Parliament")."""
    return _AND_AFTER.match(text, end) if words and not _head_label(words[-1]) else None


def _joined(words: list[str]) -> bool:
    """Whether an "and" joins words of a name: then it takes in no "of …" phrase."""
    return "and" in words or "&" in words


def _may_go_on(word: str, context: Context, first: bool) -> bool:
    """Whether a Title-case word may go on a place's name: no title, known name, date or
    nationality; the first no generic word or administrative unit either ("… Region", "… City
    Council", "… Territory")."""
    bare = bare_word(word)
    unit = bare[:-3] + "y" if bare.endswith("ies") else bare.removesuffix("s")  # "Counties" → "county"
    return _could_join(word, context) and not (first and (is_generic_word(unit) or unit in ADMINISTRATIVE_UNITS))


def _could_join(word: str, context: Context) -> bool:
    """A capitalised word that may be part of a place's longer name."""
    bare = bare_word(word)
    return not (
        bare in TITLES or bare in FUNCTION_WORDS or bare in DATE_WORDS or bare.removesuffix("s") in TITLES
        or context.known_as(word) or is_nationality_word(bare)
    )


def _coordinated_start(ent: Ent, text: str, ents: list[Ent]) -> int:
    """The start of the known places coordinated before ``ent`` ("Gamma, Delta and <ent>")."""
    start = ent.start
    while True:
        before = next((e for e in ents if e.known and e.label in ("GPE", "LOC") and e.end < start
                       and _COORDINATION.fullmatch(text, e.end, start)), None)
        if before is None:
            return start
        start = before.start


def _glued(text: str, start: int, end: int) -> bool:
    """A place glued to a word by a hyphen or letters ("Alpha-Betaland talks"): a compound, not a name."""
    return (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-‐")) or text[end : end + 1] in ("-", "‐")
