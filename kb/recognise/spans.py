"""Span cleaning: an NER span trimmed to the name itself.

No possessive ’s, quotes, punctuation, leading "the" that is not part of the name, nor titles in
front of a person's name; spans that are no names at all (all lowercase, a lone adjective) go.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Span

from ..names import expand_abbreviation, strip_possessive, strip_quotes
from .vocabulary import GENERIC_WORDS, TITLES, WEAPON_MODIFIERS, is_nationality_word

_TRAILING = ".,;:!?)]}"
_TRAILING_WORDS = re.compile(r"(?:\s+(?:of|the|and|for|in|on|at|to))+$")
_LEADING = "([{"


def clean_span(text: str, start: int, end: int, keep_article: Callable[[str], bool]) -> tuple[int, int]:
    """Trim a span to the name itself: quotes, possessives, punctuation and a leading "the".

    ``keep_article(surface)`` says whether "The …" is part of a known name (The Times, The Hague).
    Trims until nothing changes (at most four rounds: "‘the Kremlin’s’" needs several).
    """
    for _ in range(4):
        before = (start, end)
        start, end = _trim_words(text, *_trim_marks(text, start, end), keep_article)
        if (start, end) == before:
            break
    return start, end


def _trim_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """Quotes, a possessive, trailing punctuation (not an abbreviation's dot), opening brackets
    and spaces."""
    left, right = strip_quotes(text[start:end])
    start, end = start + left, end - right
    trimmed = strip_possessive(text[start:end])  # same length per character: offsets hold
    if len(trimmed) > 1:
        end = start + len(trimmed)
    while end > start and text[end - 1] in _TRAILING and not _is_abbreviation(text[start:end]):
        end -= 1
    while end > start and text[start] in _LEADING:
        start += 1
    while end > start and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _trim_words(text: str, start: int, end: int, keep_article: Callable[[str], bool]) -> tuple[int, int]:
    """A leading "the" that is not part of a known name, trailing function words ("of the")."""
    surface = text[start:end]
    if surface[:4].lower() == "the " and not keep_article(surface):
        start += 4
    trailing = _TRAILING_WORDS.search(text[start:end])
    if trailing and trailing.start() > 0:
        end = start + trailing.start()
    return start, end


def strip_titles(text: str, start: int, end: int) -> int:
    """Move a person span's start past the titles before the name: "President Volodymyr
    Zelensky", "UN Secretary-General Antonio Guterres" → the name.

    Cuts after the last title word among the first four words, when a capitalised word follows.
    """
    words = text[start:end].split(" ")
    cut = 0
    for index, word in enumerate(words[:4]):
        rest = words[index + 1 :]
        if word.lower() in TITLES and rest and rest[0][:1].isupper():
            cut = index + 1
    return start + sum(len(word) + 1 for word in words[:cut])


def is_not_a_name(span: Span, lower_words: frozenset[str] = frozenset()) -> bool:
    """An NER span that is all lowercase ("us" tagged GPE), one word that is an adjective
    ("Ukrainian officials" tagged GPE), a title or generic word ("Defence" cut out of "Defence
    Minister", "Republic") or a word the document also writes in lower case; or several words
    that are all titles, generic words and adjectives ("Ukrainian Head of State"), or that end
    in a lower-case noun ("the Russian government"): the model's error, not a name."""
    if not any(ch.isupper() for ch in span.text):
        return True  # "us", "congress": a name is capitalised
    if span.label_ == "NORP":
        return False
    if len(span) == 1:
        token = span[0]
        return is_adjective(token) or _is_ordinary(token.lower_, lower_words)
    return _generic_phrase([t for t in span if not t.is_punct])


def is_adjective(token) -> bool:
    """The tagger's JJ; with no tagger in the pipeline (``components = "lean"``), a
    nationality word."""
    return token.tag_ == "JJ" if token.tag_ else is_nationality_word(token.text)


def _generic_phrase(words: list) -> bool:
    """Several words that make no name: none at all, an adjective before a lower-case noun
    ("Russian government"), or only titles, adjectives and function words."""
    if not words:
        return True
    last = words[-1]
    if is_adjective(words[0]) and last.is_alpha and last.is_lower and (last.tag_ or "NN").startswith("NN"):
        return True
    return all(is_adjective(t) or t.is_stop or t.lower_ in TITLES or t.lower_ in ("state", "government") for t in words)


def _is_ordinary(word: str, lower_words: frozenset[str]) -> bool:
    return word in TITLES or word in GENERIC_WORDS or word in lower_words


#: Words after a weapon's name that are not part of it ("X-99 hypersonic missile").
_WEAPON_TAIL = frozenset(WEAPON_MODIFIERS) | frozenset(
    "missile missiles system systems rocket rockets launcher launchers fighter fighters jet jets drone "
    "drones tank tanks aircraft helicopter helicopters howitzer howitzers air defence defense".split()
)
_GLUED_TITLE = re.compile(r"(?<=[a-z])([A-Z][a-z]+)")
_SPLIT_MARKS = re.compile(r"/|(?<=\S)\(|\)(?=\S)")


def split_pieces(text: str, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """One span cut into the names it holds: at a title glued to the name by a missing space
    ("…JomartPresident" → "…Jomart"), at a slash ("A/B" → "A", "B"), at brackets without a
    space ("Alpha(Beta)"); a weapon loses the generic words after its name."""
    for match in _GLUED_TITLE.finditer(text, start, end):
        if match.group(1).lower() in TITLES:
            end = match.start()
            break
    pieces, left = [], start
    for match in _SPLIT_MARKS.finditer(text, start, end):
        pieces.append((left, match.start()))
        left = match.end()
    pieces.append((left, end))
    pieces = [(s, e) for s, e in pieces if e - s >= 2 and text[s].isalnum()] if len(pieces) > 1 else pieces
    if label == "WEAPON":
        pieces = [(s, _weapon_end(text, s, e)) for s, e in pieces]
    return pieces


def _weapon_end(text: str, start: int, end: int) -> int:
    """The end of a weapon's name without the generic words that follow it."""
    words = text[start:end].split(" ")
    while len(words) > 1 and words[-1].lower() in _WEAPON_TAIL:
        words.pop()
    return start + len(" ".join(words))


def _is_abbreviation(surface: str) -> bool:
    """"U.S.", "U.K." and "Calif." keep their final dot; "Moscow." does not."""
    dotted = surface.endswith(".") and surface.count(".") >= 2 and len(surface) <= 8
    return dotted or expand_abbreviation(surface) is not None
