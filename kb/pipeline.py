"""The whole job: ingest → recognise → link → store, incrementally.

``build`` is what ``kb build`` runs. Unchanged documents (same text, same knowledge base, same
settings) cost nothing: the spaCy model is not even loaded when there is nothing to do.
"""

from __future__ import annotations

import functools
import inspect
import logging
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

import sqlite_utils
from spacy.language import Language
from tqdm import tqdm

from . import store
from .engine import check_engine
from .ingest import read_inputs
from .kbase import KnowledgeBase
from .link import LinkResult, is_unresolved, link_document
from .lock import build_lock
from .recognise import recognise
from .recognise.chunks import piece_limit, recognise_in_chunks
from .recognise.ruler_cache import cached_pipeline, ruler_cache_for
from .records import Document, Entity, Mention, Problem
from .relink import refresh_signatures
from .settings import Settings

log = logging.getLogger(__name__)

#: A build keeps the documents it will process from its first reading of the inputs while their
#: texts add up to at most this many characters (read once: HTML is extracted once); past that
#: it reads them again as the batches need them, so memory does not grow with the corpus.
HOLD_CHARS = 50_000_000


@dataclass
class BuildReport:
    """What a build did, for the CLI summary (and ``kb build --json``) and for tests.

    Every mention of the processed documents is counted in exactly one bucket: ``linked`` (to
    an entity with a Wikidata QID), ``local`` (a knowledge-base entity without a QID yet),
    ``unresolved`` (an unresolved name), or ``not_linked`` by label (labels kb does not link,
    such as NORP or LOC, and names an override says never to link).
    """

    documents: int = 0
    processed: int = 0
    unchanged: int = 0
    mentions: int = 0
    linked: int = 0
    local: int = 0
    unresolved: int = 0
    not_linked: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, result: LinkResult) -> None:
        """Add one processed document's mentions to the buckets."""
        self.processed += 1
        self.mentions += len(result.links) + len(result.unlinked)
        for link in result.links:
            if link.qid:
                self.linked += 1
            elif is_unresolved(link.entity_id):
                self.unresolved += 1
            else:
                self.local += 1
        for mention in result.unlinked:
            self.not_linked[mention.label] = self.not_linked.get(mention.label, 0) + 1

    def as_dict(self) -> dict:
        """The report as plain data (``kb build --json``); problems as {path, line, message}."""
        data = asdict(self)
        data["not_linked"] = dict(sorted(self.not_linked.items(), key=lambda kv: (-kv[1], kv[0])))
        data["skipped"] = len(self.problems)
        data["seconds"] = round(self.seconds, 3)
        return data


def open_knowledge_base(db: sqlite_utils.Database, kb_path: str | Path | None) -> KnowledgeBase:
    """The knowledge base for a build: ``kb_path`` if given, else the output database itself.

    An empty knowledge base is seeded with the curated starter entities.
    """
    return KnowledgeBase.open(db if kb_path is None else kb_path, seed=True)


def make_nlp(settings: Settings, knowledge_base: KnowledgeBase) -> Language:
    """The spaCy pipeline (``settings.components`` of ``settings.model``) with EntityRulers of
    the knowledge base's curated and popular names, reused from the ruler cache while they are
    unchanged (:mod:`kb.recognise.ruler_cache`)."""
    def names():
        return knowledge_base.ruler_names(), knowledge_base.popular_names(settings.ruler_imported, settings.linked_labels)

    cache = ruler_cache_for(settings, knowledge_base.path, knowledge_base.fingerprint())
    return cached_pipeline(settings.model, names, cache, settings.components)


