"""The local engine's worker processes (``kb build -j N``): recognition *and* linking in the
workers, the writing here.

Each worker is forked from the build with the spaCy pipeline already built (inherited, never
pickled) and opens its own read-only connection to the knowledge base's file; it turns a task
of documents into linked records (plain dataclasses: no Docs cross the pipe, and this process
does no linking), so the only work left here is the one SQLite writer's. The workers share one
queue of tasks: each takes the next when it is free, a few tasks per worker are in flight, and
the results are handed on in order, so the rows are those of ``-j 1``.

Online lookups write to the knowledge base, which only this process may do: with
``settings.online`` the build keeps linking here and only parses in workers
(:mod:`kb.recognise.parallel`).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from spacy.language import Language

from ..records import Document, Problem
from ..settings import Settings
from . import EngineFailure, hand_on, partitions

#: Tasks in flight per worker, at least: enough that none waits while this process writes.
IN_FLIGHT = 3
#: Characters of text in flight, at most, beyond those: while one worker parses a very long
#: document (whose results must be written first), the others go on with the documents after
#: it, this far ahead; memory stays bounded by it, not by the corpus.
AHEAD_CHARS = 1_000_000
#: A task holds at most ``batch_size`` documents and, past its first, this many characters of
#: text: tasks of even length keep both workers busy to the end of the build.
TASK_CHARS = 20_000
#: What a worker holds, set when it starts (inherited by fork).
_WORKER: dict = {}


def pool_batches(
    nlp: Language,
    todo: Iterable[Document],
    kb_path: str,
    settings: Settings,
    problems: list[Problem],
    warnings: list[str],
    on_problem: Callable[[Problem], None] | None = None,
) -> Iterator[list]:
    """Linked batches of ``todo`` (lists of (Document, LinkResult)), in order, computed by
    ``settings.processes`` forked workers; documents that fail are added to ``problems`` (and
    passed to ``on_problem``). An error that is not about one document (the database, the
    operating system) is raised here; a worker that dies (killed, out of memory) stops the build
    with :class:`EngineFailure`: what was stored before stays, and a re-run goes on from there."""
    tasks = partitions(todo, settings.batch_size, TASK_CHARS)
    alone = settings.with_overrides(processes=1)
    executor = ProcessPoolExecutor(
        settings.processes, mp_context=multiprocessing.get_context("fork"), initializer=_start,
        initargs=(nlp, kb_path, alone),
    )
    pending: deque = deque()  # (future, characters of its task), in order
    try:
        while True:
            _top_up(executor, tasks, pending, IN_FLIGHT * settings.processes)
            if not pending:
                return
            future, _ = pending.popleft()
            try:
                results, found, said = future.result()
            except BrokenProcessPool as error:
                raise EngineFailure(
                    "a worker process died (killed, or out of memory?); the documents stored so far are "
                    "kept, and running the build again goes on from there"
                ) from error
            hand_on(found, said, problems, warnings, on_problem)
            yield results
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _top_up(executor: ProcessPoolExecutor, tasks: Iterator[list[Document]], pending: deque, least: int) -> None:
    """Submit tasks until ``least`` are in flight and, past that, :data:`AHEAD_CHARS` of text."""
    while len(pending) < least or sum(size for _, size in pending) < AHEAD_CHARS:
        task = next(tasks, None)
        if task is None:
            return
        pending.append((executor.submit(_work, task), sum(len(document.text) for document in task)))


def _start(nlp: Language, kb_path: str, settings: Settings) -> None:
    _WORKER.update(nlp=nlp, kb_path=kb_path, settings=settings, kb=None)


def _work(task: list[Document]) -> tuple[list, list[Problem], list[str]]:
    from ..kbase import KnowledgeBase
    from ..pipeline import process_task

    if _WORKER["kb"] is None:
        _WORKER["kb"] = KnowledgeBase.open(_WORKER["kb_path"])
    return process_task(_WORKER["nlp"], task, _WORKER["kb"], _WORKER["settings"])
