"""Engines: the local worker processes (``-j N``) and the Dask engine store exactly what one
process does; a document failing in a worker is skipped as a problem; without Dask it says how
to install it; the engine settings are validated and do not enter the linking signature."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import engine
from kb.cli import cli
from kb.pipeline import build
from kb.settings import Settings

ARTICLES = [
    "Maren Oakhurst, the mayor of Duluth, met NATO officials in Brussels on Monday.",
    "The Pentagon said Ukraine would receive more Patriot systems. Maren Oakhurst welcomed it.",
    "Officials of the Vesterlund Shipping Company toured Hamburg and Rotterdam.",
    "In Kyiv, Volodymyr Zelensky thanked Germany and France for the air-defence systems.",
    "The Vesterlund Shipping Company said its ships would avoid the Red Sea. Vesterlund shares fell.",
    "Tallinn hosted talks between Estonia and Finland on undersea cables and the Baltic Sea.",
    "Maren Oakhurst told reporters in Duluth that the Vesterlund Shipping Company would hire.",
]


def write_articles(folder: Path) -> Path:
    folder.mkdir()
    with open(folder / "news.jsonl", "w", encoding="utf-8") as out:
        for number, text in enumerate(ARTICLES):
            out.write(json.dumps({"id": f"n{number}", "title": f"Item {number}", "text": text}) + "\n")
    return folder


def stored_rows(db_path: Path) -> dict[str, list[tuple]]:
    """Every stored row that must not depend on the engine, ordered; the knowledge base's
    random uid (part of ``linked_with``, different in every database) replaced."""
    with closing(sqlite3.connect(db_path)) as conn:
        (uid,) = conn.execute("SELECT uid FROM kb_version").fetchone()
        documents = conn.execute("SELECT id, title, text, content_hash, linked_with FROM documents ORDER BY id").fetchall()
        return {
            "documents": [(*row[:-1], row[-1].replace(uid, "<kb>")) for row in documents],
            "mentions": conn.execute(
                'SELECT document_id, start, "end", text, label, entity_id, score, runner_up_id, sentence, source'
                ' FROM mentions ORDER BY 1, 2, 3'
            ).fetchall(),
            "entities": conn.execute("SELECT id, qid, label, type, origin FROM entities ORDER BY id").fetchall(),
            "co_mentions": conn.execute("SELECT * FROM co_mentions ORDER BY 1, 2").fetchall(),
        }


def test_engine_settings_are_checked_and_operational():
    with pytest.raises(ValueError, match="engine"):
        Settings(engine="spark")
    with pytest.raises(ValueError, match="scheduler"):
        Settings(scheduler="")
    dask = Settings(engine="dask", scheduler="tcp://127.0.0.1:8786")
    assert dask.linking_signature() == Settings().linking_signature()


def test_without_dask_the_build_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "find_spec", lambda name: None if name in ("dask", "distributed") else object())
    folder = write_articles(tmp_path / "in")
    result = CliRunner().invoke(cli, ["build", str(folder), "--db", str(tmp_path / "kb.db"), "--engine", "dask"])
    assert result.exit_code == 1
    assert "pip install 'kb[dask]'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_dask_build_stores_the_same_rows_as_a_local_one(tmp_path):
    pytest.importorskip("distributed")
    folder = write_articles(tmp_path / "in")
    local = build([folder], tmp_path / "local.db", Settings(batch_size=2), progress=False)
    # a LocalCluster on 127.0.0.1: two single-threaded worker processes
    on_dask = build([folder], tmp_path / "dask.db", Settings(batch_size=2, engine="dask", processes=2), progress=False)
    assert (on_dask.processed, on_dask.mentions, on_dask.problems) == (local.processed, local.mentions, [])
    assert local.mentions > 20
    assert stored_rows(tmp_path / "dask.db") == stored_rows(tmp_path / "local.db")
    again = build([folder], tmp_path / "dask.db", Settings(batch_size=2, engine="dask", processes=2), progress=False)
    assert (again.processed, again.unchanged) == (0, len(ARTICLES))  # incremental: no cluster started


@pytest.mark.slow
def test_a_build_on_a_running_scheduler_stores_the_same_rows(tmp_path):
    distributed = pytest.importorskip("distributed")
    folder = write_articles(tmp_path / "in")
    build([folder], tmp_path / "local.db", Settings(batch_size=3), progress=False)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        settings = Settings(batch_size=3, engine="dask", scheduler=cluster.scheduler_address)
        report = build([folder], tmp_path / "remote.db", settings, progress=False)
    assert report.processed == len(ARTICLES)
    assert stored_rows(tmp_path / "remote.db") == stored_rows(tmp_path / "local.db")


def test_tasks_are_cut_by_documents_and_by_characters():
    from kb.engine import partitions
    from kb.records import Document

    documents = [Document(id=str(n), text="x" * size) for n, size in enumerate([10, 10, 50, 5, 5, 5, 5, 5])]
    cut = [[d.id for d in batch] for batch in partitions(documents, 3, 40)]
    assert cut == [["0", "1", "2"], ["3", "4", "5"], ["6", "7"]]
    cut = [[d.id for d in batch] for batch in partitions(documents, 10, 20)]
    assert cut == [["0", "1"], ["2"], ["3", "4", "5", "6"], ["7"]]


def test_worker_processes_recognise_and_link_and_store_the_same_rows(tmp_path, monkeypatch):
    from kb.engine import pool

    folder = write_articles(tmp_path / "in")
    build([folder], tmp_path / "one.db", Settings(batch_size=2), progress=False)
    tasks = []
    real = pool.pool_batches
    monkeypatch.setattr(pool, "pool_batches", lambda *a, **k: (tasks.append("pool"), real(*a, **k))[1])
    monkeypatch.setattr(pool, "TASK_CHARS", 100)  # more tasks than are in flight, of uneven sizes
    monkeypatch.setattr(pool, "IN_FLIGHT", 1)
    monkeypatch.setattr(pool, "AHEAD_CHARS", 0)
    report = build([folder], tmp_path / "two.db", Settings(batch_size=2, processes=2), progress=False)
    assert tasks == ["pool"]  # the build went through the worker pool
    assert (report.processed, report.problems) == (len(ARTICLES), [])
    assert stored_rows(tmp_path / "two.db") == stored_rows(tmp_path / "one.db")


def test_a_document_that_fails_in_a_worker_is_a_problem_and_the_others_are_stored(tmp_path, monkeypatch):
    import kb.pipeline

    folder = write_articles(tmp_path / "in")
    real = kb.pipeline.link_document

    def link_or_fail(document_id, *args, **kwargs):
        if document_id == "n3":
            raise RuntimeError("this one breaks")
        return real(document_id, *args, **kwargs)

    monkeypatch.setattr(kb.pipeline, "link_document", link_or_fail)  # inherited by the forked workers
    report = build([folder], tmp_path / "kb.db", Settings(batch_size=2, processes=2), progress=False)
    line = str(folder / "news.jsonl") + ":4"  # n3 is the fourth line
    assert [(p.path, p.message) for p in report.problems] == [(line, "cannot process: RuntimeError: this one breaks")]
    with closing(sqlite3.connect(tmp_path / "kb.db")) as conn:
        stored = [row[0] for row in conn.execute("SELECT id FROM documents ORDER BY id")]
    assert stored == [f"n{n}" for n in range(len(ARTICLES)) if n != 3]
