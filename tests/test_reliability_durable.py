"""Durability and concurrency of `kb build`, end to end (issue 8 "Reliability").

- a build killed (SIGKILL) at any of a dozen points leaves a sound database holding whole
  documents only, and a re-run completes it to exactly the rows of an uninterrupted build;
- readers (sqlite3 connections and Datasette) keep getting answers during a build and never see
  a document without its mentions;
- a second build on the same database is refused with a clear message and corrupts nothing;
- a document's mentions do not depend on which other documents are built, in which order, or
  with ``-j 2``.

Kills run `kb` in a subprocess through tests/kill_harness.py; the other builds run in this
process with one spaCy pipeline shared between them. The texts are invented for these tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.parse
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import pipeline
from kb.cli import cli
from kb.settings import Settings

REPO = Path(__file__).resolve().parents[1]
HARNESS = Path(__file__).parent / "kill_harness.py"

pytestmark = pytest.mark.slow

KNOWN = [
    ("Jens Stoltenberg", "Stoltenberg"), ("Emmanuel Macron", "Macron"), ("Olaf Scholz", "Scholz"),
    ("Antony Blinken", "Blinken"), ("Joe Biden", "Biden"), ("Rishi Sunak", "Sunak"),
    ("Dmitry Peskov", "Peskov"), ("Ursula von der Leyen", "von der Leyen"),
]
INVENTED = [
    ("Marta Kowalczyk", "Kowalczyk"), ("Ilse Brandauer", "Brandauer"), ("Teodor Lindqvist", "Lindqvist"),
    ("Amara Okafor", "Okafor"), ("Rafael Quintero", "Quintero"), ("Greta Solheim", "Solheim"),
    ("Pavel Dorn", "Dorn"),
]
PLACES = ["Kyiv", "Berlin", "Warsaw", "Paris", "Kharkiv", "Odesa", "Moscow", "Lviv"]
PRESS = ["NATO", "Reuters", "Associated Press", "the European Union", "the United Nations"]
INVENTED_ORGS = ["Northbridge Logistics", "the Halvard Institute", "the Baltic Grain Council", "Corvane Systems"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
TEMPLATES = [
    "{p} met {q} in {place} on {day}. {p_short} said the talks went well, {org} reported.",
    "{x} of {xo} told {org} that {place} needed more generators. {x_short} later met {p_short}.",
    "In {place}, {x_short} and {q} discussed grain exports. {xo} will ship the first cargo in May.",
    "{org} said {x} arrived in {place} on {day}. {x_short} was expected to meet {p} there.",
    "{q_short} praised {xo} after a visit to {place}. {y} and {x_short} signed the agreement.",
    "Speaking in {place}, {y_short} rejected claims by {q}. {xo} declined to comment to {org}.",
]


def corpus(n: int, seed: int = 7) -> list[dict]:
    """``n`` short invented news items: well-known people and places, invented people and
    companies (unresolved names, some met first in full and later by surname alone)."""
    rng = random.Random(seed)
    documents = []
    for i in range(n):
        (p, p_short), (q, q_short) = rng.sample(KNOWN, 2)
        (x, x_short), (y, y_short) = rng.sample(INVENTED, 2)
        text = TEMPLATES[i % len(TEMPLATES)].format(
            p=p, p_short=p_short, q=q, q_short=q_short, x=x, x_short=x_short, y=y, y_short=y_short,
            place=rng.choice(PLACES), org=rng.choice(PRESS), xo=rng.choice(INVENTED_ORGS),
            day=rng.choice(DAYS),
        )
        documents.append({"id": f"doc-{i:02d}", "text": text[0].upper() + text[1:]})
    return documents


def write_folder(folder: Path, documents: list[dict]) -> Path:
    """One .txt file per document (ids are content hashes; a changed file replaces its old
    version by path)."""
    folder.mkdir(exist_ok=True)
    for document in documents:
        (folder / f"{document['id']}.txt").write_text(document["text"] + "\n", encoding="utf-8")
    return folder


def write_jsonl(path: Path, documents: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    return path


def small_batches(tmp_path: Path, size: int) -> Path:
    """A settings file with small batches, so that a few documents make several transactions."""
    config = tmp_path / f"batches-{size}.toml"
    config.write_text(f"batch_size = {size}\n")
    return config


@pytest.fixture(scope="module", autouse=True)
def one_pipeline():
    """Load the spaCy pipeline once for the in-process builds of this module (the knowledge base
    is the starter one throughout, so its EntityRuler is the same)."""
    loaded = {}
    real = pipeline.make_nlp

    def make_nlp(settings, knowledge_base):
        key = (settings.model, knowledge_base.fingerprint())
        if key not in loaded:
            loaded[key] = real(settings, knowledge_base)
        return loaded[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "make_nlp", make_nlp)
        yield


def build_here(inputs: Path, db_path: Path, **settings) -> None:
    pipeline.build([inputs], db_path, Settings().with_overrides(**settings), progress=False)


def kb_command(*arguments, stop: tuple[str, int, str] | None = None, **popen) -> subprocess.Popen:
    """Start `kb ARGUMENTS` in a subprocess running this worktree's code, optionally stopped
    (killed or held) at a point of tests/kill_harness.py."""
    point, n, action = stop or ("sql:no statement has this text", 1, "kill")
    command = [sys.executable, str(HARNESS), point, str(n), action, "--", *map(str, arguments)]
    return subprocess.Popen(command, cwd=REPO, text=True, **popen)


def query(db_path: Path, sql: str, parameters=()) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, parameters).fetchall()


MENTION_COLUMNS = 'start, "end", text, label, entity_id, score, runner_up_id, runner_up_score, sentence, source'


def mentions_by_document(db_path: Path) -> dict[str, list[tuple]]:
    """Each stored document's mention rows (without row ids), keyed by document id."""
    found: dict[str, list[tuple]] = {i: [] for (i,) in query(db_path, "SELECT id FROM documents")}
    for row in query(db_path, f"SELECT document_id, {MENTION_COLUMNS} FROM mentions ORDER BY 1, 2, 3"):
        found.setdefault(row[0], []).append(row[1:])
    return found


