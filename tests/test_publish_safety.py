"""Serving safely: limits on values, URLs, methods and query time; read-only; loopback default."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner

from kb.cli import serve as serve_command
from kb.publish import PUBLISH_SETTINGS, load_metadata, make_datasette
from kb.publish.guard import MAX_PARAMETERS, MAX_QUERY_BYTES
from publish_site import free_port, kb_serve_command, running

HEAVY_SQL = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"




@pytest.mark.parametrize("sql", ["select zeroblob(100000000)", "select length(randomblob(100000000))",
                                 "select length(hex(zeroblob(9000000)))"])
async def test_a_huge_value_fails_in_sqlite_not_in_memory(ds, sql):
    response = await ds.client.get(f"/kb.json?sql={quote(sql)}")
    assert response.status_code == 400
    assert "too big" in response.json()["error"]
    assert len(response.content) < 10_000


async def test_thousands_of_parameters_are_refused_at_once(ds):
    query = "&".join(f"p{n}=1" for n in range(5000))
    response = await ds.client.get(f"/kb/entities?{query}")
    assert response.status_code in (400, 414)
    assert "<html" in response.text
    many = "&".join(f"p{n}=1" for n in range(MAX_PARAMETERS + 1))
    response = await ds.client.get(f"/kb/entities?{many}")
    assert response.status_code == 400 and f"at most {MAX_PARAMETERS} are accepted" in response.text
    long = "x" * (MAX_QUERY_BYTES + 1)
    assert (await ds.client.get(f"/kb/entities?_search={long}")).status_code == 414
    assert (await ds.client.get("/kb/entities?type=PERSON&_sort=label")).status_code == 200


@pytest.mark.parametrize("path", ["/kb/most_mentioned_weapons", "/kb/find_entity?entity=Putin", "/kb/entities", "/kb"])
async def test_writing_methods_are_refused(ds, path):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = await ds.client.request(method, path)
        assert response.status_code == 405, (method, path, response.status_code)
        assert "read-only" in response.text


async def test_no_canned_query_writes_and_sql_cannot_write(ds, db_path):
    queries = load_metadata(db_path)["databases"]["kb"]["queries"]
    assert not any(query.get("write") for query in queries.values())
    before = db_path.read_bytes()
    for sql in ("delete from entities", "insert into documents (id, text, content_hash) values ('x', 'y', 'z')",
                "update entities set label = 'x'", "drop table mentions", "pragma journal_mode = delete"):
        response = await ds.client.get(f"/kb.json?sql={quote(sql)}")
        assert response.status_code in (400, 403), (sql, response.status_code)
    assert db_path.read_bytes() == before
    rows = (await ds.client.get("/kb/entities.json?_shape=array&_size=max")).json()
    assert len(rows) == 7


@pytest.mark.parametrize("path", [
    "/-/static/../../etc/passwd", "/-/static/..%2F..%2F..%2Fetc%2Fpasswd", "/-/static/%2e%2e/%2e%2e/etc/passwd",
    "/-/static-plugins/kb/..%2F..%2F__init__.py", "/-/static-plugins/kb.publish/..%2Fsite.py",
    "/kb/..%2F..%2Fetc%2Fpasswd", "/kb/entities/..%2F..%2Fetc%2Fpasswd", "/..%2F..%2Fetc%2Fpasswd",
    "/kb/entities/%00", "/kb/entities/~2E~2E~2F",
])
async def test_path_traversal_urls_never_answer_500_or_files(ds, path):
    response = await ds.client.get(path)
    assert response.status_code in (302, 400, 404), (path, response.status_code)
    assert "root:" not in response.text and "import" not in response.text


def test_publish_settings_bound_every_request(ds):
    for key in ("sql_time_limit_ms", "max_returned_rows", "max_csv_mb", "facet_time_limit_ms", "num_sql_threads"):
        assert ds.setting(key) == PUBLISH_SETTINGS[key], key
    assert PUBLISH_SETTINGS["sql_time_limit_ms"] <= 5000 and PUBLISH_SETTINGS["max_returned_rows"] <= 1000


@pytest.mark.parametrize("immutable", [False, True])
async def test_the_connections_that_answer_requests_cannot_write(db_path, immutable):
    import sqlite3

    db = make_datasette(db_path, immutable=immutable).databases["kb"]
    assert db.is_mutable is not immutable
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
        await db.execute_fn(lambda conn: conn.execute("create table intruder (x)"))


async def test_a_runaway_query_stops_at_the_time_limit(ds):
    response = await ds.client.get(f"/kb.json?sql={quote(HEAVY_SQL)}")
    assert response.status_code == 400
    assert "interrupted" in response.json()["error"].lower() or "time limit" in response.json()["error"].lower()


def test_serve_listens_on_loopback_by_default():
    defaults = {param.name: param.default for param in serve_command.params}
    assert defaults["host"] == "127.0.0.1"
    assert "--immutable" in CliRunner().invoke(serve_command, ["--help"]).output


@pytest.mark.slow
def test_the_real_server_stays_responsive_under_abuse(db_path):
    """Against `kb serve` on 127.0.0.1: a runaway query, a 5,000-parameter URL, an oversized URL
    and a huge blob do not stop other requests from being answered, and memory stays bounded."""
    port = free_port()
    with running(kb_serve_command(db_path, port), port) as (base, process):
        rss_before = _rss_kb(process.pid)
        heavy: dict = {}
        def run_heavy():
            try:
                heavy["response"] = httpx.get(f"{base}/kb.json", params={"sql": HEAVY_SQL}, timeout=60)
            except httpx.HTTPError as error:
                heavy["response"] = error

        thread = threading.Thread(target=run_heavy)
        thread.start()
        flood = httpx.get(f"{base}/kb/entities?" + "&".join(f"p{n}=1" for n in range(5000)), timeout=30)
        page = httpx.get(f"{base}/kb/entities/vladimir-putin", timeout=30)
        answered_while_heavy_ran = thread.is_alive()
        thread.join(timeout=60)
        assert flood.status_code in (400, 414, 431)
        assert page.status_code == 200 and "Vladimir Putin" in page.text
        assert answered_while_heavy_ran, "the entity page waited for the runaway query"
        assert getattr(heavy["response"], "status_code", heavy["response"]) == 400
        huge = httpx.get(f"{base}/kb?sql=" + "x" * 50_000, timeout=30)
        assert huge.status_code in (400, 414, 431)
        for sql in ("select zeroblob(100000000)", "select zeroblob(2000000000)"):
            assert httpx.get(f"{base}/kb.json", params={"sql": sql}, timeout=30).status_code == 400
        assert _rss_kb(process.pid) - rss_before < 200_000, "the server grew by more than 200 MB"
        assert httpx.get(f"{base}/kb/most_mentioned_weapons.json").status_code == 200


def _rss_kb(pid: int) -> int:
    """Resident memory of a process in kB (Linux), summed over the process and its children."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        pytest.skip("no /proc: cannot measure the server's memory")
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
