"""Finding and reading input files: directory walks, file types, safe names, bytes on disk.

Only regular files are read: a FIFO, socket or device named ``.txt`` would block the build or
never end, so it is a Problem like an unreadable file.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..records import Problem

PLAIN = (".txt", ".md")
HTML = (".html", ".htm")
RECORDS = (".jsonl", ".json", ".csv")
BASE_SUFFIXES = PLAIN + HTML + RECORDS

_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


class BadInput(Exception):
    """Raised inside a reader for a problem that ends reading the whole file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def shown(path: str | Path) -> str:
    """A path as text that can always be printed and stored: bytes of a file name that are not
    UTF-8 (kept by Python as lone surrogates) are written as ``\\xNN`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def format_of(path: str | Path) -> tuple[str, bool] | None:
    """Return (base suffix, gzipped) for a supported file name, else None.

    Case-insensitive: ``Report.JSONL.GZ`` → ``(".jsonl", True)``.
    """
    name = Path(path).name.lower()
    gzipped = name.endswith(".gz")
    suffix = Path(name.removesuffix(".gz")).suffix if gzipped else Path(name).suffix
    return (suffix, gzipped) if suffix in BASE_SUFFIXES else None


def expand(path: Path) -> Iterator[Path | Problem]:
    """Yield the files a named path stands for, or a Problem if it cannot be used.

    A missing and an unreadable path are both Problems: the rest of the run goes on.
    """
    try:
        mode = path.stat().st_mode
    except OSError as error:
        yield Problem(shown(path), f"cannot read: {reason(error)}")
        return
    if stat.S_ISDIR(mode):
        yield from walk(path)
    elif format_of(path) is None:
        supported = ", ".join(BASE_SUFFIXES)
        suffix = path.suffix or "(no suffix)"
        yield Problem(
            shown(path), f"unsupported file type {shown(suffix)!r}; supported: {supported} (optionally .gz)"
        )
    else:
        yield path


def walk(directory: Path) -> Iterator[Path | Problem]:
    """Yield supported files under a directory, depth-first in sorted name order.

    Hidden entries and unsupported suffixes are skipped silently; symlinked directories are not
    followed (a link to an ancestor would loop forever).
    """
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: os.fsencode(entry.name))
    except OSError as error:
        yield Problem(shown(directory), f"cannot read directory: {reason(error)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = directory / entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as error:
            yield Problem(shown(path), f"cannot read: {reason(error)}")
            continue
        if is_dir:
            yield from walk(path)
        elif format_of(entry.name) is not None and not (entry.is_symlink() and path.is_dir()):
            yield path


def reason(error: OSError) -> str:
    """A short human reason for an OS error ("Permission denied") without the repeated path."""
    return error.strerror or str(error)


def read_bytes(path: Path, gzipped: bool) -> bytes:
    """The (decompressed) bytes of a regular file; raise BadInput for anything else."""
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise BadInput(f"cannot read: {kind}, not a regular file")
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read: {reason(error)}") from None
    if not gzipped:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise BadInput(f"not a valid gzip file: {error}") from None
