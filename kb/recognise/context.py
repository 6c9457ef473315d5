"""What span repair works on: entity spans in character offsets, and the document around them
(its text, the words it writes in lower case, the part-of-speech tags, the known names)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from .vocabulary import FUNCTION_WORDS, TITLES, is_generic_word

#: One capitalised word of a name, hyphenated parts included ("Kassym-Jomart", "O’Neil").
NAME_WORD = r"[A-Z][\w'’]*(?:-[\w'’]+)*"
_WORDS = re.compile(r"[A-Za-z][\w'’-]*")
#: A Title-case or all-capital word after a space: the next word of a name ("Grand", "Leaders'",
#: "Saint-Ives", "CEO").
WORD_AFTER = re.compile(r" ([A-Z](?:[a-z][\w'’]*|[A-Z]+(?![\w'’]))(?:-[A-Za-z][\w'’]*)*)")
#: A Title-case word of a name, hyphenated parts included ("Grand", "Saint-Ives").
TITLE_WORD = r"[A-Z][a-z][\w'’]*(?:-[A-Za-z][\w'’]*)*"


@dataclass(frozen=True)
class Ent:
    """An entity span in character offsets; ``known`` is the knowledge-base id a ruler gave it;
    ``head`` a head word the text writes once for several names ("the Alpha and Beta regions":
    the span "Alpha" names the "Alpha region")."""

    start: int
    end: int
    label: str
    known: str = ""
    head: str = ""


@dataclass(frozen=True)
class Context:
    """What the repair steps read besides the spans: the text, the words the document writes in
    lower case (a capitalised one of them is an ordinary word, not a name), known names."""

    text: str
    lower_words: frozenset[str]
    known: Mapping[str, str]
    weapons: bool = True
    #: part-of-speech tag of the token starting at each character offset
    tags: Mapping[int, str] = field(default_factory=dict)

    def known_as(self, surface: str) -> str | None:
        """The knowledge-base type of this exact name, or None."""
        return self.known.get(surface)

    def is_ordinary(self, word: str) -> bool:
        """A capitalised word that is no name: a title, a generic word, or a word the document
        also writes in lower case."""
        lower = word.lower()
        return lower in TITLES or is_generic_word(lower) or lower in self.lower_words


def lower_words(text: str) -> frozenset[str]:
    """The words this text writes in lower case more often than capitalised inside a sentence:
    a capitalised one of them is an ordinary word ("Finance" beside "finance"), while a word
    capitalised mid-sentence as often ("the Treasury … treasury bills") may be a name."""
    lower = Counter(re.findall(r"(?<![\w'’-])[a-z][a-z'’-]+", text))
    capital = Counter(m.group(1).lower() for m in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z'’-]+)", text))
    return frozenset(word for word, count in lower.items() if count > capital[word])


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) shares a character with any of the spans."""
    return any(start < e and s < end for s, e in spans)


def without_overlaps(ents: list[Ent]) -> list[Ent]:
    """Longest span wins where two overlap (ties: the earlier)."""
    kept: list[Ent] = []
    for ent in sorted(ents, key=lambda e: (-(e.end - e.start), e.start)):
        if not overlaps(ent.start, ent.end, [(k.start, k.end) for k in kept]):
            kept.append(ent)
    return sorted(kept, key=lambda e: (e.start, e.end))


def title_case_line(text: str, start: int, end: int) -> bool:
    """Whether the line around a span is written in Title Case (a heading): no word in lower
    case but function words."""
    line_start = text.rfind("\n", max(0, start - 300), start)  # looked for near the span only
    line_start = max(0, start - 300) if line_start < 0 else line_start + 1
    line_end = text.find("\n", end, end + 300)
    line_end = min(len(text), end + 300) if line_end < 0 else line_end
    words = _WORDS.findall(text[line_start:start] + " " + text[end:line_end])
    return not any(word[0].islower() and word.lower() not in FUNCTION_WORDS for word in words)


def bare_word(word: str) -> str:
    """A word in lower case without its possessive ("Leaders'" → "leaders", "People's" → "people")."""
    return re.sub(r"['’]s?$", "", word.lower())
