"""Behaviour snapshot: the rows a build of ``examples/`` stores, compared with a committed copy.

Refactoring must not change what kb stores. A deliberate behaviour change regenerates the copy:
``KB_UPDATE_SNAPSHOT=1 python -m pytest tests/test_snapshot.py`` and the diff is reviewed in the
commit like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlite_utils

from kb.pipeline import build
from kb.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = Path(__file__).parent / "fixtures" / "snapshot" / "examples.json"

pytestmark = pytest.mark.slow


def stored_rows(db_path: Path) -> dict:
    """The rows that matter, in a stable order, without timestamps, fingerprints or row ids."""
    db = sqlite_utils.Database(db_path)
    query = lambda sql: [list(row) for row in db.execute(sql).fetchall()]  # noqa: E731
    return {
        "documents": query(
            "SELECT id, title, url, published, source, path, content_hash FROM documents ORDER BY id"
        ),
        "mentions": query(
            'SELECT document_id, start, "end", text, label, entity_id, score, runner_up_id,'
            " runner_up_score, sentence, source FROM mentions ORDER BY document_id, start, \"end\""
        ),
        "linked_entities": query(
            "SELECT id, qid, label, description, type, origin FROM entities WHERE id IN"
            " (SELECT entity_id FROM mentions UNION SELECT runner_up_id FROM mentions) ORDER BY id"
        ),
        "co_mentions": query("SELECT entity_id, other_id, documents FROM co_mentions ORDER BY 1, 2"),
        "counts": query(
            "SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM aliases),"
            " (SELECT count(*) FROM claims)"
        ),
    }


def snapshot_text(rows: dict) -> str:
    """JSON with one row per line, so that a behaviour change reads as a short diff."""
    tables = [
        f"{json.dumps(table)}: [\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in table_rows) + "\n]"
        for table, table_rows in rows.items()
    ]
    return "{\n" + ",\n".join(tables) + "\n}\n"


def test_build_of_examples_matches_snapshot(tmp_path):
    db_path = tmp_path / "kb.db"
    build([REPO / "examples"], db_path, Settings(), progress=False)
    # Paths are stored as given; make them independent of where the repository lives.
    rows = json.loads(json.dumps(stored_rows(db_path)).replace(str(REPO) + "/", ""))
    if os.environ.get("KB_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(snapshot_text(rows), encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for table in expected:
        assert rows[table] == expected[table], f"{table} differs from the snapshot"
