"""The Dask engine: recognition and linking on a Dask cluster, the writing here.

Each worker loads the spaCy pipeline and opens the knowledge base once (a read-only use of the
same file: on a remote cluster its path must be reachable from the workers), then turns
batches of documents into linked records: plain dataclasses, no Docs. The client (the build)
gives each worker one task at a time (the next as soon as it is free), takes the results back
in order and stays the one SQLite writer, so the build lock, the one-transaction-per-batch
writes and the incremental re-runs work as with the local engine. A document is one task's
work: a single very long document is as slow on a cluster as on one worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from distributed import Client, LocalCluster, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from ..records import Document, Problem
from ..settings import Settings
from . import hand_on, partitions

#: Tasks done ahead of the one the client waits for, per worker, before no more are started.
AHEAD = 4
#: A task holds at most ``batch_size`` documents and, past its first, this many characters:
#: parsing time follows the text's length, and even tasks keep every worker busy to the end.
PARTITION_CHARS = 40_000
_PLUGIN = "kb"


class KbWorker(WorkerPlugin):
    """What each worker holds: the settings and the knowledge base's path, and (built on first
    use, per worker thread: SQLite connections stay in their thread) the pipeline and the
    opened knowledge base."""

    name = _PLUGIN

    def __init__(self, settings: Settings, kb_path: str) -> None:
        self.settings = settings.with_overrides(processes=1)
        self.kb_path = kb_path
        self.local = None

    def setup(self, worker) -> None:
        """Called on the worker when the plugin arrives."""
        self.local = threading.local()

    def process(self, batch: list[Document]):
        """Recognise and link one batch: (linked pairs, problems, warnings)."""
        from ..kbase import KnowledgeBase
        from ..pipeline import make_nlp, process_task

        if getattr(self.local, "state", None) is None:
            knowledge_base = KnowledgeBase.open(self.kb_path)
            self.local.state = (make_nlp(self.settings, knowledge_base), knowledge_base)
        nlp, knowledge_base = self.local.state
        return process_task(nlp, batch, knowledge_base, self.settings)


def _work(batch: list[Document]):
    return get_worker().plugins[_PLUGIN].process(batch)


@contextmanager
def connect(settings: Settings) -> Iterator[Client]:
    """A client of ``settings.scheduler``, or of a local cluster of ``settings.processes``
    single-threaded worker processes on 127.0.0.1 (closed afterwards)."""
    if settings.scheduler:
        with Client(settings.scheduler) as client:
            yield client
        return
    with LocalCluster(
        n_workers=settings.processes, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, Client(cluster) as client:
        yield client


def dask_batches(
    todo: Iterable[Document],
    kb_path: str | Path,
    settings: Settings,
    problems: list[Problem],
    warnings: list[str],
    on_problem: Callable[[Problem], None] | None = None,
) -> Iterator[list]:
    """Linked batches of ``todo`` (lists of (Document, LinkResult)), in order, computed on the
    cluster; documents that fail are added to ``problems`` (and passed to ``on_problem``).

    One task per worker is in flight: a worker that finishes gets the next task at once (a
    task queued behind a long one would wait for it). Results that come back before an earlier
    one are held, at most ``AHEAD`` tasks per worker, and handed on in order."""
    batches = enumerate(partitions(todo, settings.batch_size, PARTITION_CHARS))
    with connect(settings) as client:
        client.register_plugin(KbWorker(settings, str(kb_path)), name=_PLUGIN)
        workers = max(1, len(client.scheduler_info()["workers"]))
        running = as_completed()
        number: dict[str, int] = {}
        held: dict[int, object] = {}
        head = 0

        def top_up() -> None:
            while running.count() < workers and len(held) < AHEAD * workers:
                index, batch = next(batches, (None, None))
                if batch is None:
                    return
                future = client.submit(_work, batch, pure=False)
                number[future.key] = index
                running.add(future)

        top_up()
        for future in running:
            held[number.pop(future.key)] = future
            while head in held:
                yield _collect(held.pop(head), problems, warnings, on_problem)
                head += 1
            top_up()


def _collect(future, problems: list[Problem], warnings: list[str], on_problem) -> list:
    results, found, said = future.result()
    hand_on(found, said, problems, warnings, on_problem)
    return results
