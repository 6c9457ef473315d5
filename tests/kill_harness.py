"""Run the `kb` command and stop it at a named point: the hook of the reliability tests.

    python tests/kill_harness.py POINT N ACTION -- kb ARGUMENTS...

POINT is where to stop, N which occurrence of it:

- ``read_inputs`` / ``recognise``: while the pipeline takes its Nth document from ingest /
  its Nth recognised document;
- ``link_document`` / ``write_document``: just after the Nth document is linked / written (the
  latter inside the batch's open write transaction);
- ``sql:TEXT``: when the Nth SQL statement containing TEXT starts on any connection, as SQLite's
  statement trace reports it (trigger bodies and FTS5's own index writes included, e.g.
  ``sql:documents_fts_data``, ``sql:COMMIT``, ``sql:CREATE TRIGGER``).

ACTION ``kill`` sends the process SIGKILL (no cleanup, no rollback: what a power cut or the OOM
killer does); ``hold`` prints ``held`` on stdout and waits for a line on stdin, then goes on.
The hook lives here, in the tests, and patches kb from outside: kb itself carries no test code.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path


def stopper(n: int, action: str) -> Callable[[], None]:
    """A callback that kills or holds the process the Nth time it is called."""
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1
        if count != n:
            return
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        print("held", flush=True)
        sys.stdin.readline()

    return tick


def on_items(owner, name: str, tick: Callable[[], None]) -> None:
    """Call ``tick`` as each item of the generator function ``owner.name`` is taken."""
    real = getattr(owner, name)

    def wrapped(*args, **kwargs):
        for item in real(*args, **kwargs):
            tick()
            yield item

    setattr(owner, name, wrapped)


def after_calls(owner, name: str, tick: Callable[[], None]) -> None:
    """Call ``tick`` after each call of ``owner.name`` returns."""
    real = getattr(owner, name)

    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        tick()
        return result

    setattr(owner, name, wrapped)


def on_sql(text: str, tick: Callable[[], None]) -> None:
    """Call ``tick`` when a statement containing ``text`` starts on any new connection."""
    real = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.set_trace_callback(lambda sql: tick() if text in sql else None)
        return conn

    sqlite3.connect = connect


def install(point: str, n: int, action: str) -> None:
    """Arrange for the process to stop at ``point``'s Nth occurrence."""
    from kb import pipeline, store

    tick = stopper(n, action)
    if point.startswith("sql:"):
        on_sql(point[4:], tick)
    elif point in ("read_inputs", "recognise"):
        on_items(pipeline, point, tick)
    elif point == "link_document":
        after_calls(pipeline, point, tick)
    elif point == "write_document":  # each document's rows, inside the batch's transaction
        after_calls(store, "_replace_document", tick)
    else:
        raise SystemExit(f"unknown point {point!r}")


if __name__ == "__main__":
    # Run the kb of this checkout (beside tests/), whatever copy the environment has installed.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    point, count, action, separator, *arguments = sys.argv[1:]
    assert separator == "--" and action in ("kill", "hold"), "usage: see the module docstring"
    install(point, int(count), action)
    from kb.cli import cli

    cli(arguments, prog_name="kb")
