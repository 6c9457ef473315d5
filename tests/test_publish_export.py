"""`kb export`: the whole knowledge base as Turtle, JSON-LD and CSV, parsed back."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner
from rdflib import OWL, RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kb.cli import cli
from kb.publish import export as export_module
from publish_site import DOCUMENTS, ENTITIES

SCHEMA = Namespace("https://schema.org/")
BASE = "https://kb.example.org/"
MENTIONS = sum(len(names) for *_, names in DOCUMENTS)



def _export(db_path: Path, fmt: str, output: Path, *extra: str):
    result = CliRunner().invoke(cli, ["export", str(db_path), "--format", fmt, "-o", str(output),
                                      "--base-url", BASE, *extra])
    assert result.exit_code == 0, result.output
    return result


def _entity(entity_id: str) -> URIRef:
    return URIRef(f"{BASE}kb/entities/{entity_id.replace(':', '~3A')}")


def test_turtle_round_trip(db_path, tmp_path):
    result = _export(db_path, "ttl", tmp_path / "kb.ttl")
    assert f"exported {len(ENTITIES)} entities, {len(DOCUMENTS)} documents, {MENTIONS} mentions as ttl" in result.output
    graph = Graph().parse(tmp_path / "kb.ttl", format="turtle")
    putin = _entity("vladimir-putin")
    assert (putin, RDF.type, SCHEMA.Person) in graph
    assert (putin, SCHEMA.name, Literal("Vladimir Putin")) in graph
    assert (putin, SCHEMA.alternateName, Literal("Putin")) in graph
    wikidata = URIRef("http://www.wikidata.org/entity/Q999000001")
    assert (putin, OWL.sameAs, wikidata) in graph and (putin, SCHEMA.sameAs, wikidata) in graph
    assert set(graph.objects(putin, SCHEMA.subjectOf)) == {
        URIRef(f"{BASE}kb/documents/{d}") for d in ("d1", "d2", "hostile")
    }
    assert len(set(graph.subjects(RDF.type, SCHEMA.NewsArticle))) == len(DOCUMENTS)
    assert len(set(graph.subjects(RDF.type, SCHEMA.Quotation))) == MENTIONS
    assert (_entity("atacms"), RDF.type, SCHEMA.Product) in graph
    peskov = _entity("nil:dmitry-peskov")
    assert (peskov, SCHEMA.name, Literal("Dmitry Peskov")) in graph
    assert not list(graph.objects(peskov, OWL.sameAs)) and not list(graph.objects(peskov, SCHEMA.sameAs))
    hostile = URIRef(f"{BASE}kb/documents/hostile")
    assert str(graph.value(hostile, SCHEMA.text)).startswith("Putin <script>")


def test_jsonld_export_is_the_same_graph_as_turtle(db_path, tmp_path):
    _export(db_path, "ttl", tmp_path / "kb.ttl")
    _export(db_path, "jsonld", tmp_path / "kb.jsonld")
    turtle = Graph().parse(tmp_path / "kb.ttl", format="turtle")
    jsonld = Graph().parse(tmp_path / "kb.jsonld", format="json-ld")
    assert len(jsonld) == len(turtle) > 100
    assert isomorphic(turtle, jsonld)


def test_export_streams_in_batches(db_path, tmp_path, monkeypatch):
    """Many small batches (prefixes repeated, nodes split) still parse to the same graph."""
    _export(db_path, "ttl", tmp_path / "one.ttl")
    monkeypatch.setattr(export_module, "BATCH", 2)
    _export(db_path, "ttl", tmp_path / "many.ttl")
    _export(db_path, "jsonld", tmp_path / "many.jsonld")
    assert (tmp_path / "many.ttl").read_text().count("@prefix schema:") > 5
    one = Graph().parse(tmp_path / "one.ttl", format="turtle")
    assert isomorphic(one, Graph().parse(tmp_path / "many.ttl", format="turtle"))
    assert isomorphic(one, Graph().parse(tmp_path / "many.jsonld", format="json-ld"))


def test_csv_export_writes_one_file_per_table(db_path, tmp_path):
    _export(db_path, "csv", tmp_path / "csv")
    files = {
        p.name: list(csv.DictReader(p.read_text(encoding="utf-8").splitlines()))
        for p in (tmp_path / "csv").glob("*.csv")
    }
    assert set(files) == {"entities.csv", "aliases.csv", "documents.csv", "mentions.csv"}
    entities = {row["id"]: row for row in files["entities.csv"]}
    assert set(entities) == {e.id for e in ENTITIES}
    assert entities["nato"]["aliases"] == "North Atlantic Treaty Organization"
    assert entities["nato"]["wikidata_url"] == "https://www.wikidata.org/wiki/Q999000003"
    assert ("atacms", "ATACMS") in {(r["entity_id"], r["alias"]) for r in files["aliases.csv"]}
    assert len(files["documents.csv"]) == len(DOCUMENTS) and len(files["mentions.csv"]) == MENTIONS
    assert files["documents.csv"][1]["text"].startswith("Stoltenberg backed")


def test_turtle_to_stdout(db_path):
    result = CliRunner().invoke(cli, ["export", str(db_path), "--format", "ttl"])
    assert result.exit_code == 0
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (URIRef("http://127.0.0.1:8001/kb/entities/nato"), SCHEMA.name, Literal("NATO")) in graph


def test_export_errors_are_clear(tmp_path, db_path):
    missing = CliRunner().invoke(cli, ["export", str(tmp_path / "missing.db"), "--format", "ttl"])
    assert missing.exit_code == 1 and "database file not found" in missing.output
    no_dir = CliRunner().invoke(cli, ["export", str(db_path), "--format", "csv"])
    assert no_dir.exit_code == 1 and "give -o DIRECTORY" in no_dir.output
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = CliRunner().invoke(cli, ["export", str(empty), "--format", "ttl"])
    assert result.exit_code == 1 and "not a kb database" in result.output
