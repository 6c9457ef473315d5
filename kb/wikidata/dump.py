"""Import a Wikidata JSON dump into the knowledge base, streaming, in constant memory.

The official dump is a JSON array written one entity per line: ``[``, then ``{…},`` lines, then
``]``. Plain, gzip and bzip2 files are read as they are (detected from their first bytes). Only the
class graph (P279 edges) is held in memory; entities are written in batches, one transaction each.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from ..kbase import KnowledgeBase, is_qid
from ..records import Entity, Problem
from .entity import claim_values, entity_from_json

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
#: Malformed lines kept in the report (all of them are counted).
MAX_PROBLEMS = 100


@dataclass
class ImportReport:
    """What an import did: counts, the types written, and the malformed lines it skipped."""

    path: str
    lines: int = 0
    written: int = 0
    filtered: int = 0  # well-formed entities left out: properties, or not of the wanted types
    malformed: int = 0
    seconds: float = 0.0
    types: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Entities written per second."""
        return self.written / self.seconds if self.seconds else 0.0


def _opener(path: Path) -> Callable[[io.BufferedReader], io.BufferedIOBase]:
    """How to decompress ``path``, from its magic bytes rather than its name."""
    with path.open("rb") as raw:
        magic = raw.read(3)
    if magic[:2] == b"\x1f\x8b":
        return lambda raw: gzip.GzipFile(fileobj=raw)
    if magic == b"BZh":
        return lambda raw: bz2.BZ2File(raw)
    return lambda raw: raw


