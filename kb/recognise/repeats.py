"""Names found again: the occurrences NER missed of names a document already uses.

NER tags "Orlando Magic" in one sentence and misses it (or "Magic") in the next. Given the forms
the link stage vouches for (names the knowledge base knows), this finds their other whole-word
occurrences in the text: recognition, with the link stage deciding what to look for.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from ..records import Mention
from ..settings import Settings

_SENTENCE_MARKS = (". ", "! ", "? ", "\n")


def find_again(
    text: str,
    names: Sequence[tuple[Sequence[str], str]],
    taken: Sequence[tuple[int, int]],
    settings: Settings,
) -> list[list[Mention]]:
    """For each (forms, label) in ``names``, in order: new mentions (source "propagated") of
    its forms, each form in the order given (longest first, so "Orlando Magic" wins over "Magic").

    Only whole-word occurrences that overlap no span in ``taken`` nor one found before.
    """
    spans = _Taken(taken)
    found = []
    for forms, label in names:
        mentions = []
        for form in forms:
            for start, end in whole_words(text, form):
                if spans.overlaps(start, end):
                    continue
                spans.add(start, end)
                sentence = sentence_around(text, start, end, settings.sentence_limit)
                mentions.append(Mention(start, end, form, label, sentence, "propagated"))
        found.append(mentions)
    return found


def whole_words(text: str, form: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each occurrence of ``form`` in ``text`` that no letter, digit, "_" or "-"
    touches, left to right without overlaps: what ``re.finditer`` with look-arounds finds, by
    ``str.find`` (a pattern per name made each search compile a new regular expression)."""
    start = text.find(form) if form else -1
    while start != -1:
        end = start + len(form)
        if _joins(text, start - 1) or _joins(text, end):
            start = text.find(form, start + 1)
        else:
            yield start, end
            start = text.find(form, end)


def _joins(text: str, index: int) -> bool:
    """Whether the character at ``index`` (if any) would make a word continue there."""
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] in "_-")


class _Taken:
    """Character ranges already taken, merged into disjoint sorted intervals, so whether a new
    span overlaps one is a binary search (a scan of every span was quadratic on long documents)."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps a taken range: only the last range starting before
        ``end`` can, the ranges being disjoint."""
        index = bisect_left(self.starts, end) - 1
        return index >= 0 and self.ends[index] > start

    def add(self, start: int, end: int) -> None:
        """Take [start, end), a range that overlaps none taken."""
        index = bisect_left(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)


def sentence_around(text: str, start: int, end: int, limit: int) -> str:
    """The sentence a span stands in (cut at sentence punctuation or line breaks), at most
    ``limit`` characters."""
    left = max(text.rfind(mark, 0, start) for mark in _SENTENCE_MARKS) + 1
    stops = [i for i in (text.find(mark, end) for mark in _SENTENCE_MARKS) if i != -1]
    right = min(stops) + 1 if stops else len(text)
    return text[left:right].strip()[:limit]