def link_batches(
    nlp: Language,
    documents: Iterable[Document],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    warnings: list[str] | None = None,
) -> Iterator[list[tuple[Document, LinkResult]]]:
    """Recognise and link a stream of documents, yielding them linked in batches.

    Recognition streams through ``nlp.pipe`` (with ``settings.processes`` worker processes), a
    long document in pieces of at most ``settings.max_chunk_chars`` characters (:mod:`kb.recognise.chunks`);
    each batch is linked, and with ``settings.online`` the names the local knowledge base cannot
    resolve are looked up on Wikidata and the batch relinked.
    """
    waiting: deque[Document] = deque()  # handed to recognition, not yet paired with its mentions

    def texts() -> Iterator[str]:
        for document in documents:
            waiting.append(document)
            yield document.text

    def recognise_pieces(pieces: Iterable[str]) -> Iterator[list[Mention]]:
        return recognise(
            nlp, pieces, knowledge_base.keeps_article, settings.batch_size, settings.processes,
            settings.sentence_limit, settings.weapon_context,
        )

    limit = piece_limit(nlp, settings.max_chunk_chars)
    recognised = ((waiting.popleft(), mentions) for mentions in recognise_in_chunks(recognise_pieces, texts(), limit))
    while batch := list(islice(recognised, settings.batch_size)):
        yield _link_batch(batch, knowledge_base, settings, warnings)


def _link_batch(
    batch: list[tuple[Document, list[Mention]]],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    warnings: list[str] | None,
) -> list[tuple[Document, LinkResult]]:
    def link_all() -> list[tuple[Document, LinkResult]]:
        return [(d, link_document(d.id, d.text, m, knowledge_base, settings, d.publisher)) for d, m in batch]

    results = link_all()
    if settings.online:
        names = sorted({link.name for _, r in results for link in r.links if link.qid is None})
        if names and _resolve_online(knowledge_base, names, settings, warnings):
            results = link_all()
    return results


def _resolve_online(
    knowledge_base: KnowledgeBase, names: list[str], settings: Settings, warnings: list[str] | None
) -> bool:
    from .wikidata.online import resolve_names

    report = resolve_names(knowledge_base, names, settings)
    if warnings is not None:
        warnings.extend(report.warnings)
    return bool(report.written)


def _open(
    db_path: str | Path, kb_path: str | Path | None, settings: Settings
) -> tuple[sqlite_utils.Database, KnowledgeBase, str]:
    """The output database, the knowledge base, and the signature documents are linked with."""
    db = store.open_database(_creatable(db_path, "database"))
    knowledge_base = open_knowledge_base(db, None if kb_path is None else _creatable(kb_path, "knowledge base"))
    return db, knowledge_base, f"{knowledge_base.fingerprint()}|{settings.linking_signature()}"


def _creatable(path: str | Path, what: str) -> str | Path:
    """The path of a database file to open or create; ValueError naming it when its directory
    does not exist or it is a directory (sqlite would say only "unable to open database file")."""
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"{path}: cannot use as the {what}: it is a directory")
    if not target.parent.is_dir():
        raise ValueError(f"{path}: cannot create the {what}: directory {target.parent} does not exist")
    return path


def _one_writer(function):
    """Run a build or resolve holding the database's writer lock (:func:`kb.lock.build_lock`):
    a second one started on the same database stops with a clear message."""

    @functools.wraps(function)
    def locked(*args, **kwargs):
        db_path = inspect.signature(function).bind(*args, **kwargs).arguments["db_path"]
        with build_lock(db_path):
            return function(*args, **kwargs)

    return locked


@_one_writer
def build(
    paths: Iterable[str | Path],
    db_path: str | Path,
    settings: Settings,
    kb_path: str | Path | None = None,
    progress: bool | None = None,
    on_problem: Callable[[Problem], None] | None = None,
) -> BuildReport:
    """Build or update the database at ``db_path`` from the articles under ``paths``.

    Each batch of documents is written in one transaction: a failure leaves every document
    stored before it, and the previous version of the failing ones, intact. Problems with
    inputs are skipped, collected in the report and passed to ``on_problem`` as they are found
    (so a caller can show them even if the build later fails).
    """
    started = time.perf_counter()
    check_engine(settings.engine)
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    report = BuildReport()
    db, knowledge_base, signature = _open(db_path, kb_path, settings)
    stored = store.stored_state(db)
    wanted: list[str] = []
    held: dict[str, Document] | None = {}  # the documents to process, while their texts are few
    held_chars = 0
    stale: dict[str, str | None] = {}  # unchanged texts linked with another signature
    current: set[str] = set()  # ids read: never replaced as another document's old version
    for item in read_inputs(paths):
        if isinstance(item, Problem):
            report.problems.append(item)
            log.warning("%s", item)
            if on_problem is not None:
                on_problem(item)
            continue
        report.documents += 1
        current.add(item.id)
        if stored.get(item.id) == (item.content_hash, signature):
            report.unchanged += 1
        else:
            wanted.append(item.id)
            if held is not None:
                held[item.id], held_chars = item, held_chars + len(item.text)
                held = held if held_chars <= HOLD_CHARS else None
            if stored.get(item.id, ("",))[0] == item.content_hash:
                stale[item.id] = stored[item.id][1]
    todo = _untouched_skipped(db, knowledge_base, settings, signature, wanted, stale, report)
    documents = _read_again(paths, todo) if held is None else (held[i] for i in wanted if i in todo)
    _process(db, documents, len(todo), knowledge_base, settings, signature, report, progress, on_problem, current)
    report.seconds = time.perf_counter() - started
    return report


