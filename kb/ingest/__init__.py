"""Ingest: turn files and directories of articles into :class:`~kb.records.Document` records.

Formats: plain text (``.txt``, ``.md``), web pages (``.html``, ``.htm``, main text extracted with
trafilatura), and records (``.jsonl`` one per line, ``.json`` one object or a list, ``.csv`` with a
header row), each also accepted gzip-compressed (``.jsonl.gz`` …). A record carries ``text`` and
optionally ``id``, ``title``, ``url``, ``published`` and ``source``; other keys are ignored.

Text is changed only by dropping a byte-order mark and turning CRLF into LF, because mention
offsets are stored against exactly this text. Bad input never stops a run: it becomes a
:class:`~kb.records.Problem` naming the file (and line) and reading goes on with the next article.

Modules: :mod:`.files` (walking, file types, reading bytes), :mod:`.text` (decoding, plain text
and web pages, ids), :mod:`.records` (JSON lines, JSON, CSV).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..records import Document, Problem
from .files import BASE_SUFFIXES, HTML, PLAIN, BadInput, expand, format_of, read_bytes, shown
from .records import Found, read_csv, read_json, read_jsonl
from .text import content_hash, decode, document_id, read_html, read_plain

#: File suffixes read_inputs reads (matched case-insensitively); ``.gz`` means gzip-compressed.
SUPPORTED_SUFFIXES: tuple[str, ...] = BASE_SUFFIXES + tuple(s + ".gz" for s in BASE_SUFFIXES)

__all__ = ["SUPPORTED_SUFFIXES", "content_hash", "document_id", "read_inputs"]


def read_inputs(paths: Iterable[str | Path]) -> Iterator[Document | Problem]:
    """Yield a Document for every article found under the given files/directories (recursive,
    sorted, deterministic order) and a Problem for every input that cannot be read.

    Directories are walked depth-first in code-point order of the names; hidden entries (names
    starting with ``.``), unsupported suffixes and symlinked directories are skipped silently
    there, while an explicitly named file with an unsupported suffix is a Problem, as is a
    missing or unreadable one. A file reached twice (named and inside a named directory) is
    read once. A second document with an id already seen in this run becomes a Problem naming
    both places. A single path may be passed instead of an iterable.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    seen_files: set[str] = set()
    seen_ids: dict[str, str] = {}
    for given in paths:
        for item in expand(Path(given)):
            if isinstance(item, Problem):
                yield item
                continue
            real = os.path.realpath(item)
            if real in seen_files:
                continue
            seen_files.add(real)
            for found in read_file(item):
                if isinstance(found, Problem):
                    yield found
                else:
                    yield _check_unique(found, shown(item), seen_ids)


def _check_unique(found: Found, path: str, seen_ids: dict[str, str]) -> Document | Problem:
    """Return the document, or a Problem if its id was already read from another place."""
    document = found.document
    place = document.path or path
    first = seen_ids.setdefault(document.id, place)
    if first == place:
        return document
    return Problem(
        path,
        f"duplicate document id {document.id!r}: first read from {first}, again at {place}",
        found.line,
    )


def read_file(path: Path) -> Iterator[Found | Problem]:
    """Read one supported file and yield its documents and problems (at least one item)."""
    where = shown(path)
    suffix, gzipped = format_of(path) or ("", False)
    count = 0
    try:
        data = read_bytes(path, gzipped)
        for found in _parse(path, where, suffix, data, gzipped):
            count += 1
            yield found
    except BadInput as bad:
        yield Problem(where, bad.message, bad.line)
        return
    if count == 0:
        yield Problem(where, "empty file: no articles found")


def _parse(path: Path, where: str, suffix: str, data: bytes, gzipped: bool) -> Iterator[Found | Problem]:
    """Dispatch the decompressed bytes of a file to the reader for its format."""
    if suffix == ".jsonl":
        yield from read_jsonl(where, data, gzipped)
        return
    text = decode(data, gzipped)
    if suffix in PLAIN:
        yield Found(read_plain(path, where, text))
    elif suffix in HTML:
        yield Found(read_html(where, text))
    elif suffix == ".json":
        yield from read_json(where, text)
    else:
        yield from read_csv(where, text)
