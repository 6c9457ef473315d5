"""Chunking: long texts go to the recogniser in pieces, so length costs time and memory linearly.

spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters) and its memory grows far
faster than the text below that. A document longer than ``Settings.max_chunk_chars`` is cut into
consecutive pieces that cover it exactly; each piece is recognised alone and its mentions are
shifted back to offsets into the whole text. Linking still sees the whole document.

A piece ends at the gentlest boundary found in the second half of its window: a paragraph break,
else a line break, else a sentence end, else a space between lowercase words, else any space,
else (a run of characters with no whitespace at all) exactly at the limit. Cutting only at
whitespace, and preferably between sentences, keeps a name from being split between two pieces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import groupby, tee

from spacy.language import Language

from ..records import Mention

#: Lowercase letters of the scripts the news comes in (Latin, Cyrillic, Greek).
_LOWER = "a-zß-öø-ÿа-яёіїєґα-ω"
#: Boundaries in order of preference; a piece ends where the match ends.
_BOUNDARIES = (
    re.compile(r"\n[ \t\r\f\v]*\n\s*"),  # paragraph break
    re.compile(r"\n\s*"),  # line break
    # a sentence end: a word of two or more lowercase letters (not "U.S." or "Mr."), closing
    # punctuation, whitespace
    re.compile(rf"(?<=[{_LOWER}]{{2}}[.!?])[\"'”’»)\]]*\s+"),
    re.compile(rf"(?<=[{_LOWER},;:])\s+(?=[{_LOWER}]+\s+[{_LOWER}])"),  # between lowercase words
    re.compile(r"\s+"),
)


def chunk_spans(text: str, max_chars: int) -> list[tuple[int, int]]:
    """(start, end) offsets of consecutive pieces of at most ``max_chars`` characters that cover
    ``text`` exactly (a text that fits is one piece).

    Every piece but the last is at least half the limit long, so the pieces are found in time
    linear in the length of the text.
    """
    if max_chars < 2:
        raise ValueError(f"max_chunk_chars must be at least 2, got {max_chars}")
    spans = []
    start = 0
    while len(text) - start > max_chars:
        end = _cut(text, start, start + max_chars)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _cut(text: str, start: int, limit: int) -> int:
    """Where the piece starting at ``start`` ends: the last gentlest boundary in the second half
    of ``[start, limit)``, else ``limit`` itself."""
    floor = start + (limit - start) // 2
    for pattern in _BOUNDARIES:
        end = None
        for match in pattern.finditer(text, floor, limit):
            end = match.end()
        if end is not None and end > start:
            return end
    return limit


def recognise_in_chunks(
    recognise: Callable[[Iterable[str]], Iterator[list[Mention]]],
    texts: Iterable[str],
    max_chars: int,
) -> Iterator[list[Mention]]:
    """Mentions for each text, in order, with ``recognise`` (a function from a stream of texts
    to their mentions) run over the pieces of each text; offsets point into the whole text.

    Streams: a text is cut when the recogniser reaches it, and its pieces go through the same
    ``recognise`` call (one ``nlp.pipe``) as every other text's.
    """
    pieces = (
        (index, start, text, text[start:end])
        for index, text in enumerate(texts)
        for start, end in chunk_spans(text, max_chars)
    )
    pieces, for_texts = tee(pieces)
    recognised = zip(pieces, recognise(piece for *_, piece in for_texts))
    for _, group in groupby(recognised, key=lambda item: item[0][0]):
        mentions: list[Mention] = []
        for (_, start, text, piece), found in group:
            mentions.extend(_shifted(found, start, text, piece))
        yield sorted(mentions, key=lambda m: (m.start, m.end))


def _shifted(mentions: list[Mention], start: int, text: str, piece: str) -> Iterator[Mention]:
    """A piece's mentions moved to offsets into the whole text.

    A dateline is a pattern at the start of a line: on the first line of a piece that was cut
    in the middle of a line it is an artefact of the cut, and dropped.
    """
    cut_mid_line = start > 0 and text[start - 1] != "\n"
    for mention in mentions:
        if cut_mid_line and mention.source == "dateline" and "\n" not in piece[: mention.start]:
            continue
        if start:
            mention = replace(mention, start=mention.start + start, end=mention.end + start)
        yield mention


def piece_limit(nlp: Language, max_chars: int) -> int:
    """The piece size to use with ``nlp``: the setting, but never over the pipeline's own
    ``max_length``."""
    return max(2, min(max_chars, nlp.max_length))
