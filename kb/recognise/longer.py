"""Repair step for a known place or organisation that is only a piece of a longer proper name.

The knowledge base's curated names run before the model, so a known name wins even inside a
longer one: "the Alphaville Accord", "the Betaland Grand Forum", "United Betaland", "Latin
Alphania", "the Gamma and Delta People's Republics", "the Battle of Alphaville", "Hero of
Alphania", "the Omega Union Charter". The longer name becomes the mention, so the known name is
not linked from it. The rules use classes of words (titles, generic nouns, heads of events,
agreements, honours and institutions, region words), never lists of names.
"""

from __future__ import annotations

import re

from .context import Context, Ent, overlaps, title_case_line
from .vocabulary import (
    ADMINISTRATIVE_UNITS, AGREEMENT_WORDS, COMPANY_WORDS, COUNTRY_FORMS, CURRENCY_WORDS, DATE_WORDS, FUNCTION_WORDS,
    INSTITUTIONS, NAME_HEADS, OF_PLACE_HEADS, OUT_OF_SCOPE, PUBLIC_BODIES, REGION_WORDS, TITLES, is_generic_word,
    is_nationality_word,
)

#: A Title-case or all-capital word after a space: the next word of a name ("Grand", "Leaders'",
#: "Saint-Ives", "CEO").
_WORD_AFTER = re.compile(r" ([A-Z](?:[a-z][\w'’]*|[A-Z]+(?![\w'’]))(?:-[A-Za-z][\w'’]*)*)")
#: A Title-case word and a space just before a place ("United ", "Latin ").
_WORD_BEFORE = re.compile(r"(?<![\w'’.-])([A-Z][a-z]+) $")
#: "and" between two words of a name ("… Support and Procurement Agency").
_AND_AFTER = re.compile(r" (and|&)(?= [A-Z])")
#: Places joined by hyphens or dashes before a road's, a railway's or a pipeline's noun: a route
#: named after the places it joins ("the Alphaville–Gammaville motorway").
_ROUTE = re.compile(
    r"(?<![\w'’-])[A-Z][\w'’]*(?: ?[-‐–—] ?[A-Z][\w'’]*(?: [A-Z][\w'’]*)?)+ (?:[Mm]otorway|[Hh]ighway|[Rr]oad|[Rr]ailway|[Rr]ailroad"
    r"|[Pp]ipeline|[Rr]oute|[Cc]orridor|[Ee]xpressway|[Ff]reeway)s?(?![\w-])"
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
_TITLE_WORD = r"[A-Z][a-z][\w'’]*(?:-[A-Za-z][\w'’]*)*"
#: An "of …" phrase that ends a name ("… of Fine Arts", "… of Arts and Crafts").
_OF_PHRASE = re.compile(rf" (?:of|for) (?:the )?((?:{_TITLE_WORD})(?: (?:and )?{_TITLE_WORD}){{0,3}})(?![\w'’-])")
#: "… of" or "<title> of the" just before a place: a title's or an office's place, which a
#: person's name may follow ("President of Alphania Kyra Varga").
_AFTER_OF = re.compile(r"(?<![\w])(?:of |([A-Za-z]+) of the )$")
#: Capitalised words (joined by "of", "the") just before "of [the]" and a place: the name the
#: place ends ("Battle of …", "Cathedral of St. Sophia of …").
_NAME_BEFORE_OF = re.compile(
    rf"(?<![\w'’.-])((?:{_TITLE_WORD}|St\.)(?: (?:{_TITLE_WORD}|St\.|of|the))*) (of|for) (?:the )?$"
)
#: A possessive after a place: the place owns what follows ("… of Alphania's future").
_POSSESSIVE = re.compile(r"['’]s?\b")
#: Where "of [the]" cuts the words of such a name into pieces.
_OF_CUT = re.compile(r" (?:of|for) (?:the )?")
#: Labels of the model's spans a place's longer name may take in ("Alphaville" + "Grand Forum").
_ABSORBED = frozenset({"ORG", "EVENT", "FAC", "LAW", "PRODUCT", "WORK_OF_ART"})
#: Labels of the model's spans a name "<…> of <place>" may take in ("Gulf" + "of Alphania").
_ABSORBED_BEFORE_OF = _ABSORBED | {"LOC", "NORP"}
#: Labels of the longer names a known organisation's name is a piece of: its bodies, its agreements.
_ORGANISATION_PARTS = frozenset({"ORG", "FAC", "LAW"})
#: Words a longer name may add after the place.
_MAX_WORDS = 5


def longer_names(ents: list[Ent], context: Context) -> list[Ent]:
    """A known place that is part of a longer proper name gives way to that name: Title-case
    words after it ("Alphaville Grand Forum": labelled by its head, here an event), a word
    before it that makes one name with it ("United Betaland" an organisation, "Latin Alphania"
    a region), a lower-case agreement word ("the Alphaville accords") or currency ("Alphania
    dollars", MONEY), a state form ("Gamma People's Republic"; places coordinated before a
    plural one, "Gamma and Delta People's Republics", are one mention of several places), a
    name "<…> of <place>" that names something after it ("Battle of Alphaville", see
    :func:`_name_ending_in`), or a route named after the places it joins ("the
    Alphaville–Gammaville motorway"). A known organisation gives way to the name of one of its bodies or agreements after it ("Omega Union
    Charter"). Never across a title ("Alphania President …", "the Alphaville Mayor"), a known
    name, a date, a sentence's start, a hyphen, or in a line written in Title Case."""
    spans = [(e.start, e.end) for e in ents]
    longer_spans: list[Ent] = []
    for ent in ents:
        if not ent.known or ent.label not in ("GPE", "LOC", "ORG") or overlaps(ent.start, ent.end, spans[len(ents):]):
            continue
        if ent.label == "ORG":
            longer = _organisation_longer(ent, context, spans, ents)
        else:
            longer = (_route(ent, context, ents) or _name_ending_in(ent, context, ents)
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
    Council Charter" a LAW); None otherwise: its meetings and programmes ("Alpha Council Summit")
    are the organisation's own, and a title after it ("Alpha Council Secretary") qualifies a person."""
    text = context.text
    if _glued(text, ent.start, ent.end) or title_case_line(text, ent.start, ent.end):
        return None
    end, label = _end_after(ent, context, spans, ents)
    return Ent(ent.start, end, label) if end > ent.end and label in _ORGANISATION_PARTS else None


def _route(ent: Ent, context: Context, ents: list[Ent]) -> Ent | None:
    """The name of a road, railway or pipeline named after the places it joins, which ``ent``
    is one of ("the Alphaville–Gammaville–Betaland motorway"): a facility; None when ``ent`` is
    in no such name, or the name would cut another span in two."""
    text = context.text
    for match in _ROUTE.finditer(text, max(0, ent.start - 120), min(len(text), ent.end + 120)):
        if match.start() <= ent.start and ent.end <= match.end():
            crossed = [e for e in ents if e.start < match.end() and match.start() < e.end]
            if any(e.start < match.start() or e.end > match.end() for e in crossed):
                return None
            return Ent(match.start(), match.end(), "FAC")
    return None


def _name_ending_in(ent: Ent, context: Context, ents: list[Ent]) -> Ent | None:
    """The name "<…> of [the] <place>" that ``ent`` ends, when its words say it names something
    after the place: a battle or an honour ("Battle of Alphaville", "Hero of Alphania"), a
    facility or an organisation by its head ("Cathedral of St. Sophia of Alphaville", "Orthodox
    Church of Alphania"), a saint ("St. Sophia of Alphaville"). None for a title's or a public
    body's place ("President of Alphania", "Museum Council of Alphania"), before a Title-case
    word that starts another name with the place ("… of the Alpha Navy"), and across a known
    name or a model's person or place."""
    text = context.text
    match = _NAME_BEFORE_OF.search(text, max(0, ent.start - 80), ent.start)
    if match is None or _goes_on(ent, text):
        return None
    found = _head_before_of(match.group(1), match.group(2))
    if found is None:
        return None
    start, label = match.start(1) + found[0], found[1]
    crossed = [e for e in ents if e is not ent and e.start < ent.start and e.end > start]
    if any(e.known or e.label not in _ABSORBED_BEFORE_OF for e in crossed):
        return None
    # the model's organisation wins over a facility's head word: a church as an institution
    return Ent(start, ent.end, "ORG" if label == "FAC" and any(e.label == "ORG" for e in crossed) else label)


def _goes_on(ent: Ent, text: str) -> bool:
    """Whether what follows a place makes it no name's end: a Title-case word (another name
    starts with it: "… of the Alphania Navy"), a possessive ("… of Alphania's future"), or a
    heading in Title Case around it."""
    following = _WORD_AFTER.match(text, ent.end) or _POSSESSIVE.match(text, ent.end)
    return bool(following) or title_case_line(text, ent.start, ent.end)


def _head_before_of(run: str, joined_by: str = "of") -> tuple[int, str] | None:
    """In the words before "of <place>" (which may hold "of" themselves: "Bishops of the
    Orthodox Church", "Cathedral of St. Sophia"), the name's start in ``run`` and its label:
    from the first piece between "of"s that names a kind of thing named after places, its
    leading function words left out; None when none does, or the name holds a title or a
    public body ("Museum Council", "Museum Director"). Joined to the place by "for", only a
    battle or an honour is such a name ("Battle for …", not "the Road for …")."""
    cuts = [(m.start(), m.end()) for m in _OF_CUT.finditer(run)]
    bounds = list(zip([0, *(end for _, end in cuts)], [*(start for start, _ in cuts), len(run)]))
    for piece_start, piece_end in bounds:
        start = _past_function_words(run, piece_start, piece_end)
        words = [_bare(w) for w in run[start:piece_end].split(" ") if w]
        label = _named_after_label(words)
        if label:
            held = [_bare(w) for w in run[start:].split(" ") if w not in ("of", "the")]
            return (start, label) if _may_hold_a_place(label, held, joined_by) else None
    return None


def _may_hold_a_place(label: str, words: list[str], joined_by: str) -> bool:
    """Whether a name with this label and these words (lower case) may end in "of/for <place>":
    no title or public body in it; after "for", only a battle or an honour."""
    if joined_by == "for" and label not in OF_PLACE_HEADS.values():
        return False
    return not any(w in TITLES or w in PUBLIC_BODIES for w in words)


def _past_function_words(run: str, start: int, end: int) -> int:
    """Where a piece of a name starts once function words ("The" opening a sentence) are passed."""
    while start < end:
        space = run.find(" ", start, end)
        if space < 0 or _bare(run[start:space]) not in FUNCTION_WORDS:
            break
        start = space + 1
    return start


def _named_after_label(words: list[str]) -> str | None:
    """The label of a name whose words (lower case) say it is a thing named after a place: by
    its last head word (a battle, an honour, a facility, an organisation), or a saint's name."""
    label = next((OF_PLACE_HEADS.get(w) or NAME_HEADS.get(w) for w in reversed(words)
                  if w in OF_PLACE_HEADS or w in NAME_HEADS), None)
    return label or ("FAC" if words and words[0] in ("st.", "saint") else None)


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
    title = _WORD_AFTER.match(text, end)
    if title and _bare(title.group(1)) in TITLES:
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
    ("… accords", a LAW) or a country's currency ("… dollars", MONEY); None otherwise."""
    lower = _LOWER_AFTER.match(text, ent.end)
    if lower and lower.group(1) in AGREEMENT_WORDS and ent.label != "ORG":
        return lower.end(), "LAW"
    if lower and lower.group(1) in CURRENCY_WORDS and ent.label == "GPE":
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
    bare = _bare(word)
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
    known place the name goes on after ("Omega Union Gammaville Group"). Words joined by "and"
    must end before any span and within the longest name read, else the run stops before the "and"."""
    text, words, before_and = context.text, [], None
    while len(words) < _MAX_WORDS:
        joined = _joining_and(text, end, words)
        match = _WORD_AFTER.match(text, joined.end() if joined else end)
        place = _known_place_at(match, ents) if through_places and not joined and before_and is None else None
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
    return before_and or (end, words)


def _into_span(
    match: re.Match, text: str, ents: list[Ent], run: tuple[int, list[str]], before_and: tuple[int, list[str]] | None
) -> tuple[int, list[str]]:
    """Where a run of words ends that meets another span: a model's span of an organisation,
    event … is taken in whole (not after an "and"); any other span ends the run."""
    model_span = next((e for e in ents if e.start == match.start(1)), None)
    if before_and is None and model_span and not model_span.known and model_span.label in _ABSORBED:
        return model_span.end, run[1] + text[model_span.start : model_span.end].split(" ")
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
    bare = _bare(word)
    unit = bare[:-3] + "y" if bare.endswith("ies") else bare.removesuffix("s")  # "Counties" → "county"
    return _could_join(word, context) and not (first and (is_generic_word(unit) or unit in ADMINISTRATIVE_UNITS))


def _could_join(word: str, context: Context) -> bool:
    """A capitalised word that may be part of a place's longer name."""
    bare = _bare(word)
    return not (
        bare in TITLES or bare in FUNCTION_WORDS or bare in DATE_WORDS or bare.removesuffix("s") in TITLES
        or context.known_as(word) or is_nationality_word(bare)
    )


def _bare(word: str) -> str:
    """A word in lower case without its possessive ("Leaders'" → "leaders", "People's" → "people")."""
    return re.sub(r"['’]s?$", "", word.lower())


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
