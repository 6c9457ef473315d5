"""Reading gold files: one JSON document a line, as ``shared/eval/README.md`` describes.

Real benchmark files are not always clean. What can be scored is scored, and every repair is
reported as a :class:`GoldWarning` rather than a refusal:

- a QID that is not one (a placeholder such as a type name, an empty string, a malformed id) is
  scored as ``qid: null`` — the mention counts for detection, a link on it is neither right nor
  wrong;
- a mention with the same span as an earlier one is left out; a mention overlapping an earlier
  one is kept (both are scored);
- a mention whose offsets or text do not fit the document is left out; one with an unknown type
  is kept and scored in a row of its own;
- a document with no id, or an id seen before, gets one made from its line number;
- a line that is not a usable document (not JSON, no text, a bad evaluation span) is left out.

A line may leave out its text and name a corpus instead (``"corpus": "press-releases"``, see
:data:`CORPORA`): the text and title are then read, by id, from that corpus in ``../shared`` at
read time, so gold files of third-party texts hold only annotations. ``../shared`` is the
``shared`` folder beside the repository the gold file is in, or the ``KB_SHARED`` environment
variable, or the ``shared`` argument of :func:`read_gold_set`. A line whose id is not in its
corpus, or that names an unknown corpus, is left out with a warning.

Only a file that cannot be read, a corpus it needs that cannot be found, or a file with no usable
document at all, is an error.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: The types of the headline mention figure.
HEADLINE_TYPES = ("PERSON", "ORG", "WEAPON", "GPE")
#: Types a gold mention may carry: domain files use the headline four, general-news files add
#: PRODUCT (weapons included) and OTHER.
GOLD_TYPES = (*HEADLINE_TYPES, "PRODUCT", "OTHER")

#: Warning kinds, in the order reports list them, with what was done about each.
WARNING_KINDS = {
    "malformed QID": "not a Wikidata QID (placeholder, empty or malformed); scored as qid null",
    "duplicate span": "same span as an earlier mention; left out",
    "overlapping span": "overlaps an earlier mention; both scored",
    "unusable mention": "offsets, text or fields do not fit; left out",
    "unknown type": "type outside the gold types; scored in its own row",
    "document id": "missing or repeated document id; renamed after its line",
    "unusable document": "line is not a usable gold document; left out",
}

#: Corpora a gold line may name instead of carrying its text: name → file inside ``../shared``.
CORPORA = {"press-releases": Path("corpus") / "press-releases.jsonl.gz"}
#: Environment variable naming the ``shared`` folder (default: ``shared`` beside the repository).
SHARED_ENV = "KB_SHARED"

_QID = re.compile(r"Q[1-9]\d*")


@dataclass(frozen=True)
class GoldMention:
    """One annotated mention: offsets into the document text (end exclusive), type and QID."""

    start: int
    end: int
    text: str
    type: str
    name: str | None = None
    qid: str | None = None


@dataclass(frozen=True)
class GoldDocument:
    """One gold document; only mentions inside ``evaluation_span`` (if given) are scored."""

    id: str
    text: str
    mentions: tuple[GoldMention, ...]
    evaluation_span: tuple[int, int] | None = None
    title: str | None = None


@dataclass(frozen=True)
class GoldWarning:
    """A problem in a gold file that was repaired or skipped (see :data:`WARNING_KINDS`)."""

    kind: str
    where: str  # "path:line: document 'id', mention n"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class GoldSet:
    """The usable documents of a gold file and the warnings met while reading it."""

    path: str
    documents: tuple[GoldDocument, ...]
    warnings: tuple[GoldWarning, ...] = ()


def warning_counts(warnings: tuple[GoldWarning, ...] | list[GoldWarning]) -> dict[str, int]:
    """How many warnings of each kind, in :data:`WARNING_KINDS` order (kinds with none left out)."""
    counts = Counter(w.kind for w in warnings)
    return {kind: counts[kind] for kind in WARNING_KINDS if counts[kind]}


def read_gold(path: str | Path) -> list[GoldDocument]:
    """The usable documents of a gold file (see :func:`read_gold_set`, which keeps the warnings)."""
    return list(read_gold_set(path).documents)


def read_gold_set(path: str | Path, shared: str | Path | None = None) -> GoldSet:
    """Read a gold JSONL file (one document a line; blank lines skipped), repairing what it can.

    Lines that name a corpus instead of carrying a text get it from ``shared`` (see
    :func:`find_shared`). Raises ValueError naming the file when it cannot be read, when a corpus
    it needs is absent, or when it holds no usable document.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read gold file: {error}") from error
    texts = CorpusTexts(find_shared(path, shared))
    documents: list[GoldDocument] = []
    warnings: list[GoldWarning] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                document = _read_line(line, f"{path}:{number}", number, seen, warnings, texts)
            except CorpusMissing as error:
                raise ValueError(f"{path}:{number}: {error}") from error
            if document is not None:
                seen.add(document.id)
                documents.append(document)
    if not documents and warnings:
        raise ValueError(f"{path}: no usable gold document; first problem: {warnings[0]}")
    return GoldSet(str(path), tuple(documents), tuple(warnings))