def all_rows(db_path: Path) -> dict[str, list[tuple]]:
    """Everything a build stores that must not depend on interruptions (no timestamps, no row
    ids): documents, mentions, co-mentions, entities and their aliases, the search index. The
    knowledge base's random id (part of each document's ``linked_with``) differs between two
    databases built alike, so it is replaced by a placeholder."""
    (uid,) = query(db_path, "SELECT uid FROM kb_version")[0]
    documents = query(db_path, "SELECT id, title, path, text, content_hash, linked_with FROM documents ORDER BY id")
    return {
        "documents": [(*row[:-1], row[-1].replace(uid, "<kb>")) for row in documents],
        "mentions": query(db_path, f"SELECT document_id, {MENTION_COLUMNS} FROM mentions ORDER BY 1, 2, 3"),
        "co_mentions": query(db_path, "SELECT * FROM co_mentions ORDER BY 1, 2"),
        "entities": query(db_path, "SELECT id, qid, label, type, origin FROM entities ORDER BY id"),
        "aliases": query(db_path, "SELECT entity_id, alias FROM aliases ORDER BY 1, 2"),
        "search": query(
            db_path, "SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'generators OR talks' ORDER BY 1"
        ),
    }


def check_sound(db_path: Path, expected: dict[str, list[tuple]]) -> int:
    """Assert the database opens, passes SQLite's and FTS5's integrity checks, holds each
    document with exactly the mentions of one of its ``expected`` versions, and keeps the derived
    rows in step; returns how many documents it holds."""
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_path, "PRAGMA foreign_key_check") == []
    tables = {name for (name,) in query(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "documents" not in tables:
        return 0
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")
    stored = mentions_by_document(db_path)
    for document_id, mentions in stored.items():
        assert mentions == expected[document_id], f"{document_id} is not whole"
    paths = query(db_path, "SELECT count(*), count(DISTINCT path) FROM documents")[0]
    assert paths[0] == paths[1], "two versions of one file"
    recount = query(
        db_path,
        """WITH present AS (SELECT DISTINCT document_id, entity_id FROM mentions WHERE entity_id IS NOT NULL)
        SELECT a.entity_id, b.entity_id, count(*) FROM present a JOIN present b
        ON a.document_id = b.document_id AND a.entity_id != b.entity_id GROUP BY 1, 2 ORDER BY 1, 2""",
    )
    assert query(db_path, "SELECT * FROM co_mentions ORDER BY 1, 2") == recount
    orphans = query(
        db_path,
        "SELECT id FROM entities WHERE origin = 'unresolved' AND id NOT IN (SELECT entity_id FROM mentions"
        " WHERE entity_id IS NOT NULL) AND id NOT IN (SELECT runner_up_id FROM mentions WHERE runner_up_id IS NOT NULL)",
    )
    assert orphans == []
    return len(stored)


# --- killed builds -------------------------------------------------------------------------------

#: (point, occurrence, documents stored when it is reached) for a fresh build of 12 documents in
#: batches of 4; see tests/kill_harness.py for the points.
FRESH_KILLS = [
    ("sql:CREATE TRIGGER", 1, 0),  # schema: the tables exist, their triggers do not yet
    ('sql:INSERT INTO "entities"', 300, 0),  # seeding the starter entities (one transaction)
    ("read_inputs", 5, 0),  # ingest
    ("recognise", 2, 0),  # recognition of the first batch
    ("recognise", 7, 4),  # recognition of the second batch, after the first was stored
    ("link_document", 6, 4),  # linking
    ("write_document", 6, 4),  # inside a batch's write transaction
    ("sql:INSERT INTO mentions", 20, 4),  # writing mention rows
    ("sql:documents_fts_data", 4, 0),  # FTS5 writing the search index (trigger on documents)
    ("sql:INSERT INTO co_mentions", 4, 4),  # derived table: the second batch's co-mention counts
    ("sql:COMMIT", 4, 4),  # at the commit of the second batch (1 and 2: schema and seeding)
]
#: The same, for a re-build after three files changed (their old versions must survive whole).
CHANGE_KILLS = [
    ("write_document", 2, 12),  # inside the transaction replacing changed files
    ("sql:DELETE FROM entities WHERE id =", 2, 12),  # pruning unresolved names a change dropped
]
CHANGED = {
    1: "Lindqvist of Corvane Systems met Olaf Scholz in Odesa. Reuters said the visit was short.",
    4: "Joe Biden praised the Baltic Grain Council in Lviv. Nobody else attended.",
    7: "Macron met Rishi Sunak in Paris on Monday, the Associated Press reported.",
}


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory):
    """The 12-document corpus before and after a change, and reference builds of both."""
    root = tmp_path_factory.mktemp("kills")
    documents = corpus(12)
    changed = [
        {**d, "text": CHANGED.get(i, d["text"])} for i, d in enumerate(documents)
    ]
    folder = write_folder(root / "docs", documents)
    config = small_batches(root, 4)
    before, after = root / "before.db", root / "after.db"
    build_here(folder, before, batch_size=4)
    changed_folder = write_folder(root / "changed", changed)
    build_here(changed_folder, after, batch_size=4)
    return {
        "root": root, "folder": folder, "config": config, "before": before, "after": after,
        "changed": changed, "documents": documents,
    }


def run_killed(db_path: Path, folder: Path, config: Path, point: str, n: int) -> None:
    process = kb_command("build", folder, "--db", db_path, "--config", config, "--no-progress",
                         stop=(point, n, "kill"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == -9, f"{point} #{n} was never reached: {stderr[-2000:]}"


@pytest.mark.parametrize(("point", "n", "stored"), FRESH_KILLS, ids=[f"{p}#{n}" for p, n, _ in FRESH_KILLS])
def test_a_killed_build_leaves_whole_documents_and_a_rerun_completes_it(kill_setup, tmp_path, point, n, stored):
    db_path = tmp_path / "kb.db"
    run_killed(db_path, kill_setup["folder"], kill_setup["config"], point, n)
    reference = all_rows(kill_setup["before"])
    assert check_sound(db_path, mentions_by_document(kill_setup["before"])) == stored
    build_here(kill_setup["folder"], db_path, batch_size=4)
    assert all_rows(db_path) == reference
    assert check_sound(db_path, mentions_by_document(kill_setup["before"])) == 12


def test_a_killed_parallel_build_releases_its_lock_and_a_rerun_completes_it(kill_setup, tmp_path):
    """With ``-j 2`` the worker processes can outlive a killed build; the lock must not."""
    from kb.lock import build_lock

    db_path = tmp_path / "kb.db"
    process = kb_command("build", kill_setup["folder"], "--db", db_path, "--config", kill_setup["config"], "-j", "2",
                         stop=("write_document", 7, "kill"), start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # no pipe: workers hold it open
    try:
        assert process.wait(timeout=300) == -9
        with build_lock(db_path):  # free at once, though the workers may still be alive
            pass
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the orphaned workers of the killed build
        except ProcessLookupError:
            pass
    assert check_sound(db_path, mentions_by_document(kill_setup["before"])) == 4
    build_here(kill_setup["folder"], db_path, batch_size=4, processes=2)
    assert all_rows(db_path) == all_rows(kill_setup["before"])


def test_a_parallel_build_whose_worker_dies_stops_with_a_message_and_a_rerun_completes_it(kill_setup, tmp_path):
    """A worker killed mid-build (the OOM killer) must not hang the build: it stops with a
    one-line error, keeps what it stored, and the next build finishes the job."""
    db_path = tmp_path / "kb.db"
    process = kb_command("build", kill_setup["folder"], "--db", db_path, "--config", kill_setup["config"], "-j", "2",
                         "--no-progress", stop=("recognise", 7, "kill"), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1, stderr[-2000:]
    assert "worker process died" in stderr and "Traceback" not in stderr
    assert check_sound(db_path, mentions_by_document(kill_setup["before"])) in range(0, 12)
    build_here(kill_setup["folder"], db_path, batch_size=4, processes=2)
    assert all_rows(db_path) == all_rows(kill_setup["before"])


@pytest.mark.parametrize(("point", "n", "stored"), CHANGE_KILLS, ids=[f"{p}#{n}" for p, n, _ in CHANGE_KILLS])
def test_a_killed_rebuild_after_a_change_keeps_old_versions_whole(kill_setup, tmp_path, point, n, stored):
    db_path = tmp_path / "kb.db"
    changed_folder = write_folder(tmp_path / "docs", kill_setup["documents"])
    build_here(changed_folder, db_path, batch_size=4)
    write_folder(changed_folder, kill_setup["changed"])  # three files get new text
    run_killed(db_path, changed_folder, kill_setup["config"], point, n)
    versions = {**mentions_by_document(kill_setup["before"]), **mentions_by_document(kill_setup["after"])}
    assert check_sound(db_path, versions) == stored
    build_here(changed_folder, db_path, batch_size=4)
    assert check_sound(db_path, mentions_by_document(kill_setup["after"])) == 12
    reference = all_rows(kill_setup["after"])
    rows = all_rows(db_path)
    for table in ("mentions", "co_mentions", "entities", "aliases"):
        assert rows[table] == reference[table], table
    strip = lambda documents: [row[:2] + row[3:] for row in documents]  # noqa: E731 (paths differ)
    assert strip(rows["documents"]) == strip(reference["documents"])


# --- readers during a build ----------------------------------------------------------------------

COUNTS = "SELECT d.id, (SELECT count(*) FROM mentions m WHERE m.document_id = d.id) AS n FROM documents d"


async def test_readers_always_get_answers_and_never_see_half_a_document(tmp_path):
    from kb.publish import make_datasette

    documents = corpus(60, seed=11)
    inputs = write_jsonl(tmp_path / "news.jsonl", documents)
    db_path = tmp_path / "kb.db"
    # Batches of two, held once inside the transaction writing documents 31 and 32.
    build = kb_command("build", inputs, "--db", db_path, "--config", small_batches(tmp_path, 2), "--no-progress",
                       stop=("write_document", 31, "hold"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    held = threading.Event()
    threading.Thread(target=lambda: held.set() if build.stdout.readline().strip() == "held" else None,
                     daemon=True).start()
    seen: list[dict[str, int]] = []
    served = {"sqlite3": 0, "datasette": 0}
    reader = datasette = None
    checked_hold = False
    try:
        while build.poll() is None:
            await asyncio.sleep(0.002)  # leave the build some of this machine
            holding = held.is_set()
            if reader is None:
                if not db_path.exists():
                    continue
                reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)  # a server's connection
            if not reader.execute("SELECT 1 FROM sqlite_master WHERE name = 'co_mentions'").fetchall():
                continue
            seen.append(dict(reader.execute(COUNTS).fetchall()))
            served["sqlite3"] += 1
            datasette = datasette or make_datasette(db_path)
            response = await datasette.client.get(f"/kb.json?_shape=array&sql={urllib.parse.quote(COUNTS)}")
            assert response.status_code == 200, response.text
            seen.append({row["id"]: row["n"] for row in response.json()})
            served["datasette"] += 1
            if holding and not checked_hold:
                # Held inside an open write transaction: exactly the 15 committed batches show.
                assert set(seen[-1]) == set(seen[-2]) == {d["id"] for d in documents[:30]}
                checked_hold = True
                build.stdin.write("\n")
                build.stdin.flush()
    finally:
        if build.poll() is None:
            build.kill()
        build.wait()
        if reader is not None:
            reader.close()
    assert build.returncode == 0 and checked_hold
    final = dict(query(db_path, COUNTS))
    assert len(final) == 60
    for counts in seen:
        assert {i: final[i] for i in counts} == counts
    print(f"\nrequests served during the build: {served}; partial views: "
          f"{sum(1 for counts in seen if 0 < len(counts) < 60)}")


# --- two builds at once --------------------------------------------------------------------------


def test_a_second_build_on_the_same_database_is_refused_and_nothing_breaks(kill_setup, tmp_path):
    db_path = tmp_path / "kb.db"
    first = kb_command("build", kill_setup["folder"], "--db", db_path, "--config", kill_setup["config"],
                       "--no-progress", stop=("write_document", 2, "hold"), stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert first.stdout.readline().strip() == "held"  # inside its first write transaction
        second = CliRunner().invoke(cli, ["build", str(kill_setup["folder"]), "--db", str(db_path)])
        assert second.exit_code == 1
        assert f"Error: another kb build is writing {db_path}" in second.output
        resolve = CliRunner().invoke(cli, ["resolve", "--db", str(db_path)])
        assert resolve.exit_code == 1 and "another kb build is writing" in resolve.output
        first.stdin.write("\n")
        first.stdin.flush()
        first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0
    assert check_sound(db_path, mentions_by_document(kill_setup["before"])) == 12
    assert all_rows(db_path) == all_rows(kill_setup["before"])
    again = CliRunner().invoke(cli, ["build", str(kill_setup["folder"]), "--db", str(db_path)])
    assert again.exit_code == 0 and "(0 processed, 12 unchanged)" in again.output


# --- order independence --------------------------------------------------------------------------


def test_a_documents_mentions_do_not_depend_on_the_other_documents_or_their_order(tmp_path):
    documents = corpus(60)
    shuffled = documents[:]
    random.Random(3).shuffle(shuffled)

    def mentions_of(name: str, subset: list[dict], **settings) -> dict[str, list[tuple]]:
        db_path = tmp_path / f"{name}.db"
        build_here(write_jsonl(tmp_path / f"{name}.jsonl", subset), db_path, batch_size=8, **settings)
        return mentions_by_document(db_path)

    forward = mentions_of("forward", documents)
    entity_ids = [row[4] or "" for rows in forward.values() for row in rows]
    assert len(forward) == 60 and sum(i.startswith("nil:") for i in entity_ids) > 20  # unresolved names
    builds = {
        "reversed": mentions_of("reversed", documents[::-1]),
        "shuffled": mentions_of("shuffled", shuffled),
        "parallel (-j 2)": mentions_of("parallel", documents, processes=2),
        # (in one JSON-lines file: the first build's documents move down 30 lines)
        "second half first, then all": mentions_of("halves", documents[30:]) and mentions_of("halves", documents),
    }
    # Alone: each document the only one in a fresh database (a copy of one seeded with the
    # starter knowledge base, to spare 60 seedings).
    empty = tmp_path / "empty.db"
    pipeline.build([], empty, Settings(), progress=False)
    alone: dict[str, list[tuple]] = {}
    for document in documents:
        target = tmp_path / f"alone-{document['id']}.db"
        with closing(sqlite3.connect(empty)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        alone.update(mentions_of(f"alone-{document['id']}", [document]))
    builds["each alone"] = alone
    for name, mentions in builds.items():
        differ = sorted(i for i in forward if mentions.get(i) != forward[i])
        assert differ == [], f"{name}: {len(differ)} documents get other mentions: {differ[:5]}"
    # The whole builds agree on the entities and co-mentions too (an unresolved name's type is
    # its mentions' majority label, not that of whichever document came first).
    derived = (
        "SELECT id, qid, label, type, origin FROM entities"
        " UNION ALL SELECT *, '', '' FROM co_mentions ORDER BY 1, 2"
    )
    for name in ("reversed", "shuffled", "parallel", "halves"):
        assert query(tmp_path / f"{name}.db", derived) == query(tmp_path / "forward.db", derived), name


def test_a_rebuild_after_a_knowledge_base_change_equals_a_fresh_build(kill_setup, tmp_path):
    from kb.kbase import KnowledgeBase
    from kb.records import Entity
    from kb.store import open_database

    company = Entity(id="corvane-systems", label="Corvane Systems", type="ORG", origin="custom",
                     description="invented company of these tests")
    updated = tmp_path / "updated.db"
    build_here(kill_setup["folder"], updated, batch_size=4)
    KnowledgeBase(open_database(updated)).add([company])
    build_here(kill_setup["folder"], updated, batch_size=4)  # every document relinked
    fresh = tmp_path / "fresh.db"
    pipeline.build([], fresh, Settings(), progress=False)
    KnowledgeBase(open_database(fresh)).add([company])
    build_here(kill_setup["folder"], fresh, batch_size=4)
    assert ("nil:corvane-systems",) not in query(updated, "SELECT id FROM entities")
    assert query(updated, "SELECT count(*) FROM mentions WHERE entity_id = 'corvane-systems'") != [(0,)]
    assert check_sound(updated, mentions_by_document(fresh)) == 12
    assert all_rows(updated) == all_rows(fresh)
