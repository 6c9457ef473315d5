"""Where a one-process ``kb build`` spends its time: stage clocks put around kb's functions.

:func:`instrument` wraps, for the duration of one build, the functions each stage goes
through (reading inputs, every spaCy component, span repair, linking, the write transaction)
so a :class:`Clock` adds up their own time; the rest (model load, chunking, bookkeeping) is
what the build took beyond the sum. Only for builds without worker processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

#: Which stage each spaCy component's time counts to.
_COMPONENT_STAGE = {"kb_names": "EntityRulers", "kb_more_names": "EntityRulers"}


class Clock:
    """Seconds per stage, in the order stages first report."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        """Count ``seconds`` to ``stage``."""
        self.totals[stage] = self.totals.get(stage, 0.0) + seconds

    def timed(self, stage: str, function: Callable) -> Callable:
        """``function``, its calls counted to ``stage``."""

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(stage, time.perf_counter() - started)

        return wrapper

    def timed_iterable(self, stage: str, items: Iterable, outside: list[float] | None = None) -> Iterator:
        """``items``, the time spent producing each counted to ``stage`` less the part spent
        in what it reads from (``outside[0]`` grows by that)."""
        iterator = iter(items)
        while True:
            before = outside[0] if outside is not None else 0.0
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                spent = time.perf_counter() - started
                inner = (outside[0] if outside is not None else 0.0) - before
                self.add(stage, spent - inner)
            yield item


class _TimedComponent:
    """A spaCy component whose own time (not its upstream's) goes to a stage."""

    def __init__(self, component, clock: Clock, stage: str) -> None:
        self.component = component
        self.clock = clock
        self.stage = stage

    def __call__(self, doc):
        return self.clock.timed(self.stage, self.component)(doc)

    def pipe(self, docs, **kwargs):
        upstream = [0.0]

        def source():
            iterator = iter(docs)
            while True:
                started = time.perf_counter()
                try:
                    doc = next(iterator)
                except StopIteration:
                    return
                finally:
                    upstream[0] += time.perf_counter() - started
                yield doc

        if hasattr(self.component, "pipe"):
            produced = self.component.pipe(source(), **kwargs)
        else:
            produced = (self.component(doc) for doc in source())
        yield from self.clock.timed_iterable(self.stage, produced, upstream)

    def __getattr__(self, name):
        return getattr(self.component, name)


def _timed_nlp(make_nlp: Callable, clock: Clock) -> Callable:
    def make(*args, **kwargs):
        started = time.perf_counter()
        nlp = make_nlp(*args, **kwargs)
        clock.add("model load + EntityRuler build", time.perf_counter() - started)
        components = nlp._components  # noqa: SLF001 - a benchmark's instrument, not kb's code
        for index, (name, component) in enumerate(components):
            components[index] = (name, _TimedComponent(component, clock, _COMPONENT_STAGE.get(name, "spaCy model")))
        nlp.tokenizer = clock.timed("spaCy model", nlp.tokenizer)
        return nlp

    return make


def instrument(clock: Clock) -> Callable[[], None]:
    """Wrap kb's stage functions so ``clock`` counts their time; returns the undo."""
    import kb.pipeline
    import kb.recognise.mentions
    import kb.store

    @contextmanager
    def transaction(db):
        started = time.perf_counter()
        try:
            with original["transaction"](db):
                yield
        finally:
            clock.add("write (incl. FTS triggers)", time.perf_counter() - started)

    def read_inputs(paths):
        return clock.timed_iterable("read", original["read_inputs"](paths))

    original = {
        "read_inputs": kb.pipeline.read_inputs, "make_nlp": kb.pipeline.make_nlp,
        "link_document": kb.pipeline.link_document, "mentions_of": kb.recognise.mentions.mentions_of,
        "transaction": kb.store.transaction,
    }
    kb.pipeline.read_inputs = read_inputs
    kb.pipeline.make_nlp = _timed_nlp(original["make_nlp"], clock)
    kb.recognise.mentions.mentions_of = clock.timed("span repair", original["mentions_of"])
    kb.pipeline.link_document = clock.timed("link", original["link_document"])
    kb.store.transaction = transaction

    def restore() -> None:
        kb.pipeline.read_inputs = original["read_inputs"]
        kb.pipeline.make_nlp = original["make_nlp"]
        kb.pipeline.link_document = original["link_document"]
        kb.recognise.mentions.mentions_of = original["mentions_of"]
        kb.store.transaction = original["transaction"]

    return restore