class CorpusMissing(Exception):
    """A corpus a gold line names cannot be read (a file-level error, not a line to skip)."""


def find_shared(gold_path: str | Path, shared: str | Path | None = None) -> Path | None:
    """Where ``../shared`` is for a gold file: ``shared`` if given, else ``$KB_SHARED``, else the
    ``shared`` folder beside the repository (the nearest folder above the gold file with a
    ``pyproject.toml`` or ``.git``) the gold file is in; None when there is no such repository."""
    if shared is not None:
        return Path(shared)
    if os.environ.get(SHARED_ENV):
        return Path(os.environ[SHARED_ENV])
    for folder in Path(gold_path).resolve().parents:
        if (folder / "pyproject.toml").exists() or (folder / ".git").exists():
            return folder.parent / "shared"
    return None


def read_corpus(path: str | Path) -> dict[str, dict]:
    """A JSON-lines corpus (gzipped when the name ends in .gz) as ``{id: {"text", "title"}}``.

    Raises CorpusMissing naming the file when it is absent or unreadable.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, EOFError) as error:
        raise CorpusMissing(f"cannot read corpus {path}: {error}") from error
    return {
        str(row["id"]): {"text": row["text"], "title": row.get("title")}
        for row in rows
        if isinstance(row, dict) and "id" in row and isinstance(row.get("text"), str)
    }


@dataclass
class CorpusTexts:
    """Fills gold lines that name a corpus with its text and title; each corpus is read once."""

    shared: Path | None
    _corpora: dict[str, dict[str, dict]] = field(default_factory=dict)

    def fill(self, data: Any) -> Any:
        """``data`` with ``text`` (and ``title``, unless given) from its corpus, when it names one
        and has no text; anything else unchanged. ValueError for an unknown corpus or id."""
        if not (isinstance(data, dict) and "corpus" in data and "text" not in data):
            return data
        found = self._corpus(data["corpus"]).get(str(data.get("id")))
        if found is None:
            raise ValueError(f"document id {data.get('id')!r} is not in corpus {data['corpus']!r}")
        return {"title": found["title"], **data, "text": found["text"]}

    def _corpus(self, name: Any) -> dict[str, dict]:
        if name not in CORPORA:
            raise ValueError(f"unknown corpus {name!r} (known: {', '.join(CORPORA)})")
        if name not in self._corpora:
            if self.shared is None:
                raise CorpusMissing(
                    f"corpus {name!r} needs the shared folder: no repository around the gold file; "
                    f"set {SHARED_ENV}"
                )
            path = self.shared / CORPORA[name]
            if not path.is_file():
                raise CorpusMissing(f"corpus {name!r} not found at {path} (set {SHARED_ENV} to the shared folder)")
            self._corpora[name] = read_corpus(path)
        return self._corpora[name]


def _read_line(
    line: str, where: str, number: int, seen: set[str], warnings: list[GoldWarning], texts: CorpusTexts
) -> GoldDocument | None:
    """One line's document (None, with a warning, when it is unusable); ids made unique."""
    try:
        document = parse_gold_document(texts.fill(json.loads(line)), where, warnings)
    except json.JSONDecodeError as error:
        warnings.append(GoldWarning("unusable document", where, f"not valid JSON: {error}"))
        return None
    except ValueError as error:
        warnings.append(GoldWarning("unusable document", where, str(error).removeprefix(f"{where}: ")))
        return None
    if document.id and document.id not in seen:
        return document
    new_id = f"line {number}" if not document.id else f"{document.id} (line {number})"
    problem = "repeated" if document.id else "missing or empty"
    warnings.append(GoldWarning("document id", where, f"document id {document.id!r} {problem}; scored as {new_id!r}"))
    return replace(document, id=new_id)


