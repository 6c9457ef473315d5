"""The publish stage: metadata.yml, the Datasette site it describes, and `kb serve`.

Site tests go through Datasette's in-process client (HTTPX over ASGI, no network) against a
small hand-made database; one slow test starts the real server in a subprocess.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from markupsafe import escape

from kb.cli import cli
from kb.kbase import write_entities
from kb.publish import (
    PLACEHOLDER,
    check_database,
    database_name,
    load_metadata,
    make_datasette,
    metadata_path,
    read_metadata,
    rekey_metadata,
    site_url,
)
from kb.records import Document, Entity, Link, Mention
from kb.store import open_database, refresh_co_mentions, write_document

REPO = Path(__file__).resolve().parents[1]
TITLE = "kb — news entity knowledge base"

ENTITIES = [
    Entity("vladimir-putin", "Vladimir Putin", "PERSON", "President of Russia", "Q999000001",
           ("Putin",), 5.0, "starter"),
    Entity("jens-stoltenberg", "Jens Stoltenberg", "PERSON", "Secretary General of NATO",
           "Q999000002", ("Stoltenberg",), 4.0, "starter"),
    Entity("nato", "NATO", "ORG", "North Atlantic alliance", "Q999000003", (), 6.0, "starter"),
    Entity("storm-shadow", "Storm Shadow", "WEAPON", "air-launched cruise missile", None, (),
           2.0, "starter"),
    Entity("atacms", "ATACMS", "WEAPON", "tactical ballistic missile", None, (), 1.0, "starter"),
    Entity("unresolved-dmitry-peskov", "Dmitry Peskov", "PERSON", "", None, ("Peskov",), 0.0,
           "unresolved"),
    Entity("unresolved-andriy-yermak", "Andriy Yermak", "PERSON", "", None, (), 0.0, "unresolved"),
]
TYPES = {e.id: e.type for e in ENTITIES}

# (id, title, published, source, text, [(surface, entity id), ...] in text order)
DOCUMENTS = [
    ("d1", "Kremlin answers Stoltenberg", "2024-05-01", "Reuters",
     "Putin said Storm Shadow strikes escalate. Peskov said Putin warned Stoltenberg. "
     "Storm Shadow missiles hit Crimea; Peskov called Storm Shadow a provocation.",
     [("Putin", "vladimir-putin"), ("Storm Shadow", "storm-shadow"), ("Peskov", "unresolved-dmitry-peskov"),
      ("Putin", "vladimir-putin"), ("Stoltenberg", "jens-stoltenberg"), ("Storm Shadow", "storm-shadow"),
      ("Peskov", "unresolved-dmitry-peskov"), ("Storm Shadow", "storm-shadow")]),
    ("d2", "Stoltenberg on long-range strikes", "2024-05-02", "AFP",
     "Stoltenberg backed ATACMS and Storm Shadow deliveries. Stoltenberg spoke to Yermak about Putin.",
     [("Stoltenberg", "jens-stoltenberg"), ("ATACMS", "atacms"), ("Storm Shadow", "storm-shadow"),
      ("Stoltenberg", "jens-stoltenberg"), ("Yermak", "unresolved-andriy-yermak"),
      ("Putin", "vladimir-putin")]),
    ("d3", "NATO allies weigh ATACMS", "2024-05-03", "Reuters",
     "NATO allies discussed ATACMS. Peskov dismissed ATACMS as irrelevant.",
     [("NATO", "nato"), ("ATACMS", "atacms"), ("Peskov", "unresolved-dmitry-peskov"),
      ("ATACMS", "atacms")]),
]


def _links(text: str, names: list[tuple[str, str]]) -> list[Link]:
    """Links for each (surface, entity id), found left to right in ``text``."""
    links, cursor = [], 0
    for surface, entity_id in names:
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        mention = Mention(start, cursor, surface, TYPES[entity_id], sentence=text)
        links.append(Link(mention, entity_id, None, surface, TYPES[entity_id], 0.9))
    return links


def build_database(path: Path) -> Path:
    """A small kb database: seven entities, three documents, their mentions and co-mentions."""
    db = open_database(path)
    with db.conn:
        write_entities(db, ENTITIES)
        for doc_id, title, published, source, text, names in DOCUMENTS:
            document = Document(doc_id, text, title, f"https://example.org/{doc_id}", published,
                                source, content_hash=doc_id)
            write_document(db, document, _links(text, names), [], [], "fingerprint")
    refresh_co_mentions(db)
    db.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_database(tmp_path / "kb.db")


@pytest.fixture
def ds(db_path: Path):
    return make_datasette(db_path)


async def _json(ds, path: str):
    response = await ds.client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return response.json()


async def _query(ds, name: str, **params) -> list[dict]:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return await _json(ds, f"/kb/{name}.json?_shape=array&{query}")


# --- metadata.yml --------------------------------------------------------------------------


def test_metadata_file_is_the_repository_root_file():
    assert metadata_path() == REPO / "metadata.yml"


def test_metadata_has_title_licence_and_source():
    metadata = read_metadata(REPO / "metadata.yml")
    assert metadata["title"] == TITLE
    assert "CC0" in metadata["license"]
    assert metadata["license_url"].startswith("https://creativecommons.org/publicdomain/zero/")
    assert "publishers" in metadata["license"] and "Wikidata" in metadata["source"]
    assert metadata["about"]


def test_every_table_and_column_of_the_schema_is_described(tmp_path):
    db = open_database(tmp_path / "schema.db")
    tables = read_metadata(REPO / "metadata.yml")["databases"][PLACEHOLDER]["tables"]
    fts = db.table_names(fts4=True) + db.table_names(fts5=True)
    published = [name for name in db.table_names() if not name.startswith(tuple(fts))]
    assert {"documents", "mentions", "entities", "aliases", "claims", "co_mentions", "overrides"} <= set(published)
    for name in published:
        assert tables.get(name, {}).get("description"), f"table {name} has no description"
        described = set(tables[name].get("columns", {}))
        missing = set(db[name].columns_dict) - described
        assert not missing, f"{name}: columns without description: {sorted(missing)}"
        assert not described - set(db[name].columns_dict), f"{name}: descriptions of no column"


def test_every_canned_query_has_title_and_description():
    queries = read_metadata(REPO / "metadata.yml")["databases"][PLACEHOLDER]["queries"]
    assert len(queries) == 5
    for name, query in queries.items():
        assert query["title"] and query["description"] and query["sql"], name


def test_rekey_moves_the_placeholder_to_the_database_name():
    metadata = {"title": "t", "databases": {"kb": {"tables": {"a": {}}}, "other": {"x": 1}}}
    rekeyed = rekey_metadata(metadata, "news-2024")
    assert rekeyed["databases"] == {"news-2024": {"tables": {"a": {}}}, "other": {"x": 1}}
    assert metadata["databases"]["kb"] == {"tables": {"a": {}}}, "input must not be mutated"
    assert rekey_metadata(metadata, "kb") == metadata


def test_load_metadata_keys_by_file_stem():
    assert database_name("data/news.2024.db") == "news.2024"
    metadata = load_metadata(Path("somewhere") / "ukraine.db")
    assert list(metadata["databases"]) == ["ukraine"]
    assert "documents_mentioning_entity" in metadata["databases"]["ukraine"]["queries"]


def test_bad_metadata_is_reported_with_file_and_line(tmp_path):
    bad = tmp_path / "metadata.yml"
    bad.write_text("title: kb\ndatabases:\n  kb: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"metadata\.yml:\d+: not valid YAML"):
        load_metadata("kb.db", source=bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must be a mapping"):
        read_metadata(bad)


def test_check_database_rejects_missing_and_non_sqlite_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.db: database file not found"):
        check_database(tmp_path / "missing.db")
    text = tmp_path / "notes.db"
    text.write_text("not a database", encoding="utf-8")
    with pytest.raises(ValueError, match="notes.db: not a SQLite database"):
        make_datasette(text)


def test_site_url():
    assert site_url("127.0.0.1", 8001) == "http://127.0.0.1:8001/"
    assert site_url("::1", 9000) == "http://[::1]:9000/"


# --- the served site -----------------------------------------------------------------------


async def test_index_page_shows_title_and_licence(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    assert TITLE in response.text
    assert "creativecommons.org/publicdomain/zero" in response.text


@pytest.mark.parametrize(
    "table", ["documents", "mentions", "entities", "aliases", "claims", "co_mentions", "overrides"]
)
async def test_tables_render_with_their_description(ds, table):
    response = await ds.client.get(f"/kb/{table}")
    assert response.status_code == 200
    description = ds.table_metadata("kb", table)["description"]
    assert str(escape(description)) in response.text


async def test_fts_shadow_and_cache_tables_are_hidden(ds):
    tables = {t["name"]: t["hidden"] for t in (await _json(ds, "/kb.json"))["tables"]}
    assert tables["documents_fts"] and tables["entities_fts"] and tables["lookups"]
    assert not tables["documents"] and not tables["mentions"]


async def test_column_descriptions_appear_in_html(ds):
    html = (await ds.client.get("/kb/entities")).text
    assert 'data-column-description="Wikidata identifier, only when verified; empty when unknown."' in html
    assert "Local entity id, used by mentions, aliases and claims." in html


async def test_configured_facets_are_computed(ds):
    mentions = await _json(ds, "/kb/mentions.json")
    assert set(mentions["facet_results"]) == {"label", "entity_id"}
    labels = {r["value"]: r["count"] for r in mentions["facet_results"]["label"]["results"]}
    assert labels == {"PERSON": 10, "WEAPON": 7, "ORG": 1}
    entities = await _json(ds, "/kb/entities.json")
    origins = {r["value"]: r["count"] for r in entities["facet_results"]["origin"]["results"]}
    assert origins == {"starter": 5, "unresolved": 2}
    documents = await _json(ds, "/kb/documents.json")
    sources = {r["value"]: r["count"] for r in documents["facet_results"]["source"]["results"]}
    assert sources == {"Reuters": 2, "AFP": 1}


async def test_default_sort_orders(ds):
    entities = await _json(ds, "/kb/entities.json?_shape=array")
    assert [e["id"] for e in entities[:3]] == ["nato", "vladimir-putin", "jens-stoltenberg"]
    documents = await _json(ds, "/kb/documents.json?_shape=array")
    assert [d["id"] for d in documents] == ["d3", "d2", "d1"]


async def test_mentions_expand_entity_and_document_labels(ds):
    rows = await _json(ds, "/kb/mentions.json?_shape=array&_labels=on&document_id=d2")
    assert rows[0]["entity_id"] == {"value": "jens-stoltenberg", "label": "Jens Stoltenberg"}
    assert rows[0]["document_id"] == {"value": "d2", "label": "Stoltenberg on long-range strikes"}
    html = (await ds.client.get("/kb/mentions?document_id=d3")).text
    assert "Dmitry Peskov" in html and "NATO allies weigh ATACMS" in html


async def test_documents_full_text_search(ds):
    rows = await _json(ds, "/kb/documents.json?_shape=array&_search=missile")
    assert [r["id"] for r in rows] == ["d1"]  # porter stemming: "missile" finds "missiles"
    rows = await _json(ds, "/kb/documents.json?_search=ATACMS&_shape=array")
    assert sorted(r["id"] for r in rows) == ["d2", "d3"]


@pytest.mark.parametrize("entity", ["vladimir-putin", "Q999000001", "Vladimir Putin", "vladimir putin"])
async def test_documents_mentioning_an_entity_by_id_qid_or_label(ds, entity):
    rows = await _query(ds, "documents_mentioning_entity", entity=entity)
    assert [(r["id"], r["mentions"]) for r in rows] == [("d1", 2), ("d2", 1)]
    assert rows[0] == {"id": "d1", "title": "Kremlin answers Stoltenberg",
                       "url": "https://example.org/d1", "published": "2024-05-01", "mentions": 2}


async def test_documents_mentioning_orders_by_mention_count(ds):
    rows = await _query(ds, "documents_mentioning_entity", entity="ATACMS")
    assert [(r["id"], r["mentions"]) for r in rows] == [("d3", 2), ("d2", 1)]
    assert await _query(ds, "documents_mentioning_entity", entity="nobody") == []


async def test_an_id_wins_over_a_label(ds, db_path):
    confusing = Entity("confusing", "nato", "ORG", origin="custom")  # label = another entity's id
    text = "The nato summit."
    mention = Mention(4, 8, "nato", "ORG")
    db = open_database(db_path)
    with db.conn:
        write_document(db, Document("d4", text, content_hash="d4"),
                       [Link(mention, "confusing", None, "nato", "ORG", 0.9)], [], [confusing], None)
    db.close()
    rows = await _query(ds, "documents_mentioning_entity", entity="nato")
    assert [r["id"] for r in rows] == ["d3"]
    # no id or QID is "NATO": both labels match, case and surrounding spaces ignored
    rows = await _query(ds, "documents_mentioning_entity", entity="NATO ")
    assert [r["id"] for r in rows] == ["d3", "d4"]


@pytest.mark.parametrize("entity", ["jens-stoltenberg", "Q999000002", "jens stoltenberg"])
async def test_entities_co_mentioned_with_an_entity(ds, entity):
    rows = await _query(ds, "entities_co_mentioned", entity=entity)
    assert [(r["id"], r["documents"]) for r in rows] == [
        ("storm-shadow", 2), ("vladimir-putin", 2),  # ties broken by label
        ("atacms", 1), ("unresolved-andriy-yermak", 1), ("unresolved-dmitry-peskov", 1),
    ]
    assert rows[0] == {"id": "storm-shadow", "label": "Storm Shadow", "qid": None,
                       "type": "WEAPON", "documents": 2}
    assert rows[1]["qid"] == "Q999000001"


async def test_most_mentioned_weapons(ds):
    rows = await _query(ds, "most_mentioned_weapons")
    assert [(r["id"], r["mentions"], r["documents"]) for r in rows] == [
        ("storm-shadow", 4, 2), ("atacms", 3, 2)
    ]


async def test_unresolved_names_by_mention_count(ds):
    rows = await _query(ds, "unresolved_names")
    assert [(r["label"], r["mentions"], r["documents"]) for r in rows] == [
        ("Dmitry Peskov", 3, 2), ("Andriy Yermak", 1, 1)
    ]


async def test_entity_search(ds):
    rows = await _query(ds, "entity_search", q="secretary")
    assert [r["id"] for r in rows] == ["jens-stoltenberg"]
    rows = await _query(ds, "entity_search", q="missile")
    assert sorted(r["id"] for r in rows) == ["atacms", "storm-shadow"]
    assert await _query(ds, "entity_search", q="") == []


@pytest.mark.parametrize("name", list(load_metadata("kb.db")["databases"]["kb"]["queries"]))
async def test_canned_query_pages_render_without_parameters(ds, name):
    response = await ds.client.get(f"/kb/{name}")
    assert response.status_code == 200, response.text[:500]


async def test_canned_queries_listed_with_titles(ds):
    html = (await ds.client.get("/kb")).text
    for title in ("Documents mentioning an entity", "Entities co-mentioned with an entity",
                  "Most mentioned weapons", "Unresolved names", "Entity search"):
        assert title in html


async def test_metadata_follows_an_arbitrary_file_name(tmp_path):
    path = build_database(tmp_path / "ukraine-2024.db")
    ds = make_datasette(path)
    assert "ukraine-2024" in ds.databases and "kb" not in ds.databases
    rows = await _query_named(ds, "ukraine-2024", "unresolved_names")
    assert rows[0]["label"] == "Dmitry Peskov"
    entities = await _json(ds, "/ukraine-2024/entities.json")
    assert set(entities["facet_results"]) == {"type", "origin"}


async def test_explicit_metadata_written_for_the_placeholder_is_rekeyed(db_path, tmp_path):
    copy = tmp_path / "other.db"
    copy.write_bytes(db_path.read_bytes())
    metadata = {"title": "Custom", "databases": {"kb": {"queries": {"n": "select 42 as answer"}}}}
    ds = make_datasette(copy, metadata)
    assert await _query_named(ds, "other", "n") == [{"answer": 42}]


async def _query_named(ds, database: str, name: str) -> list[dict]:
    return await _json(ds, f"/{database}/{name}.json?_shape=array")


# --- kb serve --------------------------------------------------------------------------------


def test_serve_on_a_missing_file_fails_clearly(tmp_path):
    missing = tmp_path / "missing.db"
    result = CliRunner().invoke(cli, ["serve", str(missing)])
    assert result.exit_code == 1
    assert f"Error: {missing}: database file not found" in result.output


def test_serve_on_a_text_file_fails_clearly(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", str(text)])
    assert result.exit_code == 1
    assert "not a SQLite database" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_kb_serve_answers_over_http(db_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-c", "from kb.cli import cli; cli()", "serve", str(db_path),
               "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert process.poll() is None, f"kb serve exited early with {process.returncode}"
        assert response is not None, "kb serve did not answer within 30 s"
        assert response.status_code == 200
        assert TITLE in response.text
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert f"Serving {db_path} at http://127.0.0.1:{port}/" in output
