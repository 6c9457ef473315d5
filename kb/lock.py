"""One writer per kb database: the lock a build or resolve holds while it writes.

Two builds writing one database would each be correct transaction by transaction, but would
relink and rewrite the same documents against each other's half-finished state. So the second
one stops at once with a clear message (``another kb build is writing FILE; …``) rather than
waiting behind the first: a rerun afterwards costs nothing for the documents the first one
stored. Readers (Datasette) take no lock: the database is in WAL mode and they read along.

The lock is an advisory ``flock`` on ``FILE.lock`` beside the database (not on the database
itself, where closing any descriptor would drop SQLite's own POSIX locks). The kernel drops it
when the holder exits, even by SIGKILL, so a killed build never leaves a stale lock. Unix only.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class DatabaseBusy(ValueError):
    """Another kb build or resolve is writing the database (see :func:`build_lock`)."""


#: The lock files this process holds (see :func:`build_lock`). A forked child (spaCy's ``-j``
#: workers) closes its copies at once: the lock then dies with the build that took it, not with
#: its last worker (workers can outlive a killed build).
_HELD_LOCKS: set = set()


def _close_inherited_locks() -> None:
    for handle in list(_HELD_LOCKS):
        handle.close()  # closing, not unlocking: the lock is shared with the parent's copy
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


@contextmanager
def build_lock(db_path: str | Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the database's writer lock (``DB.lock`` beside it) while a build or resolve runs.

    A second build on the same database waits up to ``timeout`` seconds (default: none) and
    then raises :class:`DatabaseBusy` naming the file (a ValueError: the CLI prints it as an
    error and exits with status 1).
    """
    if str(db_path) == ":memory:":
        yield
        return
    lock_path = Path(f"{db_path}.lock")
    try:
        handle = open(lock_path, "a+b")
    except OSError as error:
        if not Path(db_path).exists():
            yield  # nothing to protect: opening the database fails with its own message
            return
        raise ValueError(f"{db_path}: cannot open its lock file {lock_path}: {error.strerror}") from error
    with handle:
        _acquire(handle, db_path, timeout)
        _HELD_LOCKS.add(handle)
        try:
            yield
        finally:
            _HELD_LOCKS.discard(handle)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle, db_path: str | Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"another kb build is writing {db_path}; wait for it to finish and run this "
                    "again (unchanged documents are skipped), or build into another --db"
                ) from None
            time.sleep(0.05)
