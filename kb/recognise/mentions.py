"""Mentions of parsed documents: cleaned NER and ruler spans, dateline places, sentences."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping

from spacy.language import Language
from spacy.tokens import Doc

from ..names import normalise
from ..records import Mention
from ..settings import Settings
from .model import known_names
from .parallel import parse_in_workers
from .repair import Context, Ent, lower_words, repair
from .spans import clean_span, is_not_a_name, split_pieces, strip_titles

_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
#: NER labels that are never names of entities (numbers and dates): not stored at all.
DROPPED_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'\-]{2,}(?: [A-Z][A-Z'\-]+){0,3})"
    r"(?:, (?P<region>[A-Z][A-Za-z]*\.?(?: [A-Z][A-Za-z]*\.?)?))? [-—–] ",
    re.MULTILINE,
)
#: The default snippet length (``Settings.sentence_limit``).
SENTENCE_LIMIT = Settings.sentence_limit


def sentence_bounds(doc: Doc, text: str | None = None) -> list[tuple[int, int]]:
    """(start, end) character offsets of a parsed document's sentences, computed once: asking
    each span for its ``.sent`` walks the document again and is quadratic on long articles.
    A blank line always ends a sentence (a paragraph, a heading), whatever the model says.
    ``text``: the document's text when the caller has it (``doc.text`` joins every token's)."""
    text = doc.text if text is None else text
    if not doc.has_annotation("SENT_START"):
        return _paragraphs(text, 0, len(text))
    return [piece for sent in doc.sents for piece in _paragraphs(text, sent.start_char, sent.end_char)]


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at its blank lines."""
    bounds = []
    for match in _BLANK_LINE.finditer(text, start, end):
        bounds.append((start, match.start()))
        start = match.end()
    return bounds + [(start, end)]


def sentence_at(text: str, bounds: list[tuple[int, int]], start: int, limit: int = SENTENCE_LIMIT) -> str:
    """The sentence containing character ``start``, shortened to a snippet of at most ``limit``
    characters."""
    index = max(0, bisect_right(bounds, (start, len(text) + 1)) - 1)
    begin, end = bounds[index] if bounds else (0, len(text))
    sentence = text[begin:end].strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


class TagsByOffset(Mapping[int, str]):
    """The fine-grained tag of the token starting at each character offset, looked up when
    asked: span repair asks for a few, and a dict of every token's cost a tenth of recognition."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        tagged = len(doc) and doc[0].tag_  # no tagger in the pipeline: no tags, not empty ones
        self.offsets = doc.to_array("IDX").tolist() if tagged else []

    def __getitem__(self, offset: int) -> str:
        index = bisect_left(self.offsets, offset)
        if index == len(self.offsets) or self.offsets[index] != offset:
            raise KeyError(offset)
        return self.doc[index].tag_

    def __iter__(self) -> Iterator[int]:
        return iter(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets)


def dateline_mentions(text: str) -> list[Mention]:
    """The places of wire-style datelines at the start of a line: "MILLBROOK, Ala. - …",
    "KANSAS CITY — …", "BASRA, Iraq - …". Statistical NER often misreads these capitals."""
    mentions = []
    for match in _DATELINE.finditer(text):
        for group in ("place", "region"):
            start, end = match.span(group)
            if start >= 0:
                mentions.append(Mention(start, end, text[start:end], "GPE", match.group(0).strip(), "dateline"))
    return mentions


def mentions_of(
    doc: Doc,
    keep_article: Callable[[str], bool],
    sentence_limit: int = SENTENCE_LIMIT,
    known: Mapping[str, str] | None = None,
    weapons: bool = True,
    text: str | None = None,
) -> list[Mention]:
    """Cleaned mentions of a parsed document, in text order, without duplicates.

    The model's spans are repaired first (:mod:`kb.recognise.repair`, with ``known`` names →
    types; ``weapons`` finds weapon names from context), then cut into the names they hold and
    trimmed. Dateline places win over whatever NER made of the same characters.
    ``keep_article(surface)`` says whether "The …" is part of a known name. ``text``: the text
    the document was parsed from, when the caller has it (``doc.text`` joins every token's).
    """
    text = doc.text if text is None else text
    mentions = dateline_mentions(text)
    bounds = sentence_bounds(doc, text)
    seen = {(m.start, m.end) for m in mentions}
    datelines = sorted(seen)
    context = Context(text, lower_words(text), known or {}, weapons, TagsByOffset(doc))
    ents = [Ent(s.start_char, s.end_char, s.label_, s.ent_id_) for s in doc.ents if s.label_ not in DROPPED_LABELS]
    for ent in repair(ents, context):
        for start, end in _names_in(doc, ent, keep_article, context):  # context.text: read once
            if (start, end) in seen or any(start < e and s < end for s, e in datelines):
                continue
            seen.add((start, end))
            source = "ruler" if ent.known else "ner"
            sentence = sentence_at(text, bounds, start, sentence_limit)
            name = f"{text[start:end]} {ent.head}" if ent.head else ""
            mentions.append(Mention(start, end, text[start:end], ent.label, sentence, source, name))
    return sorted(mentions, key=lambda m: (m.start, m.end))


def _names_in(
    doc: Doc, ent: Ent, keep_article: Callable[[str], bool], context: Context
) -> Iterator[tuple[int, int]]:
    """The cleaned (start, end) of each name a repaired span holds; spans that are no names go."""
    text = context.text
    for piece_start, piece_end in split_pieces(text, ent.start, ent.end, ent.label):
        start, end = clean_span(text, piece_start, piece_end, keep_article)
        if ent.label == "PERSON":
            start = strip_titles(text, start, end)
        if end <= start or not normalise(text[start:end]):
            continue
        if not ent.known:  # a known name is a name; another span is checked (None inside a token)
            span = doc.char_span(start, end, label=ent.label)
            if span is not None and is_not_a_name(span, context.lower_words):
                continue
        yield start, end


def recognise(
    nlp: Language,
    texts: Iterable[str],
    keep_article: Callable[[str], bool],
    batch_size: int = 32,
    processes: int = 1,
    sentence_limit: int = SENTENCE_LIMIT,
    weapons: bool = True,
) -> Iterator[list[Mention]]:
    """Mentions for each text, in order; the throughput path (``nlp.pipe``; with ``processes``
    above 1, worker processes parse (:mod:`kb.recognise.parallel`) while this one cleans spans).
    ``weapons``: find weapon names the knowledge base lacks from the words around them
    (``Settings.weapon_context``)."""
    known = known_names(nlp)
    if processes > 1:
        for doc in parse_in_workers(nlp, texts, batch_size, processes):
            yield mentions_of(doc, keep_article, sentence_limit, known, weapons)
        return
    for doc, text in nlp.pipe(((text, text) for text in texts), batch_size=batch_size, as_tuples=True):
        yield mentions_of(doc, keep_article, sentence_limit, known, weapons, text)
