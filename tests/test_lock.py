"""The one-writer lock of a kb database (kb/lock.py): refusal, waiting, and no stale lock after
a kill, even with forked workers still alive."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kb import lock



def test_a_second_writer_is_refused_with_a_message_naming_the_database(tmp_path):
    path = tmp_path / "kb.db"
    with lock.build_lock(path):
        with pytest.raises(lock.DatabaseBusy, match=f"another kb build is writing {path}"):
            with lock.build_lock(path):
                pass
    with lock.build_lock(path):  # released: the next build goes ahead
        pass


def test_a_waiting_writer_gets_the_lock_when_the_first_one_finishes(tmp_path):
    path = tmp_path / "kb.db"
    held, release = threading.Event(), threading.Event()

    def first():
        with lock.build_lock(path):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(10)
    threading.Timer(0.2, release.set).start()
    with lock.build_lock(path, timeout=30):
        assert release.is_set()
    thread.join()


def test_a_killed_writer_leaves_no_stale_lock(tmp_path):
    path = tmp_path / "kb.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from kb import lock\n"
         f"with lock.build_lock({str(path)!r}):\n    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(lock.DatabaseBusy):
        with lock.build_lock(path):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with lock.build_lock(path):
        pass


def test_no_lock_file_is_needed_where_no_database_can_be(tmp_path):
    with lock.build_lock(tmp_path / "missing" / "kb.db"):
        pass


def test_a_killed_writer_leaves_no_lock_behind_even_if_its_forked_workers_live_on(tmp_path):
    path = tmp_path / "kb.db"
    script = (
        "import os, sys, time\nfrom kb import lock\n"
        f"with lock.build_lock({str(path)!r}):\n"
        "    child = os.fork()\n"
        "    if child == 0:\n        print('forked', flush=True)\n        time.sleep(60)\n        os._exit(0)\n"
        "    print(child, flush=True)\n    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[1])
    # both lines, in either order: the worker has run past the fork (and its at-fork handler)
    lines = {holder.stdout.readline().strip(), holder.stdout.readline().strip()}
    worker = int(next(line for line in lines if line != "forked"))
    try:
        with pytest.raises(lock.DatabaseBusy):
            with lock.build_lock(path):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with lock.build_lock(path):  # the worker still runs, the lock is free
            pass
    finally:
        os.kill(worker, signal.SIGKILL)
