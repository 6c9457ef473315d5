"""Repair steps for organisations' and places' names: official names with "of <country>",
countries' long forms, institutions named after places, places in lists, places after titles."""

from __future__ import annotations

import re
from dataclasses import replace

from .context import NAME_WORD, Context, Ent, overlaps, without_overlaps
from .vocabulary import (
    COMPANY_WORDS, COUNTRY_FORMS, INSTITUTIONS, PUBLIC_ADJECTIVES, PUBLIC_BODIES, STATE_FORMS, TITLES,
)

_OF_TAIL = re.compile(r"^(.*\S) of (?:the )?$")
_OF_GAP = re.compile(r"^ (?:of (?:the )?)?$")
_UNTAGGED_STATE = re.compile(
    r"(?<![\w'’-])((?:[A-Z][\w'’]* ){0,3}(?:" + "|".join(w.capitalize() for w in sorted(STATE_FORMS)) + r")) of (?:the )?$"
)
_UNTAGGED_INSTITUTION = re.compile(rf"(?<![\w'’-])({NAME_WORD}(?: {NAME_WORD}){{0,1}})(?={INSTITUTIONS.pattern})")
_ENDS_INSTITUTION = re.compile(rf"(?:{INSTITUTIONS.pattern})$")
_TITLE_OF = re.compile(r"(?<![\w])([A-Z][a-z]+) of (?:the )?$")
_OF_NAME = re.compile(rf" of (?:the )?({NAME_WORD})")
_TWO_PLACES = re.compile(rf"({NAME_WORD}(?: {NAME_WORD})?) and ({NAME_WORD}(?: {NAME_WORD})?)")
_AFTER_IN = re.compile(r"(?<![\w])in $")
_LIST_GAP = re.compile(r"^(?:, | and |, and )$")
_LIST_GOES_ON = re.compile(rf", ({NAME_WORD}),? and ")
_LIST_NEXT = re.compile(rf"(?:, | and |, and )({NAME_WORD})(?=[;,.:!?]| [a-z]| and |\s*$)")
#: Plural heads that places listed before them share ("… and Gamma regions"), and their singulars.
_UNITS = {"regions": "region", "oblasts": "oblast", "provinces": "province", "districts": "district",
          "counties": "county", "territories": "territory"}
#: The names a unit goes by besides its own word: a Russian krai is a "territory" in English.
_UNIT_NAMES = {"territory": ("territory", "Territory", "Krai", "krai")}
_SHARED_HEAD = re.compile(rf"( and other)? ({'|'.join(_UNITS)})\b", re.IGNORECASE)
#: "regional" after a place: the place is the region ("the Gamma regional administration"); a
#: "regional centre" is the city that is the region's capital. A front's "direction" named after
#: a place ("fighting in the Gamma direction", "… and Delta directions") is the region around it.
_REGIONAL = re.compile(r" (?:regional\b(?! cent(?:re|er)s?\b)|directions?\b)")
#: A plural unit word announcing the places that are such units, before a dash, a colon or
#: "including" ("the southern regions of Alphania - Gamma and Delta", "regions, including
#: Gamma"). (Not a front's "direction": the places listed after it are the towns fought over.)
_UNIT_BEFORE = re.compile(
    rf"\b({'|'.join(_UNITS)})(?: of (?:the )?{NAME_WORD}(?: {NAME_WORD})?)?"
    r"(?: ?[-–—:] ?|,? (?:including|such as|namely) )$",
    re.IGNORECASE,
)


def split_known_prefix(ents: list[Ent], context: Context) -> list[Ent]:
    """A span that starts with a known place or organisation and goes on with a person
    ("Examplestan Ada Varga", "Alpha Council Chair Ada Varga") is two names: the known one with
    its type, then the person. A span the model did not call a person is split only when the
    rest is a known person or a title and a name."""
    result = []
    for ent in ents:
        words = context.text[ent.start : ent.end].split(" ")
        cut = 0 if ent.known or len(words) < 3 else _known_prefix(words, ent.label, context)
        if not cut:
            result.append(ent)
            continue
        head = " ".join(words[:cut])
        middle = ent.start + len(head)
        result += [Ent(ent.start, middle, context.known_as(head) or ent.label), Ent(middle + 1, ent.end, "PERSON")]
    return result


def _known_prefix(words: list[str], label: str, context: Context) -> int:
    """How many leading words are a known place or organisation followed by a person; 0 if none."""
    for cut in range(len(words) - 2, 0, -1):
        if context.known_as(" ".join(words[:cut])) not in ("GPE", "ORG"):
            continue
        rest = words[cut:]
        person = label == "PERSON" or context.known_as(" ".join(rest)) == "PERSON"
        titled = rest[0].lower() in TITLES and len(rest) >= 3 and all(w[:1].isupper() for w in rest)
        if person or titled:
            return cut
    return 0


