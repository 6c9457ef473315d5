"""Engines: where a build's recognition and linking run.

- ``local`` (the default): in this process (:func:`kb.pipeline.link_batches`) or, with
  ``settings.processes`` above 1, in that many forked worker processes (:mod:`kb.engine.pool`);
- ``dask``: over a Dask cluster (:mod:`kb.engine.dask`, the optional extra ``kb[dask]``), on
  ``settings.scheduler`` or, without one, a local cluster of ``settings.processes`` workers.

Whatever the engine, this process stays the database's one writer: it stores the linked
batches in order, one transaction each, under the build lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from importlib.util import find_spec

from ..records import Document, Problem

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
INSTALL_DASK = "pip install 'kb[dask]'  (or: pip install 'dask[distributed]')"


class EngineFailure(RuntimeError):
    """The engine lost its workers mid-build (a worker process killed, a cluster gone): not
    about any one document, so the build stops; what was stored before stays whole."""


class EngineUnavailable(ValueError):
    """The engine the settings ask for needs a package that is not installed."""


def check_engine(engine: str) -> None:
    """Raise :class:`EngineUnavailable`, saying how to install it, when ``engine`` cannot run
    here: before a build reads anything, not after it has loaded the model."""
    if engine == "dask" and (find_spec("dask") is None or find_spec("distributed") is None):
        raise EngineUnavailable(f"--engine dask needs Dask's distributed scheduler, which is not installed: {INSTALL_DASK}")


def partitions(todo: Iterable[Document], most: int, characters: int) -> Iterator[list[Document]]:
    """``todo`` in consecutive tasks of at most ``most`` documents, each ending at the document
    that takes it past ``characters`` characters of text."""
    batch: list[Document] = []
    size = 0
    for document in todo:
        batch.append(document)
        size += len(document.text)
        if len(batch) >= most or size >= characters:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def hand_on(
    found: list[Problem],
    said: list[str],
    problems: list[Problem],
    warnings: list[str],
    on_problem: Callable[[Problem], None] | None,
) -> None:
    """A worker's problems and warnings, passed on as the build reports its own: added to its
    lists, logged, and given to ``on_problem`` (the CLI prints them as they come)."""
    for problem in found:
        problems.append(problem)
        log.warning("%s", problem)
        if on_problem is not None:
            on_problem(problem)
    warnings.extend(said)
