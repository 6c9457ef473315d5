"""Span repair: the model's entity spans corrected with the text around them and known names.

Statistical NER on press releases cuts official names short ("State Service" | "of" |
"Ukraine"), drops first names after long titles, glues places in lists to people, and tags
programmes and summits as organisations. Each step here is a small function from a list of
:class:`Ent` (character offsets) to a new one; :func:`repair` runs them in order.

``known`` maps the knowledge base's names (the EntityRulers' patterns) to their type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from .context import Context, Ent, lower_words, overlaps, title_case_line
from .longer import longer_names
from .people import addressed_people, extend_people_left, people_after_fields, people_after_titles
from .places import (
    institutions, merge_of_names, places_after_in, places_after_titles, places_in_lists, shared_heads,
    split_known_prefix,
)
from .quoted import quoted_names
from .vocabulary import DATE_WORDS, OUT_OF_SCOPE, TITLES
from .weapons import weapons_from_context

__all__ = ["Context", "Ent", "lower_words", "repair"]

_TAIL_WORDS = re.compile(r"(?: (?:of|the|and|for|in|on|at|to))+$")
_HEAD_TITLE = re.compile(r"(?:the )?([A-Z][a-z]+(?: [A-Z][a-z]+)?) of (?:the )?(?=[A-Z])")
_GLUED = re.compile(r"(?<=[a-z])([A-Z][a-z]+)")
_AFTER_TITLE = re.compile(r"[A-Z][a-z]+ (?:[A-Z][a-z]+(?:-[A-Z][a-z]+)? )*?(?:of )?(?:the )?(?=[A-Z])")
_FUNCTION_WORDS = frozenset("of the and for on in to at by".split())
_DEFINED = re.compile(r"((?:[A-Za-z][\w'’-]* ){1,8})\(([A-Z][A-Z-]{1,9})\)")
_ACRONYM_IN_BRACKETS = re.compile(r"\(([A-Z][A-Z-]{1,9})\)")
#: How far before "(ABC)" its expansion is looked for: eight words of any sensible length.
_EXPANSION_REACH = 400
#: A legal act's designation right before its title: "the Law", "Federal Law No. 7-FZ", "Decree of
#: the President of Alphania № 6/2022", "a draft law", "a joint statement" ('Law "On …"' is how
#: Russian and Ukrainian acts are named); a comma only after the act's date ("… of March 1,
#: 2022, On …"), never after the word itself ('In the statement, "On the night …"').
_ACT_WORD = (
    r"\b(?:[Ll]aws?|[Dd]ecrees?|[Bb]ills?|[Rr]esolutions?|[Oo]rders?|[Dd]eclarations?|[Ss]tatements?"
    r"|[Dd]ecisions?)"
)
_DESIGNATION = (
    _ACT_WORD + r"(?: of (?:the )?[A-Z][\w-]*(?: [A-Z][\w-]*){0,5}){0,3}(?: (?:No\.|№) ?[\w/-]+)?"
    r"(?: of [A-Z][a-z]+ \d{1,2}, \d{4},?)?(?: (?:titled|entitled|called))? "
)
#: An act's title in quotation marks after its designation (« » and “ ” may hold straight
#: quotes); a quotation ending in a comma, "!" or "?" is reported speech, not a title.
_ACT_TITLE = re.compile(
    _DESIGNATION + r'(?:«(On [^«»\n]{3,300}?)»|“(On [^“”\n]{3,300}?)”|"(On [^"\n]{3,300}?)")'
)
_SPEECH_END = re.compile(r"[,!?]\s*$")
#: An act's title written without quotation marks after its designation: Title-case words and
#: the small words between them ("Decree No. 7 of March 1, 2022, On Support of …").
_SMALL = "of|the|and|in|with|to|for|on|against|by|at|from|a|an"
_ACT_UNQUOTED = re.compile(_DESIGNATION + rf"(On(?: (?:[A-Z][\w()'’-]*|{_SMALL}))+)")
_SMALL_TAIL = re.compile(rf"(?: (?:{_SMALL}))+$")


def repair(ents: list[Ent], context: Context) -> list[Ent]:
    """Run every repair step in order; the result is sorted and without overlaps."""
    steps: list[Callable[[list[Ent], Context], list[Ent]]] = [
        trim_edges, act_titles, quoted_names, split_glued_titles, longer_names, out_of_scope, acronyms, split_known_prefix,
        merge_of_names,
        institutions, addressed_people, places_after_titles, extend_people_left, people_after_titles, people_after_fields,
        places_after_in, places_in_lists, shared_heads,
    ]
    if context.weapons:
        steps.append(weapons_from_context)
    ents = sorted(ents, key=lambda e: (e.start, e.end))
    for step in steps:
        ents = sorted(step(ents, context), key=lambda e: (e.start, e.end))
    return ents


def trim_edges(ents: list[Ent], context: Context) -> list[Ent]:
    """Function words the model keeps at a span's end ("the Republic of") and titles before an
    organisation or place ("Chair of the Alpha Council"): not part of the name."""
    result = []
    for ent in ents:
        start, end = ent.start, ent.end
        tail = _TAIL_WORDS.search(context.text, start, end)
        if tail and tail.start() > start:
            end = tail.start()
        head = _HEAD_TITLE.match(context.text, start, end)
        if head and ent.label != "PERSON" and not ent.known and all(w in TITLES for w in head.group(1).lower().split()):
            start = head.end()
        result.append(Ent(start, end, ent.label, ent.known) if (start, end) != (ent.start, ent.end) else ent)
    return result


def act_titles(ents: list[Ent], context: Context) -> list[Ent]:
    """A legal act's title right after the act's designation ('the Federal Law "On Support of
    Alphania"', unquoted: "Decree No. 7 On Support of Alphania") is one name (LAW): the names
    inside it are pieces of the title, not mentions of their own. Reported speech is no title: a
    quotation after a comma, one ending in a comma, "!" or "?", one going on as a sentence ("On
    Monday …"), and a heading in Title Case."""
    text = context.text
    titles = []
    for match in _ACT_TITLE.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g))
        if not (_SPEECH_END.search(match.group(group)) or _goes_on_as_a_sentence(match.group(group))):
            titles.append((match.start(group), match.start(group) + len(match.group(group).rstrip())))
    for match in _ACT_UNQUOTED.finditer(text):
        if _goes_on_as_a_sentence(match.group(1)) or title_case_line(text, match.start(1), match.start(1)):
            continue
        tail = _SMALL_TAIL.search(match.group(1))
        titles.append((match.start(1), match.start(1) + tail.start() if tail else match.end(1)))
    if not titles:
        return ents
    return [e for e in ents if not overlaps(e.start, e.end, titles)] + [Ent(s, e, "LAW") for s, e in titles]