def merge_of_names(ents: list[Ent], context: Context) -> list[Ent]:
    """"<Organisation> of [the] <Place or organisation>" is one organisation's official name
    ("Senate of Alphania", "Committee of the Alpha Council"); "<…Republic> of
    <Place>" one country's ("Republic" | "of" | "Examplestan" → one GPE), also when the model
    left the state form untagged. The model often keeps the "of" in the left span."""
    result: list[Ent] = []
    for ent in ents:
        left = result[-1] if result else None
        joined = context.text[left.start : ent.start] if left is not None else ""
        gap = context.text[left.end : ent.start] if left is not None else ""
        core = _OF_TAIL.match(joined) if ent.label in ("GPE", "ORG") and _OF_GAP.match(gap) else None
        merged = _merged_label(left, core.group(1), ent.label) if left is not None and core else None
        if merged:
            result[-1] = Ent(left.start, ent.end, merged)
            continue
        untagged = _UNTAGGED_STATE.search(context.text[max(0, ent.start - 80) : ent.start]) if ent.label == "GPE" else None
        if untagged and not (left and left.end > ent.start - len(untagged.group(0))):
            ent = Ent(ent.start - len(untagged.group(0)), ent.end, "GPE")
        result.append(ent)
    return [_state_form(ent, context) for ent in result]


def _merged_label(left: Ent, core: str, right: str) -> str | None:
    """The label of "<left> of <place>", or None when they stay apart: a person, a title, a
    company and its seat ("Alpha Trading Co of Springfield", "Alpha Security Agency of
    Springfield"). A public body's name starts with its kind or a public adjective ("State
    Rescue Service of X", "Ministry of Energy of X")."""
    words = core.lower().removeprefix("the ").split(" ")
    if words[-1] in STATE_FORMS and left.label in ("GPE", "ORG", "LOC", "NORP") and right == "GPE":
        return "GPE"
    if left.label != "ORG" or left.known or words[-1] in TITLES or COMPANY_WORDS.intersection(words):
        return None
    public = words[0] in PUBLIC_BODIES or words[0] in PUBLIC_ADJECTIVES
    return "ORG" if public and PUBLIC_BODIES.intersection(words) else None


def _state_form(ent: Ent, context: Context) -> Ent:
    """An organisation span ending in a state form ("… People's Democratic Republic") is a country."""
    last = context.text[ent.start : ent.end].split(" ")[-1].lower()
    if ent.label == "ORG" and not ent.known and last in COUNTRY_FORMS:
        return replace(ent, label="GPE")
    return ent


def institutions(ents: list[Ent], context: Context) -> list[Ent]:
    """A place followed by an institution's capitalised head ("Examplestan Parliament",
    "North Nuclear Power Plant") is that organisation, not the place; so is a model's facility
    or place span that ends in one (airports excepted: general news files them as places), and
    one or two capitalised words the model skipped before one ("Vostochny Cosmodrome")."""
    result = [_institution(ent, context) for ent in ents]
    taken = [(e.start, e.end) for e in result]
    for match in _UNTAGGED_INSTITUTION.finditer(context.text):
        words = match.group(1).split(" ")
        if any(context.is_ordinary(word) for word in words) or overlaps(*match.span(1), taken):
            continue
        head = INSTITUTIONS.match(context.text, match.end(1))
        if head:
            result.append(Ent(match.start(1), head.end(), "ORG"))
    return without_overlaps(result)


def _institution(ent: Ent, context: Context) -> Ent:
    """One span as an institution, when it is one."""
    ending = _ENDS_INSTITUTION.search(context.text, ent.start, ent.end)
    if ent.label in ("FAC", "GPE", "LOC") and not ent.known and ending and "Airport" not in ending.group(0):
        ent = replace(ent, label="ORG")
    head = INSTITUTIONS.match(context.text, ent.end)
    if head and ent.label in ("GPE", "LOC", "PERSON", "ORG", "FAC") and not (ent.known and ent.label == "PERSON"):
        return Ent(ent.start, head.end(), "ORG")
    return ent


def places_after_titles(ents: list[Ent], context: Context) -> list[Ent]:
    """What follows "<title> of [the]" is a place or an organisation, not a person ("the
    Sultan of Alphania" tagged PERSON → GPE); after a state form, the country's name the
    model left untagged is taken in ("Republic of Alphania Kyra Varga" → "Republic of
    Alphania" and the person)."""
    result = []
    for ent in ents:
        before = context.text[max(0, ent.start - 40) : ent.start]
        title = _TITLE_OF.search(before)
        if title and title.group(1).lower() in TITLES | {"state"} and ent.label == "PERSON" and not ent.known:
            ent = replace(ent, label="GPE")
        last = context.text[ent.start : ent.end].split(" ")[-1].lower()
        tail = _OF_NAME.match(context.text, ent.end) if ent.label == "GPE" and last in STATE_FORMS else None
        if tail and not overlaps(tail.start(1), tail.end(1), [(e.start, e.end) for e in ents]):
            ent = Ent(ent.start, tail.end(1), "GPE")
        result.append(ent)
    return result


