"""Repair steps for people's names: first names the model left out, names after long titles
and after forms of address."""

from __future__ import annotations

import re
from dataclasses import replace

from .context import NAME_WORD, Context, Ent, overlaps, title_case_line
from .vocabulary import COMPANY_WORDS, FIELD_WORDS, NAME_HEADS, PUBLIC_BODIES, REGION_WORDS, TITLES

#: A title, "of"/"for" and the field of a ministry or an office in Title Case, then two
#: capitalised words that end the phrase: "Minister of Natural Resources and Environment Kyra
#: Varga,", "Chief of the Government Staff Kyra Varga." (the person's name is the last two words).
_AFTER_FIELD = re.compile(
    rf"(?<![\w'’-])(?P<title>[A-Z][a-z]+) (?:of|for) (?:the )?(?P<field>(?:[A-Z][a-z]+(?:,? and |, | ))+?)"
    rf"(?P<name>{NAME_WORD} {NAME_WORD})(?=[;,.:!?)]| and | \(|\s*$)"
)
#: A capitalised word and one space right before a position: a name word that may come first.
_WORD_BEFORE = re.compile(rf"(?<![\w'’-])({NAME_WORD}) $")
_PERSON_RUN = re.compile(rf"^ ({NAME_WORD}(?: {NAME_WORD}){{1,2}})(?=[;,.:!?)]| [a-z(]|\s*$)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n][\"'”’]?\s*)$")
_ADDRESS = re.compile(r"(?<![\w])(?:Mr|Mrs|Ms|Dr|Mr\.|Mrs\.|Ms\.|Dr\.|Madam|Mister) $")
_ADDRESSED = re.compile(rf"(?<![\w])(?:Mr|Mrs|Ms|Dr)\.? ({NAME_WORD})(?! [A-Z])")


def addressed_people(ents: list[Ent], context: Context) -> list[Ent]:
    """A name after a form of address ("Mr Varga", "Ms Kyra Varga") is a person: the model's
    other label is corrected, and a capitalised word it skipped is added. One sense per
    document: a span ending in such a surname ("Kyra Varga" tagged ORG) is that person too."""
    surnames = {m.group(1) for m in _ADDRESSED.finditer(context.text)}
    result = []
    for ent in ents:
        surface = context.text[ent.start : ent.end]
        addressed = _ADDRESS.search(context.text, max(0, ent.start - 8), ent.start)
        if not ent.known and ent.label in ("ORG", "GPE", "NORP", "FAC") and (
            addressed or (" " in surface and surface.split(" ")[-1] in surnames)
        ):
            ent = replace(ent, label="PERSON")
        result.append(ent)
    taken = [(e.start, e.end) for e in result]
    for match in _ADDRESSED.finditer(context.text):
        if not overlaps(*match.span(1), taken) and not context.is_ordinary(match.group(1)):
            result.append(Ent(*match.span(1), "PERSON"))
    return result


def extend_people_left(ents: list[Ent], context: Context) -> list[Ent]:
    """A first name the model left out in front of a person span ("… of Examplestan Kyra
    [Varga]"): up to two capitalised words that are no title, no ordinary word and no known
    name of another kind. At a sentence's start, where any capitalised word may stand, only
    when the document writes the longer name elsewhere too."""
    taken = [(e.start, e.end) for e in ents]
    result = []
    for ent in ents:
        start = ent.start
        if ent.label == "PERSON" and not context.is_ordinary(context.text[ent.start : ent.end]):
            start = _first_name_start(ent, context, taken)
        result.append(replace(ent, start=start, known="") if start != ent.start else ent)
    return result


def _first_name_start(ent: Ent, context: Context, taken: list[tuple[int, int]]) -> int:
    """Where a person's name begins once the first names before the span are taken in."""
    start = ent.start
    for _ in range(2):
        match = re.search(rf"(?<![\w'’.-])({NAME_WORD}) $", context.text[max(0, start - 40) : start])
        if not match:
            break
        word_start = start - len(match.group(0))
        if overlaps(word_start, start - 1, taken) or not _could_be_name(match.group(1), context, word_start):
            break
        if _SENTENCE_START.search(context.text[max(0, word_start - 3) : word_start]) and (
            context.text.count(context.text[word_start : ent.end]) < 2
        ):
            break
        start = word_start
    return start


def _could_be_name(word: str, context: Context, start: int | None = None) -> bool:
    """A capitalised word that may be part of a person's name: no title or ordinary word, no
    known name of another kind, no acronym, no possessive without its apostrophe ("Alphas")."""
    if context.is_ordinary(word) or context.known_as(word) not in (None, "PERSON"):
        return False
    if word.isupper() or re.search(r"[a-z][A-Z]", word):
        return False
    if word.endswith("s") and re.search(rf"\b{re.escape(word[:-1])}\b", context.text):
        return False
    return start is None or context.tags.get(start, "NNP") in ("NNP", "NNPS")