def _goes_on_as_a_sentence(title: str) -> bool:
    """Whether "On …" goes on as a sentence does, with a day, a month or a lower-case word ("On
    Monday …", "On behalf of …"), not as an act's title ("On the Status of …", "On Support …")."""
    first = (title.split(" ")[1:2] or [""])[0]
    return first.lower() in DATE_WORDS or (first[:1].islower() and first not in ("the", "a", "an"))


def split_glued_titles(ents: list[Ent], context: Context) -> list[Ent]:
    """A name glued to the title after it by a missing space ("…JomartPresident of the
    Republic of"): the name, and what follows the title as a span of its own."""
    result = []
    for ent in ents:
        match = next(
            (m for m in _GLUED.finditer(context.text, ent.start, ent.end) if m.group(1).lower() in TITLES), None
        )
        if match is None:
            result.append(ent)
            continue
        result.append(Ent(ent.start, match.start(), ent.label))
        rest = _AFTER_TITLE.match(context.text, match.start(), ent.end)
        if rest and rest.end() < ent.end:
            result.append(Ent(rest.end(), ent.end, ent.label))
    return result


def out_of_scope(ents: list[Ent], context: Context) -> list[Ent]:
    """Events, programmes, diseases and products are not people, organisations or places: a
    span whose head (its last word, or the last before "of") names such a kind ("… Summit",
    "… Plan of Examplestan", "… vaccine") gets that kind's own label, never linked as
    PERSON/ORG/GPE."""
    result = []
    for ent in ents:
        words = context.text[ent.start : ent.end].split(" of ")[0].split(" ")
        kind = OUT_OF_SCOPE.get(words[-1].lower())
        if kind and len(words) > 1 and not ent.known and ent.label in ("PERSON", "ORG", "GPE", "NORP", "FAC", "PRODUCT"):
            result.append(replace(ent, label=kind))
        else:
            result.append(ent)
    return result


def acronyms(ents: list[Ent], context: Context) -> list[Ent]:
    """Acronyms the document defines: "Alpha Beta Council (ABC)" makes every "ABC" an
    organisation; "liquid natural gas (LNG)", a lower-case expansion, makes "LNG" no name."""
    result = list(ents)
    for match in defined_acronyms(context.text):
        short = match.group(2)
        expansion = _expansion(match.group(1).split(), short)
        if expansion is None or len(expansion.split()) > len(short) + 2:
            continue
        if expansion.islower():
            result = [e for e in result if context.text[e.start : e.end] != short or e.known]
            continue
        if not all(w[0].isupper() for w in expansion.split() if w not in _FUNCTION_WORDS):
            continue
        label = _label_at(result, match.start(2) - 2, "ORG")
        taken = [(e.start, e.end) for e in result]
        for found in re.finditer(rf"(?<![\w]){re.escape(short)}(?!\w)", context.text):
            if not overlaps(*found.span(), taken):
                result.append(Ent(*found.span(), label))
    return result


def defined_acronyms(text: str) -> Iterator[re.Match]:
    """The matches of ``_DEFINED`` (up to eight words, then an acronym in brackets) in
    ``text``, found from the brackets backwards: scanning the whole text with ``_DEFINED``
    tries eight words at every letter, a few per cent of recognition."""
    after = 0  # no expansion reaches across an earlier bracket
    for bracket in _ACRONYM_IN_BRACKETS.finditer(text):
        match = _DEFINED.search(text, max(after, bracket.start() - _EXPANSION_REACH), bracket.end())
        after = bracket.end()
        if match is not None and match.end() == bracket.end():
            yield match


def _label_at(ents: list[Ent], end: int, default: str) -> str:
    """The label of the span ending at ``end`` (an acronym's expansion: a programme's acronym
    is a programme), else ``default``."""
    return next((e.label for e in ents if e.end == end), default)


def _expansion(words: list[str], short: str) -> str | None:
    """The words before "(ABC)" that the acronym abbreviates, or None: each of its letters, from
    the last, is found in them in order, the first at the start of a word (Schwartz and Hearst's
    rule, so "South-East Asia" may give "SEA" and "Southeast Asia" "SEA" too)."""
    long = " ".join(words[-(len(short) + 4) :])
    position = len(long) - 1
    for index in range(len(short) - 1, -1, -1):
        letter = short[index].lower()
        if not letter.isalnum():
            continue
        while position >= 0 and (
            long[position].lower() != letter or (index == 0 and position > 0 and long[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return None
        position -= 1
    return long[long.rfind(" ", 0, position + 1) + 1 :]