def parse_gold_document(data: Any, where: str, warnings: list[GoldWarning] | None = None) -> GoldDocument:
    """Turn one decoded gold line into a GoldDocument, leaving out the mentions it cannot place.

    Raises ValueError (naming ``where``) when the line is no usable document; repairs are
    appended to ``warnings``. A missing id becomes "" (:func:`read_gold_set` names it).
    """
    warnings = [] if warnings is None else warnings
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(data).__name__}")
    text, mentions = data.get("text"), data.get("mentions")
    if not isinstance(text, str):
        raise ValueError(f"{where}: 'text' must be a string")
    if not isinstance(mentions, list):
        raise ValueError(f"{where}: 'mentions' must be a list")
    raw_id = data.get("id")
    doc_id = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else ""
    span = _parse_span(data.get("evaluation_span"), len(text), f"{where}: document {doc_id!r}")
    parsed = _parse_mentions(mentions, text, f"{where}: document {doc_id!r}", warnings)
    title = data.get("title")
    return GoldDocument(doc_id, text, parsed, span, str(title) if title is not None else None)


def _parse_span(value: Any, length: int, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value)):
        raise ValueError(f"{where}: 'evaluation_span' must be [start, end], got {value!r}")
    start, end = value
    if not 0 <= start <= end <= length:
        raise ValueError(f"{where}: evaluation_span {value!r} is outside the text (length {length})")
    return start, end


def _parse_mentions(
    mentions: list, text: str, where: str, warnings: list[GoldWarning]
) -> tuple[GoldMention, ...]:
    """The usable mentions, without repeated spans; overlaps are kept and reported."""
    kept: list[tuple[int, GoldMention]] = []
    for n, data in enumerate(mentions, start=1):
        mention_where = f"{where}, mention {n}"
        problem = _mention_problem(data, text)
        if problem:
            warnings.append(GoldWarning("unusable mention", mention_where, problem))
            continue
        clash = _span_clash(data["start"], data["end"], kept)
        if clash is not None:
            kind, earlier = clash
            verb = "repeats" if kind == "duplicate span" else "overlaps"
            message = f"[{data['start']}:{data['end']}] {data['text']!r} {verb} mention {earlier}"
            warnings.append(GoldWarning(kind, mention_where, message))
            if kind == "duplicate span":
                continue
        kept.append((n, _gold_mention(data, mention_where, warnings)))
    return tuple(mention for _, mention in kept)


def _span_clash(start: int, end: int, kept: list[tuple[int, GoldMention]]) -> tuple[str, int] | None:
    """("duplicate span" | "overlapping span", number of the earlier mention), or None."""
    overlapping = None
    for n, other in kept:
        if (other.start, other.end) == (start, end):
            return "duplicate span", n
        if overlapping is None and other.start < end and start < other.end:
            overlapping = ("overlapping span", n)
    return overlapping


def _gold_mention(data: dict, where: str, warnings: list[GoldWarning]) -> GoldMention:
    """A GoldMention from a mention that fits the text; odd types and QIDs get a warning."""
    kind = data["type"]
    if kind not in GOLD_TYPES:
        warnings.append(GoldWarning("unknown type", where, f"type {kind!r} is not one of {', '.join(GOLD_TYPES)}"))
    name = data.get("name")
    qid = _gold_qid(data.get("qid"), warnings, where)
    return GoldMention(data["start"], data["end"], data["text"], kind, str(name) if name is not None else None, qid)


def _mention_problem(data: Any, text: str) -> str | None:
    """Why a mention cannot be scored (not an object, missing fields, offsets off the text), or None."""
    if not isinstance(data, dict):
        return f"expected an object, got {type(data).__name__}"
    missing = [key for key in ("start", "end", "text", "type") if key not in data]
    if missing:
        return f"missing {', '.join(missing)}"
    start, end, surface = data["start"], data["end"], data["text"]
    if not (_is_int(start) and _is_int(end)):
        return f"offsets must be integers, got start={start!r} end={end!r}"
    if not 0 <= start < end <= len(text):
        return f"offsets [{start}:{end}] are outside the text (length {len(text)})"
    if text[start:end] != surface:
        return f"text[{start}:{end}] is {text[start:end]!r}, mention text is {surface!r}"
    if not isinstance(data["type"], str) or not data["type"]:
        return f"type must be a non-empty string, got {data['type']!r}"
    return None


def _gold_qid(value: Any, warnings: list[GoldWarning], where: str) -> str | None:
    """The QID, or None when absent, null or not a QID (the last with a warning)."""
    if value is None:
        return None
    if isinstance(value, str) and _QID.fullmatch(value):
        return value
    warnings.append(GoldWarning("malformed QID", where, f"{value!r} is not a Wikidata QID; scored as null"))
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