def people_after_titles(ents: list[Ent], context: Context) -> list[Ent]:
    """Names after a title that ends in a place or an organisation: "Prime Minister of
    Examplestan Kyra Varga;" → PERSON "Kyra Varga". The place must follow "of", and the name
    (two or three capitalised words, none a title) must end the phrase."""
    found = []
    for ent in ents:
        if ent.label not in ("GPE", "ORG") or not re.search(r"\bof (?:the )?$", context.text[max(0, ent.start - 8) : ent.start]):
            continue
        match = _PERSON_RUN.match(context.text[ent.end : ent.end + 80])
        if not match:
            continue
        words = match.group(1).split(" ")
        if all(_could_be_name(word, context) for word in words):
            start = ent.end + 1
            found.append(Ent(start, start + len(match.group(1)), "PERSON"))
    taken = [(e.start, e.end) for e in ents]
    return ents + [e for e in found if not overlaps(e.start, e.end, taken)]


def people_after_fields(ents: list[Ent], context: Context) -> list[Ent]:
    """The name after a title and the field of its office ("Minister of Agriculture Kyra Varga",
    "Minister of Natural Resources and Environment Kyra Varga,", "Chief of the Government Staff
    Kyra Varga."): the last two capitalised words, before a punctuation mark, "and" or the
    line's end, are a person when the field holds a field word (one the document writes in
    lower case, a generic noun such as "Agriculture", or one of :data:`FIELD_WORDS`) and the two
    words could be a name; a third name word before them counts when the model's person holds
    it too ("… Kyra Ivanivna Varga"). A model's span that took field words into the name
    ("Culture Kyra Varga" tagged ORG) gives way; a known name, a model's name of another kind
    inside the two words ("… Capital Economics" an ORG) and a heading in Title Case are left
    alone."""
    found, dropped = [], set()
    for match in _AFTER_FIELD.finditer(context.text):
        person = _field_person(match, ents, context)
        if person is not None:
            found.append(person[0])
            dropped.update(person[1])
    return [e for e in ents if e not in dropped] + found


def _field_person(match: re.Match, ents: list[Ent], context: Context) -> tuple[Ent, list[Ent]] | None:
    """The person a name after a title's field is and the model's spans it replaces, or None
    when the match is no such name (see :func:`people_after_fields`)."""
    if not _is_field_name(match, context):
        return None
    start, end = _with_third_word(match, ents, context), match.end("name")
    crossed = [e for e in ents if e.start < end and start < e.end]
    if any(e.known or e.start < match.start("field") or e.end > end for e in crossed):
        return None
    if any(e.label != "PERSON" and e.start >= match.start("name") for e in crossed):
        return None  # the model read the two words as a name of another kind
    return Ent(start, end, "PERSON"), crossed


def _is_field_name(match: re.Match, context: Context) -> bool:
    """Whether the match is a title, a field with a field word and two name words, outside a
    heading in Title Case."""
    field = [w for w in re.split(r",? and |, | ", match.group("field").strip(" ,")) if w]
    if match.group("title").lower() not in TITLES or not any(_is_field_word(w, context) for w in field):
        return False
    if title_case_line(context.text, match.start("name"), match.end("name")):
        return False
    return all(_is_name_word(w, context) for w in match.group("name").split(" "))


def _with_third_word(match: re.Match, ents: list[Ent], context: Context) -> int:
    """Where the name starts: at its two words, or at the name word right before them (one space
    between) when the model's person span holds that word too."""
    start = match.start("name")
    before = _WORD_BEFORE.search(context.text, max(0, start - 40), start)
    if before and _is_name_word(before.group(1), context) and any(
        e.label == "PERSON" and e.start <= before.start(1) < e.end for e in ents
    ):
        return before.start(1)
    return start


def _is_name_word(word: str, context: Context) -> bool:
    """A word that may be part of a person's name and is no word of an office's field, of a
    region's name or a head of an organisation's ("Corporation")."""
    lower = word.lower()
    heads = lower in NAME_HEADS or lower in PUBLIC_BODIES or lower in COMPANY_WORDS or lower in REGION_WORDS
    return _could_be_name(word, context) and not _is_field_word(word, context) and not heads


def _is_field_word(word: str, context: Context) -> bool:
    """A word of an office's field: an ordinary word of the document, or one of :data:`FIELD_WORDS`."""
    return context.is_ordinary(word) or word.lower() in FIELD_WORDS
