"""`kb annotate`: the machine interface. Text in, linked mentions out, as JSON lines.

Input: JSON lines ``{"id": …, "text": …}`` (other keys ignored), or plain text (the whole input is
one document). Output, one line per input document::

    {"id": "…", "mentions": [{"start": 0, "end": 16, "text": "Jens Stoltenberg",
      "label": "PERSON", "qid": "Q57665", "name": "Jens Stoltenberg", "score": 0.91}]}

Offsets are character offsets into the given text (end exclusive). ``qid`` is null for
unresolved names. Only linked labels (PERSON, ORG, WEAPON, GPE by default) are output. This format
is stable: evaluation and other tools depend on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain

from .kbase import KnowledgeBase
from .link import LinkResult, link_document
from .pipeline import link_batches, make_nlp
from .records import Document, Mention
from .settings import Settings


def read_annotate_input(lines: Iterable[str], source: str = "-") -> Iterator[tuple[str, str, str | None]]:
    """(id, text, publisher) triples from JSON lines, or from plain text when the input is not
    JSON lines; the publisher is a record's ``url``, else its ``source``, else None (its country
    tells national namesakes apart: :mod:`kb.link.home`).

    Reads lazily, one JSON line at a time. Raises ValueError naming ``source`` and the line for
    a JSON line that does not parse or has no string ``text``.
    """
    lines = iter(lines)
    leading = []
    for line in lines:
        leading.append(line)
        if line.strip():
            break
    if not leading or not leading[-1].lstrip().startswith("{"):
        text = "".join(chain(leading, lines))
        if text:
            yield (source, text, None)
        return
    for number, line in enumerate(chain(leading, lines), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{source}:{number}: not valid JSON: {error.msg}") from error
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ValueError(f"{source}:{number}: expected an object with a string 'text'")
        publisher = next((record[k] for k in ("url", "source") if record.get(k) and isinstance(record[k], str)), None)
        yield (str(record.get("id", number)), record["text"], publisher)


def mention_records(result: LinkResult) -> list[dict]:
    """The output records of one document's links, in text order."""
    return [
        {
            "start": link.mention.start,
            "end": link.mention.end,
            "text": link.mention.text,
            "label": link.type,
            "qid": link.qid,
            "name": link.name,
            "score": round(link.score, 4),
        }
        for link in result.links
    ]


def annotate_texts(
    items: Iterable[tuple[str, ...]],
    *,
    settings: Settings,
    knowledge_base: KnowledgeBase,
) -> Iterator[dict]:
    """Annotate (id, text) pairs, or (id, text, publisher) triples (the document's URL or host);
    yields ``{"id", "mentions"}`` dicts in input order.

    Streams: input is read as output is written. The model is loaded only if there is input.
    """
    documents = (Document(id=item[0], text=item[1], url=item[2] if len(item) > 2 else None) for item in items)
    first = next(documents, None)
    if first is None:
        return
    nlp = make_nlp(settings, knowledge_base)
    for batch in link_batches(nlp, chain([first], documents), knowledge_base, settings):
        for document, result in batch:
            yield {"id": document.id, "mentions": mention_records(result)}


def annotate_spans(
    items: Iterable[tuple[str, str, list[tuple[int, int, str]]]],
    *,
    settings: Settings,
    knowledge_base: KnowledgeBase,
) -> Iterator[dict]:
    """Link given spans (id, text, [(start, end, label)]) without running NER.

    Disambiguation alone, as in "given gold mentions" evaluation, or for tools that bring their
    own mention detector. Every given label is linked.
    """
    for doc_id, text, spans in items:
        labels = tuple(sorted({label for _, _, label in spans} | set(settings.linked_labels)))
        mentions = [Mention(start, end, text[start:end], label) for start, end, label in spans]
        result = link_document(doc_id, text, mentions, knowledge_base, settings.with_overrides(linked_labels=labels))
        yield {"id": doc_id, "mentions": mention_records(result)}