def _read_again(paths: list[str | Path], ids: set[str]) -> Iterator[Document]:
    """The documents with these ids, read from ``paths`` again as they are needed, when there
    were more than :data:`HOLD_CHARS` of text to process: the build then holds no more texts than
    the batches in flight, however large the corpus (the first reading kept only ids and
    hashes; its problems are reported already)."""
    return (item for item in read_inputs(paths) if isinstance(item, Document) and item.id in ids)


@_one_writer
def resolve(
    db_path: str | Path,
    settings: Settings,
    kb_path: str | Path | None = None,
    progress: bool | None = None,
) -> BuildReport:
    """Relink stored documents that have unresolved names or were linked with another knowledge
    base or settings: after adding entities, overrides, or with ``settings.online``."""
    started = time.perf_counter()
    check_engine(settings.engine)
    report = BuildReport()
    db, knowledge_base, signature = _open(db_path, kb_path, settings)
    todo = store.documents_to_resolve(db, signature)
    if not settings.online:  # online, relinking a document may resolve its unresolved names
        stored = store.stored_state(db)
        stale = {d.id: stored[d.id][1] for d in todo if stored[d.id][1] != signature}
        relink = _untouched_skipped(db, knowledge_base, settings, signature, [d.id for d in todo], stale, BuildReport())
        todo = [d for d in todo if d.id in relink]
    report.documents = db["documents"].count
    report.unchanged = report.documents - len(todo)
    _process(db, todo, len(todo), knowledge_base, settings, signature, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def _untouched_skipped(
    db: sqlite_utils.Database,
    knowledge_base: KnowledgeBase,
    settings: Settings,
    signature: str,
    todo: list[str],
    stale: dict[str, str | None],
    report: BuildReport,
) -> set[str]:
    """The ids of ``todo`` without the ``stale`` documents no knowledge-base edit since their
    linking can change (:func:`kb.relink.refresh_signatures` gives those the new signature);
    counts them as unchanged."""
    if not stale:
        return set(todo)
    relink = refresh_signatures(db, knowledge_base, settings, signature, stale)
    report.unchanged += len(stale) - len(relink)
    return {i for i in todo if i not in stale or i in relink}


def _process(
    db: sqlite_utils.Database,
    todo: Iterable[Document],
    count: int,
    knowledge_base: KnowledgeBase,
    settings: Settings,
    signature: str,
    report: BuildReport,
    progress: bool | None,
    on_problem: Callable[[Problem], None] | None = None,
    current: set[str] | None = None,
) -> None:
    """Recognise, link and store ``todo`` batch by batch, one short write transaction per batch
    of linked documents (recognition and linking happen outside it, so readers and a kill
    only ever see whole batches). ``count``: how many documents ``todo`` holds; ``current``:
    the ids the build read (see :func:`store.write_documents`). Does nothing (and loads no
    model) when there is nothing to do."""
    if not count:
        return
    separate_kb = knowledge_base.db.conn is not db.conn
    copied: set[str] = set()  # entities of a separate knowledge-base file this build copied already
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=count, unit="doc", desc="kb build", disable=not show) as bar:
        for results in _linked(todo, count, knowledge_base, settings, report, on_problem):
            batch = []
            for document, result in results:
                entities = list(result.new_entities)
                if separate_kb:
                    entities += _entities_to_copy(result, knowledge_base, copied)
                batch.append(store.Written(document, result.links, result.unlinked, entities))
            with store.transaction(db):
                store.write_documents(db, batch, signature, current)
            for _, result in results:
                report.count(result)
            bar.update(len(results))


