"""Ingest: turn files and directories of articles into :class:`~kb.records.Document` records.

Formats: plain text (``.txt``, ``.md``), web pages (``.html``, ``.htm``, main text extracted with
trafilatura), and records (``.jsonl`` one per line, ``.json`` one object or a list, ``.csv`` with a
header row), each also accepted gzip-compressed (``.jsonl.gz`` …). A record carries ``text`` and
optionally ``id``, ``title``, ``url``, ``published`` and ``source``; other keys are ignored.

Text is changed only by dropping a UTF-8 byte-order mark and turning CRLF into LF, because mention
offsets are stored against exactly this text. Bad input never stops a run: it becomes a
:class:`~kb.records.Problem` and reading goes on with the next article.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from .records import Document, Problem

_PLAIN = (".txt", ".md")
_HTML = (".html", ".htm")
_RECORDS = (".jsonl", ".json", ".csv")
_BASE_SUFFIXES = _PLAIN + _HTML + _RECORDS

#: File suffixes read_inputs reads (matched case-insensitively); ``.gz`` means gzip-compressed.
SUPPORTED_SUFFIXES: tuple[str, ...] = _BASE_SUFFIXES + tuple(s + ".gz" for s in _BASE_SUFFIXES)

_METADATA_FIELDS = ("title", "url", "published", "source")
_BOM = "\ufeff"
# Only dates the page states (meta tags, URL), not guesses from the body text.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class _Found:
    """A document read from a file, with the line it starts on (record formats only)."""

    document: Document
    line: int | None = None


class _BadInput(Exception):
    """Raised inside a reader for a problem that ends reading the whole file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def content_hash(text: str) -> str:
    """Return the SHA-256 hex digest of the UTF-8 text: it identifies a text across runs."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_id(text: str, given: str | None = None) -> str:
    """Return the id a document is stored under: the id its source gave, else a content hash.

    A blank or missing id falls back to the first 16 hex digits of :func:`content_hash`, so the
    same text gets the same id in every run.
    """
    if given is not None and given.strip():
        return given
    return content_hash(text)[:16]


def _normalise_text(text: str) -> str:
    """Drop a leading UTF-8 byte-order mark and turn CRLF into LF; change nothing else.

    Mention offsets index into the stored text, so any further cleaning would be a data change.
    """
    return text.removeprefix(_BOM).replace("\r\n", "\n")


def _title_from_text(text: str) -> str | None:
    """The title of a text article: among its first lines, the first that looks like a headline
    (three words or more, no final full stop: a scraped page often starts with "Search" or
    "Close this search box."), else its first non-empty line; leading ``#`` marks dropped."""
    lines = [line.lstrip("#").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    headline = next((line for line in lines[:10] if len(line.split()) >= 3 and not line.endswith(".")), None)
    return headline or (lines[0] if lines else None)


def _format_of(path: str | Path) -> tuple[str, bool] | None:
    """Return (base suffix, gzipped) for a supported file name, else None.

    Case-insensitive: ``Report.JSONL.GZ`` → ``(".jsonl", True)``.
    """
    name = Path(path).name.lower()
    gzipped = name.endswith(".gz")
    suffix = Path(name.removesuffix(".gz")).suffix if gzipped else Path(name).suffix
    return (suffix, gzipped) if suffix in _BASE_SUFFIXES else None


def read_inputs(paths: Iterable[str | Path]) -> Iterator[Document | Problem]:
    """Yield a Document for every article found under the given files/directories (recursive,
    sorted, deterministic order) and a Problem for every input that cannot be read.

    Directories are walked depth-first in code-point order of the names; hidden entries (names
    starting with ``.``), unsupported suffixes and symlinked directories are skipped silently
    there, while an explicitly named file with an unsupported suffix is a Problem. A file reached
    twice (named and inside a named directory) is read once. A second document with an id
    already seen in this run becomes a Problem naming both places. A single path may be passed
    instead of an iterable.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    seen_files: set[str] = set()
    seen_ids: dict[str, str] = {}
    for given in paths:
        for item in _expand(Path(given)):
            if isinstance(item, Problem):
                yield item
                continue
            real = os.path.realpath(item)
            if real in seen_files:
                continue
            seen_files.add(real)
            for found in _read_file(item):
                if isinstance(found, Problem):
                    yield found
                else:
                    yield _check_unique(found, str(item), seen_ids)


def _check_unique(found: _Found, path: str, seen_ids: dict[str, str]) -> Document | Problem:
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


def _expand(path: Path) -> Iterator[Path | Problem]:
    """Yield the readable files a named path stands for, or a Problem if it cannot be used."""
    try:
        is_dir = path.is_dir()
        if not is_dir:
            path.stat()
    except OSError as error:
        yield Problem(str(path), f"cannot read: {_reason(error)}")
        return
    if is_dir:
        yield from _walk(path)
    elif _format_of(path) is None:
        supported = ", ".join(_BASE_SUFFIXES)
        yield Problem(
            str(path),
            f"unsupported file type {path.suffix or '(no suffix)'!r}; supported: {supported} "
            "(optionally .gz)",
        )
    else:
        yield path


def _walk(directory: Path) -> Iterator[Path | Problem]:
    """Yield supported files under a directory, depth-first in sorted name order."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as error:
        yield Problem(str(directory), f"cannot read directory: {_reason(error)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = directory / entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as error:
            yield Problem(str(path), f"cannot read: {_reason(error)}")
            continue
        if is_dir:
            yield from _walk(path)
        # Symlinked directories are not followed: a link to an ancestor would loop forever.
        elif _format_of(entry.name) is not None and not (entry.is_symlink() and path.is_dir()):
            yield path


def _reason(error: OSError) -> str:
    """A short human reason for an OS error ("Permission denied") without the repeated path."""
    return error.strerror or str(error)


def _read_file(path: Path) -> Iterator[_Found | Problem]:
    """Read one supported file and yield its documents and problems."""
    where = str(path)
    suffix, gzipped = _format_of(path) or ("", False)
    try:
        data = path.read_bytes()
    except OSError as error:
        yield Problem(where, f"cannot read: {_reason(error)}")
        return
    if gzipped:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            yield Problem(where, f"not a valid gzip file: {error}")
            return
    count = 0
    try:
        for found in _parse(path, suffix, data, gzipped):
            count += 1
            yield found
    except _BadInput as bad:
        yield Problem(where, bad.message, bad.line)
        return
    if count == 0:
        yield Problem(where, "empty file: no articles found")


def _parse(path: Path, suffix: str, data: bytes, gzipped: bool) -> Iterator[_Found | Problem]:
    """Dispatch the decompressed bytes of a file to the reader for its format."""
    if suffix == ".jsonl":
        yield from _read_jsonl(path, data, gzipped)
        return
    text = _decode(data, gzipped)
    if suffix in _PLAIN:
        yield _read_plain(path, text)
    elif suffix in _HTML:
        yield _read_html(path, text)
    elif suffix == ".json":
        yield from _read_json(path, text)
    else:
        yield from _read_csv(path, text)


def _decode(data: bytes, gzipped: bool, offset: int = 0, line: int | None = None) -> str:
    """Decode UTF-8 strictly; raise _BadInput naming the byte offset (and line) of bad bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        position = offset + error.start
        where = " of the decompressed data" if gzipped else ""
        bad = data[error.start : error.start + 4].hex(" ")
        if line is None:
            line = data.count(b"\n", 0, error.start) + 1
        raise _BadInput(
            f"invalid UTF-8 at byte offset {position}{where} (bytes {bad}): {error.reason}", line
        ) from None


def _read_plain(path: Path, raw: str) -> _Found | Problem:
    """A .txt/.md file is one article; its title is its first non-empty line."""
    text = _normalise_text(raw)
    if not text.strip():
        return Problem(str(path), "empty document: the file has no text")
    return _Found(_document(text, path=str(path), title=_title_from_text(text)))


def _read_html(path: Path, raw: str) -> _Found | Problem:
    """Extract the main text of a web page (boilerplate dropped) and its title/url/date/site."""
    html = raw.removeprefix(_BOM)
    if not html.strip():
        return Problem(str(path), "empty document: the file has no text")
    # trafilatura/lxml raise assorted exception types on odd markup; one bad page must not
    # end the run, so any failure becomes a Problem for this file.
    try:
        extracted = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
        )
        if extracted is None or not (extracted.text or "").strip():
            text = trafilatura.html2txt(html)
            extracted = trafilatura.extract_metadata(
                html, date_config=_DATE_PARAMS, extensive=False
            )
        else:
            text = extracted.text
    except Exception as error:  # noqa: BLE001 - see comment above
        return Problem(str(path), f"cannot extract text from HTML: {type(error).__name__}: {error}")
    text = _normalise_text(text or "")
    if not text.strip():
        return Problem(str(path), "empty document: no text could be extracted from the HTML")
    metadata = {
        "title": getattr(extracted, "title", None),
        "url": getattr(extracted, "url", None),
        "published": getattr(extracted, "date", None),
        "source": getattr(extracted, "sitename", None),
    }
    return _Found(_document(text, path=str(path), **{k: v or None for k, v in metadata.items()}))


def _read_jsonl(path: Path, data: bytes, gzipped: bool) -> Iterator[_Found | Problem]:
    """One JSON object per line; blank lines are skipped, every bad line is its own Problem."""
    where = str(path)
    offset = 0
    for number, chunk in enumerate(data.split(b"\n"), start=1):
        start, offset = offset, offset + len(chunk) + 1
        try:
            line = _decode(chunk, gzipped, offset=start, line=number)
        except _BadInput as bad:
            yield Problem(where, bad.message, number)
            continue
        if number == 1:
            line = line.removeprefix(_BOM)
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Problem(where, f"malformed JSON: {error.msg} (column {error.colno})", number)
            continue
        yield _from_record(record, f"{where}:{number}", where, number)


def _read_json(path: Path, raw: str) -> Iterator[_Found | Problem]:
    """One JSON object, or a list of them (a list item's path is ``file.json[INDEX]``)."""
    where = str(path)
    try:
        value = json.loads(raw.removeprefix(_BOM))
    except json.JSONDecodeError as error:
        raise _BadInput(
            f"malformed JSON: {error.msg} (column {error.colno})", error.lineno
        ) from None
    if isinstance(value, list):
        for index, record in enumerate(value):
            found = _from_record(record, f"{where}[{index}]", where, None)
            if isinstance(found, Problem):
                found = Problem(where, f"item {index}: {found.message}")
            yield found
    else:
        yield _from_record(value, where, where, None)


def _read_csv(path: Path, raw: str) -> Iterator[_Found | Problem]:
    """A header row naming the fields (one must be ``text``), then one article per row."""
    where = str(path)
    reader = csv.reader(io.StringIO(_normalise_text(raw), newline=""))
    header: list[str] | None = None
    row_start = 1
    try:
        for row in reader:
            line, row_start = row_start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _csv_header(row, line)
                continue
            if len(row) != len(header):
                yield Problem(
                    where, f"row has {len(row)} fields but the header has {len(header)}", line
                )
                continue
            record = {key: value for key, value in zip(header, row, strict=True) if value != ""}
            yield _from_record(record, f"{where}:{line}", where, line)
    except csv.Error as error:
        raise _BadInput(f"malformed CSV: {error}", reader.line_num) from None


def _csv_header(row: list[str], line: int) -> list[str]:
    """Validate a CSV header row: it needs a ``text`` column and no repeated names."""
    header = [cell.strip() for cell in row]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise _BadInput(f"header repeats column(s): {', '.join(repeated)}", line)
    if "text" not in header:
        raise _BadInput(f"header has no 'text' column (columns: {', '.join(header)})", line)
    return header


def _from_record(record: Any, place: str, where: str, line: int | None) -> _Found | Problem:
    """Turn one parsed record into a document, or a Problem saying which field is wrong."""
    try:
        return _Found(_record_document(record, place), line)
    except _BadInput as bad:
        return Problem(where, bad.message, line)


def _record_document(record: Any, place: str) -> Document:
    """Validate a record's fields and build its Document; raise _BadInput on a bad field."""
    if not isinstance(record, dict):
        raise _BadInput(f"expected an object with a 'text' field, got {_json_type(record)}")
    if "text" not in record:
        raise _BadInput("record has no 'text' field")
    text = record["text"]
    if not isinstance(text, str):
        raise _BadInput(f"'text' must be a string, got {_json_type(text)}")
    text = _normalise_text(text)
    if not text.strip():
        raise _BadInput("empty document: 'text' is blank")
    given = record.get("id")
    if isinstance(given, bool) or not isinstance(given, (str, int, type(None))):
        raise _BadInput(f"'id' must be a string or an integer, got {_json_type(given)}")
    metadata = {name: _scalar(record.get(name), name) for name in _METADATA_FIELDS}
    given_id = None if given is None else str(given)
    for name, value in {"text": text, "id": given_id, **metadata}.items():
        _check_encodable(value, name)
    return _document(text, given_id=given_id, path=place, **metadata)


def _scalar(value: Any, name: str) -> str | None:
    """A metadata value as text: strings kept, numbers written out, null/empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _BadInput(f"{name!r} must be a string, got {_json_type(value)}")


def _check_encodable(value: str | None, name: str) -> None:
    """Reject lone surrogates (JSON ``"\\ud800"``): they cannot be hashed or stored as UTF-8."""
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise _BadInput(
            f"{name!r} is not valid Unicode: lone surrogate at character {error.start}"
        ) from None


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    names |= {int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _document(text: str, *, given_id: str | None = None, **fields: str | None) -> Document:
    """Build a Document with its id and content hash filled in from the (normalised) text."""
    return Document(
        id=document_id(text, given_id), text=text, content_hash=content_hash(text), **fields
    )