def places_after_in(ents: list[Ent], context: Context) -> list[Ent]:
    """"in Alpha and Beta": a span the model made of two names joined by "and" after the
    preposition "in" is two places."""
    result = []
    for ent in ents:
        match = _TWO_PLACES.fullmatch(context.text, ent.start, ent.end)
        if match and not ent.known and ent.label in ("ORG", "GPE", "PERSON") and _AFTER_IN.search(
            context.text, max(0, ent.start - 4), ent.start
        ):
            result += [Ent(*match.span(1), "GPE"), Ent(*match.span(2), "GPE")]
        else:
            result.append(ent)
    return result


def places_in_lists(ents: list[Ent], context: Context) -> list[Ent]:
    """Names listed with a known place ("Alpha, Beta and Gamma" where one is a known town) are
    places too: the model's people and organisations among them become GPE, and a capitalised
    word it skipped at the end of the list is added."""
    result = list(ents)
    for group in _lists(ents, context.text):
        members = [result[i] for i in group]
        known_kinds = {context.known_as(context.text[m.start : m.end]) for m in members if m.known} - {None}
        if known_kinds != {"GPE"}:
            continue
        for i in group:
            if _could_be_place(result[i], context):
                result[i] = replace(result[i], label="GPE")
        last = result[group[-1]]
        pattern = _LIST_NEXT if len(group) > 1 else _LIST_GOES_ON
        match = pattern.match(context.text, last.end, last.end + 60)
        if match and not context.is_ordinary(match.group(1)) and context.known_as(match.group(1)) in (None, "GPE"):
            if not overlaps(*match.span(1), [(e.start, e.end) for e in result]):
                result.append(Ent(*match.span(1), "GPE"))
    return result


def _could_be_place(ent: Ent, context: Context) -> bool:
    """A model's person or organisation of one or two capitalised words, not a known name."""
    words = context.text[ent.start : ent.end].split(" ")
    return not ent.known and ent.label in ("PERSON", "ORG") and len(words) <= 2 and all(w[:1].isupper() for w in words)


def _lists(ents: list[Ent], text: str) -> list[list[int]]:
    """Indexes of entities joined only by ", " / " and " / ", and " (a lone entity is a list of one)."""
    groups: list[list[int]] = []
    current: list[int] = []
    for index, ent in enumerate(ents):
        if current and _LIST_GAP.match(text[ents[current[-1]].end : ent.start]):
            current.append(index)
            continue
        groups.append(current)
        current = [index]
    groups.append(current)
    return [group for group in groups if group]


def shared_heads(ents: list[Ent], context: Context) -> list[Ent]:
    """A place listed before a plural administrative head ("the Alpha, Beta and Gamma regions")
    is that unit, and so is a place before "regional" or "direction" ("the Gamma regional
    council", "fighting in the Gamma direction"), and places listed after a dash, a colon or
    "including" that a plural unit word announces ("the southern regions - Gamma and Delta"; a
    place whose region the list names too stays the place): when the knowledge
    base knows "<place> region" (a region's alias), the mention names it, not the city of the
    same name. A place whose unit the knowledge base does not know stays as it is (a country, a
    sea or a peninsula listed before "regions" is no region of that name)."""
    text = context.text
    result = list(ents)
    for group in _lists(result, text):
        unit = _shared_unit(result[group[-1]].end, text, len(group)) or _announced_unit(result[group[0]].start, text)
        if unit and all(result[i].label in ("GPE", "LOC") for i in group):
            surfaces = [text[result[i].start : result[i].end] for i in group]
            for i, surface in zip(group, surfaces):
                if not any(other.startswith(surface + " ") for other in surfaces):  # "X, X Region and Y": X is the city
                    result[i] = _as_unit(result[i], unit, context)
    return result


def _shared_unit(end: int, text: str, listed: int) -> str | None:
    """The unit that the places listed before ``end`` are: "region" before "regional" or
    "direction(s)" (one place or several), the singular of a plural unit word after several places
    or after "and other" ("the Alpha and other regions")."""
    if _REGIONAL.match(text, end):
        return "region"
    head = _SHARED_HEAD.match(text, end)
    return _UNITS[head.group(2).lower()] if head is not None and (listed > 1 or head.group(1)) else None


def _announced_unit(start: int, text: str) -> str | None:
    """The unit that places listed from ``start`` are, when a plural unit word announces them
    before a dash, a colon or "including" ("… regions of Alphania - Gamma and Delta")."""
    announced = _UNIT_BEFORE.search(text, max(0, start - 80), start)
    return _UNITS[announced.group(1).lower()] if announced else None


def _as_unit(ent: Ent, unit: str, context: Context) -> Ent:
    """A place span that names "<place> <unit>", when the knowledge base knows that name as a
    place, written with the unit in lower case or capitalised ("… region", "… Oblast"; a
    territory as "… Krai"); a known name's pattern may hold "the" ("the Alpha" + "region" is
    looked up as "Alpha region")."""
    surface = re.sub(r"^[Tt]he ", "", context.text[ent.start : ent.end])
    for form in _UNIT_NAMES.get(unit, (unit, unit.capitalize())):
        if context.known_as(f"{surface} {form}") in ("GPE", "LOC"):
            return replace(ent, head=form)
    return ent
