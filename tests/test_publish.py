"""The publish stage: metadata.yml, the Datasette site it describes, canned queries, `kb serve`.

Site tests go through Datasette's in-process client (HTTPX over ASGI, no network) against a
small hand-made database (tests/publish_site.py); slow tests start real servers in subprocesses.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner
from markupsafe import escape

from kb.cli import cli
from kb.publish import (
    PUBLISH_SETTINGS,
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
from kb.store import open_database, write_document
from publish_site import REPO, TITLE, build_database, child_env, free_port, kb_serve_command, running




async def _json(ds, path: str):
    response = await ds.client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return response.json()


async def _query(ds, name: str, **params) -> list[dict]:
    query = urlencode(params)
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
    assert len(queries) == 9
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
    assert labels == {"PERSON": 11, "WEAPON": 7, "ORG": 2}
    entities = await _json(ds, "/kb/entities.json")
    origins = {r["value"]: r["count"] for r in entities["facet_results"]["origin"]["results"]}
    assert origins == {"starter": 5, "unresolved": 2}
    documents = await _json(ds, "/kb/documents.json")
    sources = {r["value"]: r["count"] for r in documents["facet_results"]["source"]["results"]}
    assert sources == {"Reuters": 2, "AFP": 1, "Unknown": 1}
    dates = {r["value"]: r["count"] for r in documents["facet_results"]["published"]["results"]}
    assert dates == {"2024-05-01": 1, "2024-06-02": 1, "2024-06-03": 1, "2024-06-04": 1}


async def test_default_sort_orders(ds):
    entities = await _json(ds, "/kb/entities.json?_shape=array")
    assert [e["id"] for e in entities[:3]] == ["nato", "vladimir-putin", "jens-stoltenberg"]
    documents = await _json(ds, "/kb/documents.json?_shape=array")
    assert [d["id"] for d in documents] == ["hostile", "d3", "d2", "d1"]


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


@pytest.mark.parametrize(
    "entity", ["vladimir-putin", "Q999000001", "q999000001", "Vladimir Putin", "vladimir putin", "Putin", " PUTIN "]
)
async def test_documents_mentioning_an_entity_by_id_qid_label_or_alias(ds, entity):
    rows = await _query(ds, "documents_mentioning_entity", entity=entity)
    assert [(r["document_id"], r["mentions"]) for r in rows] == [("d1", 2), ("hostile", 1), ("d2", 1)]
    assert rows[0] == {"document_id": "d1", "title": "Kremlin answers Stoltenberg",
                       "published": "2024-05-01", "source": "Reuters", "mentions": 2}


@pytest.mark.parametrize("entity", ["ATACMS", "atacms", "MGM-140 ATACMS"])
async def test_an_acronym_alias_finds_the_weapon(ds, entity):
    rows = await _query(ds, "documents_mentioning_entity", entity=entity)
    assert [(r["document_id"], r["mentions"]) for r in rows] == [("d3", 2), ("d2", 1)]


@pytest.mark.parametrize("entity", ["Stoltenberg", "stoltenberg"])
async def test_a_surname_finds_the_person(ds, entity):
    # "Stoltenberg" is no alias of the fixture entity: the surname rule finds "Jens Stoltenberg"
    rows = await _query(ds, "find_entity", entity=entity)
    assert [r["entity_id"] for r in rows] == ["jens-stoltenberg"]
    assert rows[0]["mentions"] == 3


async def test_find_entity_by_alias_and_unknown_names(ds):
    rows = await _query(ds, "find_entity", entity="north atlantic treaty organization")
    assert [(r["entity_id"], r["label"], r["type"]) for r in rows] == [("nato", "NATO", "ORG")]
    assert await _query(ds, "find_entity", entity="nobody at all") == []
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
    assert [r["document_id"] for r in rows] == ["hostile", "d3"]
    # no id or QID is "NATO": both labels match, case and surrounding spaces ignored
    rows = await _query(ds, "documents_mentioning_entity", entity="NATO ")
    assert sorted(r["document_id"] for r in rows) == ["d3", "d4", "hostile"]


async def test_documents_mentioning_both(ds):
    rows = await _query(ds, "documents_mentioning_both", entity1="Putin", entity2="stoltenberg")
    assert [(r["document_id"], r["first_mentions"], r["second_mentions"]) for r in rows] == [
        ("d2", 1, 2), ("d1", 2, 1)  # newest first
    ]
    rows = await _query(ds, "documents_mentioning_both", entity1="ATACMS", entity2="Peskov")
    assert [r["document_id"] for r in rows] == ["d3"]
    assert await _query(ds, "documents_mentioning_both", entity1="NATO", entity2="Yermak") == []


async def test_weapons_mentioned_per_month(ds):
    rows = await _query(ds, "weapons_per_month")
    assert [(r["month"], r["entity_id"], r["mentions"], r["documents"]) for r in rows] == [
        ("2024-06", "atacms", 3, 2), ("2024-06", "storm-shadow", 1, 1), ("2024-05", "storm-shadow", 3, 1),
    ]


@pytest.mark.parametrize("entity", ["jens-stoltenberg", "Q999000002", "jens stoltenberg"])
async def test_entities_co_mentioned_with_an_entity(ds, entity):
    rows = await _query(ds, "entities_co_mentioned", entity=entity)
    assert [(r["entity_id"], r["documents"]) for r in rows] == [
        ("storm-shadow", 2), ("vladimir-putin", 2),  # ties broken by label
        ("nil:andriy-yermak", 1), ("nil:dmitry-peskov", 1), ("atacms", 1),
    ]
    assert rows[0] == {"entity_id": "storm-shadow", "label": "Storm Shadow", "qid": None,
                       "type": "WEAPON", "documents": 2}
    assert rows[1]["qid"] == "Q999000001"


async def test_most_mentioned_weapons(ds):
    rows = await _query(ds, "most_mentioned_weapons")
    assert [(r["entity_id"], r["mentions"], r["documents"]) for r in rows] == [
        ("storm-shadow", 4, 2), ("atacms", 3, 2)
    ]


async def test_unresolved_names_by_mention_count(ds):
    rows = await _query(ds, "unresolved_names")
    assert [(r["label"], r["mentions"], r["documents"]) for r in rows] == [
        ("Dmitry Peskov", 3, 2), ("Andriy Yermak", 1, 1)
    ]


async def test_entity_search(ds):
    rows = await _query(ds, "entity_search", q="secretary")
    assert [r["entity_id"] for r in rows] == ["jens-stoltenberg"]
    rows = await _query(ds, "entity_search", q="missile")
    assert sorted(r["entity_id"] for r in rows) == ["atacms", "storm-shadow"]
    assert await _query(ds, "entity_search", q="") == []


@pytest.mark.parametrize("qid", ["Q999000003", "q999000003 "])
async def test_lookup_by_qid(ds, qid):
    rows = await _query(ds, "entity_by_qid", qid=qid)
    assert [(r["entity_id"], r["wikidata_url"]) for r in rows] == [
        ("nato", "https://www.wikidata.org/wiki/Q999000003")
    ]
    table = await _json(ds, "/kb/entities.json?_shape=array&qid=Q999000003")
    assert [r["id"] for r in table] == ["nato"]


async def test_an_unknown_qid_is_an_empty_result(ds):
    assert await _query(ds, "entity_by_qid", qid="Q999999999") == []
    assert await _json(ds, "/kb/entities.json?_shape=array&qid=Q999999999") == []
    assert (await ds.client.get("/kb/entities?qid=Q999999999")).status_code == 200


async def test_query_results_link_to_entity_and_document_pages(ds):
    html = (await ds.client.get("/kb/documents_mentioning_entity?entity=Peskov")).text
    assert '<a href="/kb/documents/d1">d1</a>' in html
    html = (await ds.client.get("/kb/find_entity?entity=Peskov")).text
    assert '<a href="/kb/entities/nil~3Admitry-peskov">nil:dmitry-peskov</a>' in html


@pytest.mark.parametrize("name", list(load_metadata("kb.db")["databases"]["kb"]["queries"]))
async def test_canned_query_pages_render_without_parameters(ds, name):
    response = await ds.client.get(f"/kb/{name}")
    assert response.status_code == 200, response.text[:500]


async def test_canned_queries_listed_with_titles(ds):
    html = (await ds.client.get("/kb")).text
    for title in ("Find an entity", "Entity by Wikidata QID", "Documents mentioning an entity",
                  "Documents mentioning both of two entities", "Entities co-mentioned with an entity",
                  "Weapons mentioned per month", "Most mentioned weapons", "Unresolved names",
                  "Entity search"):
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


@pytest.mark.slow
def test_kb_serve_answers_over_http(db_path):
    port = free_port()
    with running(kb_serve_command(db_path, port), port) as (base, process):
        response = httpx.get(base + "/")
        assert response.status_code == 200
        assert TITLE in response.text
        settings = httpx.get(base + "/-/settings.json").json()
        assert {key: settings[key] for key in PUBLISH_SETTINGS} == PUBLISH_SETTINGS
    output = process.output
    assert f"Serving {db_path} at http://127.0.0.1:{port}/" in output
    assert "warning" not in output


@pytest.mark.slow
def test_plain_datasette_with_the_metadata_serves_the_same_site(db_path, tmp_path):
    """`datasette kb.db -m metadata.yml` loads kb's plugin through its entry point: the same
    entity pages, JSON-LD and reconciliation as `kb serve`. The entry point is declared here in
    a throwaway distribution, as pip would from pyproject.toml, so a stale install cannot hide
    a broken declaration."""
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.datasette]\nkb = "kb.publish"' in pyproject
    dist = tmp_path / "site" / "kb_entry_point-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kb-entry-point\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text("[datasette]\nkb = kb.publish\n")
    port = free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(db_path), "-m", str(REPO / "metadata.yml"),
               "-h", "127.0.0.1", "-p", str(port)]
    with running(command, port, env=child_env(str(tmp_path / "site"))) as (base, _):
        page = httpx.get(base + "/kb/entities/nil:dmitry-peskov")
        assert page.status_code == 200 and "Unresolved entity" in page.text
        assert "application/ld+json" in page.text
        jsonld = httpx.get(base + "/kb/entities/vladimir-putin.jsonld")
        assert jsonld.headers["content-type"] == "application/ld+json"
        manifest = httpx.get(base + "/kb/entities/-/reconcile").json()
        assert manifest["versions"] == ["0.2"]
        rows = httpx.get(base + "/kb/find_entity.json?_shape=array&entity=Putin").json()
        assert [r["entity_id"] for r in rows] == ["vladimir-putin"]


def test_serve_warns_when_listening_beyond_loopback(db_path, monkeypatch, capsys):
    import kb.publish.site as site

    calls = []
    monkeypatch.setattr(site.uvicorn, "run", lambda app, **options: calls.append(options))
    site.serve(db_path, host="0.0.0.0", port=9999)
    assert "warning: 0.0.0.0 is reachable from other machines" in capsys.readouterr().out
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["h11_max_incomplete_event_size"] > 0
    site.serve(db_path)
    assert calls[1]["host"] == "127.0.0.1"
    assert "warning" not in capsys.readouterr().out
