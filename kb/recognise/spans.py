"""Span cleaning: an NER span trimmed to the name itself.

No possessive ’s, quotes, punctuation, leading "the" that is not part of the name, nor titles in
front of a person's name; spans that are no names at all (all lowercase, a lone adjective) go.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Span

from ..names import expand_abbreviation, strip_possessive, strip_quotes

#: Titles that NER keeps in front of a person's name ("President Zelensky"): not part of it.
TITLES = frozenset(
    "president prime minister chancellor secretary-general secretary general gen. mr mr. mrs "
    "mrs. ms ms. dr dr. sir lord king queen pope senator sen. rep. gov. governor mayor ambassador "
    "admiral colonel col. lt. sgt. captain capt. commander spokesman spokeswoman spokesperson "
    "foreign defence defense deputy vice premier lieutenant major marshal field head chief".split()
)
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


def is_not_a_name(span: Span) -> bool:
    """An NER span that is all lowercase ("us" tagged GPE), or one word that is an adjective
    ("Ukrainian officials" tagged GPE) or a title word ("Defence" cut out of "Defence
    Minister"): the model's error, not a name."""
    if not any(ch.isupper() for ch in span.text):
        return True  # "us", "congress": a name is capitalised
    if len(span) != 1 or span.label_ == "NORP":
        return False
    token = span[0]
    return token.tag_ == "JJ" or token.lower_ in TITLES


def _is_abbreviation(surface: str) -> bool:
    """"U.S.", "U.K." and "Calif." keep their final dot; "Moscow." does not."""
    dotted = surface.endswith(".") and surface.count(".") >= 2 and len(surface) <= 8
    return dotted or expand_abbreviation(surface) is not None
