"""Parsing alone in worker processes, for the builds whose linking stays in this process
(``--online``, whose lookups write the knowledge base) and ``kb annotate -j N``; other builds
recognise and link in workers (:mod:`kb.engine.pool`). Every worker is busy while there is work.

spaCy's own ``nlp.pipe(n_process=N)`` deals batches to the workers in turn and hands them back
in turn, a couple ahead at most: while the parent waits for one worker's long batch, the other
has nothing to do. Here the workers share one queue: each takes the next batch when it is free,
with a few batches per worker in flight, and the parent still gets the Docs in order. A Doc
comes back as bytes without its tensor (nothing after the pipeline reads it).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc

#: Batches in flight per worker: enough that none waits while the parent takes the results.
IN_FLIGHT = 4
#: The pipeline of this worker process, set when the worker starts (inherited by fork, never
#: pickled: an EntityRuler of 50,000 names is slow to pickle).
_WORKER: dict = {}


def parse_in_workers(nlp: Language, texts: Iterable[str], batch_size: int, processes: int) -> Iterator[Doc]:
    """``nlp.pipe(texts)`` run by ``processes`` forked worker processes: the Docs in order.

    An error in a worker is raised here (and the workers stopped)."""
    context = multiprocessing.get_context("fork")
    stream = iter(texts)
    batches = iter(lambda: list(islice(stream, batch_size)), [])
    with context.Pool(processes, initializer=_start, initargs=(nlp, batch_size)) as pool:
        pending: deque = deque(pool.apply_async(_parse, (batch,)) for batch in islice(batches, IN_FLIGHT * processes))
        while pending:
            parsed = pending.popleft().get()
            for batch in islice(batches, 1):
                pending.append(pool.apply_async(_parse, (batch,)))
            for data in parsed:
                yield Doc(nlp.vocab).from_bytes(data)


def _start(nlp: Language, batch_size: int) -> None:
    _WORKER["nlp"] = nlp
    _WORKER["batch_size"] = batch_size


def _parse(texts: list[str]) -> list[bytes]:
    nlp = _WORKER["nlp"]
    return [doc.to_bytes(exclude=["tensor", "user_data"]) for doc in nlp.pipe(texts, batch_size=_WORKER["batch_size"])]
