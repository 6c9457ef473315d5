"""Record formats: JSON lines, JSON (one object or a list) and CSV with a header row.

A record carries ``text`` and optionally ``id``, ``title``, ``url``, ``published`` and
``source``; other keys are ignored. Every bad record is its own Problem; the others are read.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..records import Document, Problem
from .files import BadInput
from .text import MAX_ID_CHARS, check_article, check_text, decode, make_document, normalise_text

_METADATA_FIELDS = ("title", "url", "published", "source")
_BOM = "\ufeff"


@dataclass(frozen=True)
class Found:
    """A document read from a file, with the line it starts on (record formats only)."""

    document: Document
    line: int | None = None


def parse_json(text: str) -> Any:
    """``json.loads`` with every way it fails as a BadInput: malformed text, nesting too deep for
    Python's recursion limit, integers too long to convert."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(f"malformed JSON: {error.msg} (column {error.colno})", error.lineno) from None
    except RecursionError:
        raise BadInput("malformed JSON: nested too deeply") from None
    except ValueError as error:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise BadInput(f"malformed JSON: {str(error).split(';')[0]}") from None


def read_jsonl(where: str, data: bytes, gzipped: bool) -> Iterator[Found | Problem]:
    """One JSON object per line; blank lines are skipped, every bad line is its own Problem."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark
        data = decode(data, gzipped).encode("utf-8")
    offset = 0
    for number, chunk in enumerate(data.split(b"\n"), start=1):
        start, offset = offset, offset + len(chunk) + 1
        try:
            line = decode(chunk, gzipped, offset=start, line=number)
            if number == 1:
                line = line.removeprefix(_BOM)
            if not line.strip():
                continue
            record = parse_json(line)
        except BadInput as bad:
            yield Problem(where, bad.message, number)
            continue
        yield from_record(record, f"{where}:{number}", where, number)


def read_json(where: str, raw: str) -> Iterator[Found | Problem]:
    """One JSON object, or a list of them (a list item's path is ``file.json[INDEX]``)."""
    value = parse_json(raw.removeprefix(_BOM))
    if isinstance(value, list):
        for index, record in enumerate(value):
            found = from_record(record, f"{where}[{index}]", where, None)
            if isinstance(found, Problem):
                found = Problem(where, f"item {index}: {found.message}")
            yield found
    else:
        yield from_record(value, where, where, None)


@contextmanager
def _long_fields() -> Iterator[None]:
    """Let the csv module read fields of any length (an article can exceed its 128 KiB
    default) for the duration of one file, then restore its process-wide limit."""
    previous = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def read_csv(where: str, raw: str) -> Iterator[Found | Problem]:
    """A header row naming the fields (one must be ``text``), then one article per row.

    Parsing is strict: an unterminated quote is a problem on the line it opens, not a silent
    merge of every following row into one field.
    """
    reader = csv.reader(io.StringIO(normalise_text(raw), newline=""), strict=True)
    header: list[str] | None = None
    row_start = 1
    with _long_fields():
        try:
            for row in reader:
                line, row_start = row_start, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if header is None:
                    header = csv_header(row, line)
                    continue
                yield _csv_record(header, row, where, line)
        except csv.Error as error:
            reason = "unterminated quoted field" if "end of data" in str(error) else str(error)
            raise BadInput(f"malformed CSV: {reason} (in the row starting on line {row_start})", row_start) from None


def _csv_record(header: list[str], row: list[str], where: str, line: int) -> Found | Problem:
    """One CSV row as a document, or a Problem when it has the wrong number of fields."""
    if len(row) != len(header):
        return Problem(where, f"row has {len(row)} fields but the header has {len(header)}", line)
    record = {key: value for key, value in zip(header, row, strict=True) if value != ""}
    return from_record(record, f"{where}:{line}", where, line)


def csv_header(row: list[str], line: int) -> list[str]:
    """Validate a CSV header row: it needs a ``text`` column and no repeated names."""
    header = [cell.strip() for cell in row]
    repeated = sorted(name for name, count in Counter(header).items() if name and count > 1)
    if repeated:
        raise BadInput(f"header repeats column(s): {_some(repeated)}", line)
    if "text" not in header:
        raise BadInput(f"header has no 'text' column (columns: {_some(header)})", line)
    return header


def _some(names: list[str], most: int = 10) -> str:
    """A list of names for a message, cut after ``most`` (a header can have 60,000 columns)."""
    shown = ", ".join(name[:80] for name in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def from_record(record: Any, place: str, where: str, line: int | None) -> Found | Problem:
    """Turn one parsed record into a document, or a Problem saying which field is wrong."""
    try:
        return Found(_record_document(record, place), line)
    except BadInput as bad:
        return Problem(where, bad.message, line)


def _record_document(record: Any, place: str) -> Document:
    """Validate a record's fields and build its Document; raise BadInput on a bad field."""
    if not isinstance(record, dict):
        raise BadInput(f"expected an object with a 'text' field, got {_json_type(record)}")
    if "text" not in record:
        raise BadInput("record has no 'text' field")
    text = record["text"]
    if not isinstance(text, str):
        raise BadInput(f"'text' must be a string, got {_json_type(text)}")
    text = normalise_text(text)
    check_article(text, "'text' is blank", "'text'")
    given_id = _given_id(record.get("id"))
    metadata = {name: _scalar(record.get(name), name) for name in _METADATA_FIELDS}
    for name, value in {"id": given_id, **metadata}.items():
        if value is not None:
            check_text(value, repr(name))
    return make_document(text, given_id=given_id, path=place, **metadata)


def _given_id(given: Any) -> str | None:
    """A record's id as text: a string or an integer, of at most MAX_ID_CHARS characters."""
    if isinstance(given, bool) or not isinstance(given, (str, int, type(None))):
        raise BadInput(f"'id' must be a string or an integer, got {_json_type(given)}")
    if isinstance(given, int) and given.bit_length() > 3 * MAX_ID_CHARS + 4:
        raise BadInput(f"'id' is too long (over {MAX_ID_CHARS} characters)")
    given_id = None if given is None else str(given)
    if given_id is not None and len(given_id) > MAX_ID_CHARS:
        raise BadInput(f"'id' is too long ({len(given_id)} characters, at most {MAX_ID_CHARS})")
    return given_id


def _scalar(value: Any, name: str) -> str | None:
    """A metadata value as text: strings kept, numbers written out, null/empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        if isinstance(value, int) and value.bit_length() > 3 * MAX_ID_CHARS:
            raise BadInput(f"{name!r} is a number too long to be a {name}")
        return str(value)
    raise BadInput(f"{name!r} must be a string, got {_json_type(value)}")


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    names |= {int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