@contextmanager
def open_dump(path: str | Path) -> Iterator[tuple[io.TextIOBase, io.BufferedReader]]:
    """Open a (possibly compressed) dump as text; also yields the raw file for byte progress."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such dump file")
    opener = _opener(path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(opener(raw), encoding="utf-8")
        try:
            yield text, raw
        finally:
            text.close()


def dump_lines(path: str | Path, on_line: Callable[[int], None] | None = None) -> Iterator[tuple[int, str]]:
    """Yield (line number, stripped line) for each entity line of a dump, checking its framing.

    Raises ValueError when the file is not a Wikidata JSON dump at all (no leading ``[``) or cannot
    be decompressed/decoded. ``on_line`` receives the raw (compressed) byte offset now and then.
    """
    with open_dump(path) as (text, raw):
        number = 0
        try:
            for number, line in enumerate(text, start=1):
                if on_line is not None and number % 1000 == 0:
                    on_line(raw.tell())
                line = line.strip()
                if number == 1:
                    if line != "[":
                        raise ValueError(
                            f"{path}:1: not a Wikidata JSON dump (expected '[' on the first line,"
                            f" found {line[:40]!r})"
                        )
                    continue
                if line and line != "]":
                    yield number, line
        except (OSError, EOFError, UnicodeDecodeError) as error:
            raise ValueError(f"{path}:{number + 1}: cannot read dump: {error}") from error
        if number == 0:
            raise ValueError(f"{path}: not a Wikidata JSON dump (the file is empty)")
        if on_line is not None:
            on_line(raw.tell())


def iter_dump(path: str | Path, on_line: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict | Problem]]:
    """Yield (line number, entity JSON) for each entity line, or (line, Problem) for a bad one."""
    for number, line in dump_lines(path, on_line):
        yield number, _parse_line(line, str(path), number)


def _parse_line(line: str, path: str, number: int) -> dict | Problem:
    """One dump line (trailing comma allowed) as entity JSON, or a Problem saying what is wrong."""
    try:
        data = json.loads(line[:-1] if line.endswith(",") else line)
    except json.JSONDecodeError as error:
        return Problem(path, f"malformed JSON: {error.msg} (column {error.colno})", number)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return Problem(path, "not an entity (no 'id')", number)
    return data


def subclass_edges(path: str | Path) -> dict[str, tuple[str, ...]]:
    """Class → direct superclasses (P279) for every entity of the dump that has P279 claims.

    A cheap first pass: only lines mentioning P279 are parsed. Memory grows with the class
    graph, not with the number of entities.
    """
    edges: dict[str, tuple[str, ...]] = {}
    for number, line in dump_lines(path):
        if '"P279"' in line:
            data = _parse_line(line, str(path), number)
            if isinstance(data, dict):
                parents = tuple(v for v in claim_values(data, "P279") if is_qid(v))
                if parents:
                    edges[data["id"]] = parents
    return edges


def subclasses_of(roots: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    """``roots`` and every class below them through the P279 edges."""
    children: dict[str, list[str]] = {}
    for child, parents in edges.items():
        for parent in parents:
            children.setdefault(parent, []).append(child)
    found, todo = set(roots), list(roots)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def parse_types(text: str | None) -> tuple[str, ...] | None:
    """``"Q5,Q43229"`` → ("Q5", "Q43229"); None or "" → None. Raises ValueError on a non-QID."""
    if not text:
        return None
    qids = tuple(part.strip() for part in text.split(",") if part.strip())
    bad = [q for q in qids if not is_qid(q)]
    if bad:
        raise ValueError(f"--types: not QIDs: {', '.join(bad)}")
    return qids or None


def parse_languages(text: str | None) -> tuple[str, ...]:
    """``"en,uk,ru"`` → ("en", "uk", "ru"); empty → ("en",)."""
    languages = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    return languages or ("en",)


def _show_progress(progress: bool) -> bool:
    return progress and sys.stderr.isatty()


def import_dump(
    kb: KnowledgeBase,
    path: str | Path,
    types: Iterable[str] | None = None,
    languages: Iterable[str] = ("en",),
    progress: bool = True,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Stream a Wikidata JSON dump into the knowledge base; returns what was done.

    Items become entities with ``id = qid``, origin "wikidata". ``types`` keeps only items whose
    P31 is one of these classes or a subclass of one (through P279 chains in the dump). Malformed
    lines are skipped and reported with their line numbers. Re-importing updates entities in
    place. ``on_batch(bytes_read, bytes_total)`` is called after each committed batch.
    Raises ValueError when the file is not a dump.
    """
    path = Path(path)
    languages = tuple(languages)
    types = tuple(types) if types else None
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    report = ImportReport(str(path))
    edges = subclass_edges(path)
    wanted = subclasses_of(types, edges) if types else None
    total = path.stat().st_size
    bar = tqdm(total=total, unit="B", unit_scale=True, desc=path.name, disable=not _show_progress(progress))
    position = [0]

    def advance(offset: int) -> None:
        bar.update(offset - position[0])
        position[0] = offset

    def flush(batch: list[Entity]) -> None:
        report.written += kb.add(batch)
        batch.clear()
        if on_batch is not None:
            on_batch(position[0], total)

    batch: list[Entity] = []
    with kb.bulk_writes(), bar:
        for number, item in iter_dump(path, on_line=advance):
            report.lines += 1
            if isinstance(item, Problem):
                _note_problem(report, item)
                continue
            if item.get("type", "item") != "item" or (
                wanted is not None and not wanted.intersection(claim_values(item, "P31"))
            ):
                report.filtered += 1
                continue
            try:
                entity = entity_from_json(item, languages, "wikidata", edges)
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                _note_problem(report, Problem(str(path), f"bad entity: {error}", number))
                continue
            report.types[entity.type] += 1
            batch.append(entity)
            if len(batch) >= batch_size:
                flush(batch)
        flush(batch)
        kb.fill_value_labels()
    report.seconds = time.perf_counter() - clock
    _log_import(kb, report, started, types, languages)
    return report


def _note_problem(report: ImportReport, problem: Problem) -> None:
    report.malformed += 1
    if len(report.problems) < MAX_PROBLEMS:
        report.problems.append(problem)
    log.warning("%s", problem)


def _log_import(
    kb: KnowledgeBase,
    report: ImportReport,
    started: datetime,
    types: tuple[str, ...] | None,
    languages: tuple[str, ...],
) -> None:
    """Append the import to the knowledge base's imports log."""
    kb.log_import({
        "path": report.path, "started": started.isoformat(timespec="seconds"),
        "seconds": round(report.seconds, 3), "lines": report.lines, "written": report.written,
        "filtered": report.filtered, "malformed": report.malformed,
        "types": ",".join(types) if types else None, "languages": ",".join(languages),
    })