def _linked(
    todo: Iterable[Document],
    count: int,
    knowledge_base: KnowledgeBase,
    settings: Settings,
    report: BuildReport,
    on_problem: Callable[[Problem], None] | None,
) -> Iterator[list[tuple[Document, LinkResult]]]:
    """The linked batches of ``todo``, from the engine the settings choose (:mod:`kb.engine`)."""
    if settings.engine == "dask":
        from .engine.dask import dask_batches

        return dask_batches(todo, knowledge_base.path, settings, report.problems, report.warnings, on_problem)
    nlp = make_nlp(settings, knowledge_base)
    if settings.processes > 1 and not settings.online and knowledge_base.path and count > 1:
        from .engine.pool import pool_batches

        return pool_batches(nlp, todo, knowledge_base.path, settings, report.problems, report.warnings, on_problem)
    return _isolating(nlp, todo, knowledge_base, settings, report, on_problem)


def process_task(
    nlp: Language, task: list[Document], knowledge_base: KnowledgeBase, settings: Settings
) -> tuple[list[tuple[Document, LinkResult]], list[Problem], list[str]]:
    """One engine task, as a worker runs it: ``task`` recognised and linked (a document that
    fails skipped as a problem), with the problems and warnings found on the way."""
    report = BuildReport()
    results = [pair for linked in _isolating(nlp, task, knowledge_base, settings, report, None) for pair in linked]
    return results, report.problems, report.warnings


def _isolating(
    nlp: Language,
    todo: Iterable[Document],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    report: BuildReport,
    on_problem: Callable[[Problem], None] | None,
) -> Iterator[list[tuple[Document, LinkResult]]]:
    """:func:`link_batches` over ``todo``, except that a document whose recognition or linking
    raises is skipped as a problem instead of ending the build.

    On a failure the documents the stream had taken and not yet returned linked are redone one
    at a time, then the stream starts again after them. Database and operating-system errors
    are not about one document: they still stop the build.
    """
    source = iter(todo)
    taken: deque[Document] = deque()  # taken by the stream, not yet returned linked

    def feed() -> Iterator[Document]:
        for document in source:
            taken.append(document)
            yield document

    while True:
        try:
            for results in link_batches(nlp, feed(), knowledge_base, settings, report.warnings):
                for _ in results:
                    taken.popleft()
                yield results
            return
        except (sqlite3.Error, OSError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - isolated below, document by document
            suspects = list(taken)
            taken.clear()
            yield from _one_by_one(nlp, suspects, knowledge_base, settings, report, on_problem)


def _one_by_one(
    nlp: Language,
    documents: list[Document],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    report: BuildReport,
    on_problem: Callable[[Problem], None] | None,
) -> Iterator[list[tuple[Document, LinkResult]]]:
    """Each document recognised and linked alone; one that raises becomes a Problem."""
    alone = settings.with_overrides(processes=1)
    for document in documents:
        try:
            batches = link_batches(nlp, [document], knowledge_base, alone, report.warnings)
            results = [result for batch in batches for result in batch]
        except (sqlite3.Error, OSError, MemoryError):
            raise
        except Exception as error:  # noqa: BLE001 - this document only
            problem = Problem(document.path or document.id, f"cannot process: {type(error).__name__}: {error}")
            report.problems.append(problem)
            log.warning("%s", problem)
            if on_problem is not None:
                on_problem(problem)
            continue
        yield results


def _entities_to_copy(result: LinkResult, knowledge_base: KnowledgeBase, copied: set[str]) -> list[Entity]:
    """Entities of a separate knowledge-base file that this document's links point to, but for
    those in ``copied``, to which it adds them: the file does not change during a build, so one
    copy each is enough (a failed write ends the build; the next one copies them again)."""
    ids = {link.entity_id for link in result.links} | {
        link.runner_up_id for link in result.links if link.runner_up_id
    }
    todo = sorted(ids - {e.id for e in result.new_entities} - copied)
    copied.update(todo)
    return [e for e in (knowledge_base.get(i) for i in todo) if e is not None]
