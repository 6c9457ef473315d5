"""Text: decoding bytes, the one normalisation kb applies, plain-text and web-page articles.

Text is changed only by dropping a byte-order mark and turning CRLF into LF, because mention
offsets are stored against exactly this text. Input is UTF-8, or UTF-16 with a byte-order mark;
text with NUL characters (binary data, or UTF-16 without a byte-order mark) is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from ..records import Document
from .files import BadInput

_BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Only dates the page states (meta tags, URL), not guesses from the body text.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
_NUL_HINT = " (binary data, or UTF-16/UTF-32 without a byte-order mark? kb reads UTF-8, or UTF-16 with one)"
#: A given id longer than this is a mistake in the data (a whole text, a giant number).
MAX_ID_CHARS = 1000


def content_hash(text: str, publisher: str | None = None) -> str:
    """Return the SHA-256 hex digest of the UTF-8 text, and of where it was published when that
    is known (a URL or source: its country can change the links, :mod:`kb.link.home`): it
    identifies a document's input across runs."""
    data = text if not publisher else f"{text}\0{publisher}"
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def document_id(text: str, given: str | None = None) -> str:
    """Return the id a document is stored under: the id its source gave, else a content hash.

    A blank or missing id falls back to the first 16 hex digits of :func:`content_hash`, so the
    same text gets the same id in every run.
    """
    if given is not None and given.strip():
        return given
    return content_hash(text)[:16]


def normalise_text(text: str) -> str:
    """Drop a leading byte-order mark and turn CRLF into LF; change nothing else.

    Mention offsets index into the stored text, so any further cleaning would be a data change.
    """
    return text.removeprefix(_BOM).replace("\r\n", "\n")


def decode(data: bytes, gzipped: bool, offset: int = 0, line: int | None = None) -> str:
    """Decode UTF-8 strictly (UTF-16 when the data starts with its byte-order mark); raise
    BadInput naming the byte offset (and line) of bad bytes or of a NUL character."""
    if line is None and data[:2] in _UTF16_BOMS:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise BadInput(f"invalid UTF-16 at byte offset {error.start}: {error.reason}") from None
        check_text(text)
        return text
    where = " of the decompressed data" if gzipped else ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 4].hex(" ")
        hint = _NUL_HINT if b"\x00" in data[:4096] else ""
        raise BadInput(
            f"invalid UTF-8 at byte offset {offset + error.start}{where} (bytes {bad}): {error.reason}{hint}",
            line or data.count(b"\n", 0, error.start) + 1,
        ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise BadInput(
            f"NUL byte at byte offset {offset + nul}{where}{_NUL_HINT}", line or data.count(b"\n", 0, nul) + 1
        )
    return text


def check_text(text: str, name: str = "the text") -> None:
    """Refuse text kb cannot store or should not: NUL characters (a binary file, or UTF-16
    without a byte-order mark read as UTF-8) and lone surrogates (JSON ``"\\ud800"``)."""
    nul = text.find("\x00")
    if nul >= 0:
        raise BadInput(f"{name} contains a NUL character at character {nul}: kb stores text without NULs")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadInput(f"{name} is not valid Unicode: lone surrogate at character {error.start}") from None


def check_article(text: str, blank: str, name: str = "the text") -> None:
    """Refuse a text that is not an article: blank (``blank`` says how), or without a single
    letter or digit (only punctuation, emoji, zero-width or direction marks): nothing in it
    could be a name. Then :func:`check_text`."""
    if not text.strip():
        raise BadInput(f"empty document: {blank}")
    if not any(char.isalnum() for char in text):
        raise BadInput(
            "empty document: no letters or digits (only punctuation, symbols, emoji or invisible characters)"
        )
    check_text(text, name)


def title_from_text(text: str) -> str | None:
    """The title of a text article: among its first lines, the first that looks like a headline
    (three words or more, no final full stop: a scraped page often starts with "Search" or
    "Close this search box."), else its first non-empty line; leading ``#`` marks dropped."""
    lines = []
    for line in text[:20_000].splitlines():
        line = line.lstrip("#").strip()
        if line:
            lines.append(line[:1000])
        if len(lines) >= 10:
            break
    headline = next((line for line in lines if len(line.split()) >= 3 and not line.endswith(".")), None)
    return headline or (lines[0] if lines else None)


def read_plain(path: Path, where: str, raw: str) -> Document:
    """A .txt/.md file is one article; its title is its first headline-like line."""
    text = normalise_text(raw)
    check_article(text, "the file has no text")
    return make_document(text, path=where, title=title_from_text(text))


def read_html(where: str, raw: str) -> Document:
    """Extract the main text of a web page (boilerplate dropped) and its title/url/date/site."""
    html = raw.removeprefix(_BOM)
    if not html.strip():
        raise BadInput("empty document: the file has no text")
    # trafilatura/lxml raise assorted exception types on odd markup (and RecursionError on deep
    # nesting); one bad page must not end the run, so any failure is a problem with this file.
    try:
        text, extracted = _extract(html)
    except Exception as error:  # noqa: BLE001 - see comment above
        raise BadInput(f"cannot extract text from HTML: {type(error).__name__}: {error}") from None
    text = normalise_text(text or "")
    check_article(text, "no text could be extracted from the HTML")
    metadata = {
        "title": getattr(extracted, "title", None),
        "url": getattr(extracted, "url", None),
        "published": getattr(extracted, "date", None),
        "source": getattr(extracted, "sitename", None),
    }
    return make_document(text, path=where, **{k: v or None for k, v in metadata.items()})


def _extract(html: str):
    """(main text, metadata) of a page: trafilatura's main text, else all its text."""
    import trafilatura  # heavy (lxml, justext …): loaded only when there is a page to read

    extracted = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
    )
    if extracted is not None and (extracted.text or "").strip():
        return extracted.text, extracted
    text = trafilatura.html2txt(html)
    return text, trafilatura.extract_metadata(html, date_config=_DATE_PARAMS, extensive=False)


def make_document(text: str, *, given_id: str | None = None, **fields: str | None) -> Document:
    """Build a Document with its id and content hash filled in from the (normalised) text and
    where it was published."""
    document = Document(id=document_id(text, given_id), text=text, **fields)
    return replace(document, content_hash=content_hash(text, document.publisher))
