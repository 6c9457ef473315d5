"""`kb export`: the whole knowledge base (entities, aliases, documents, mentions) as Turtle,
JSON-LD or CSV, streamed in batches so a large database never sits in memory at once.

RDF uses the same mapping as the site (:mod:`.linked_data`): node IRIs are the site's row URLs
under ``base_url``, so an export and the served pages name things alike. Each batch is its own
small rdflib graph; Turtle allows prefix declarations to repeat, and JSON-LD nodes with the same
``@id`` merge, so concatenating the batches gives one valid document.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rdflib import Graph

from .linked_data import CONTEXT, document_triples, entity_triples, mention_triples, new_graph
from .pages import entity_summary, knowledge_base
from .site import check_database, database_name

FORMATS = ("ttl", "jsonld", "csv")
DEFAULT_BASE_URL = "http://127.0.0.1:8001/"
BATCH = 500
CSV_TABLES = ("entities", "aliases", "documents", "mentions")


def export(db_path: str | Path, fmt: str, out: TextIO | None = None, directory: Path | None = None,
           base_url: str = DEFAULT_BASE_URL) -> dict[str, int]:
    """Write the database at ``db_path`` in ``fmt`` to ``out`` (ttl, jsonld) or as one CSV
    file per table into ``directory`` (csv). Returns how many of each kind were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    path = check_database(db_path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if fmt == "csv":
            if directory is None:
                raise ValueError("csv export writes one file per table: give -o DIRECTORY")
            return write_csv(conn, Path(directory))
        graphs = rdf_batches(conn, base_url, database_name(path), counts := {})
        (write_turtle if fmt == "ttl" else write_jsonld)(graphs, out)
        return counts
    except sqlite3.DatabaseError as error:
        raise ValueError(f"{path}: not a kb database ({error})") from error
    finally:
        conn.close()


def entity_records(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every entity with its aliases, through the knowledge base, in id order."""
    kb = knowledge_base(conn)
    for row in kb.db["entities"].rows_where(select="id", order_by="id"):
        entity = kb.get(row["id"])
        if entity is not None:
            yield entity_summary(entity)


def rows(conn: sqlite3.Connection, sql: str) -> Iterator[dict]:
    """The rows of a query on the store's tables as dicts, fetched lazily."""
    cursor = conn.execute(sql)
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))


def documents(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every document, in id order."""
    return rows(conn, "SELECT id, title, url, published, source, text FROM documents ORDER BY id")


def mentions(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every mention, in document and text order."""
    return rows(conn, 'SELECT id, document_id, start, "end", text, label, entity_id, score FROM mentions'
                      " ORDER BY document_id, start")


def rdf_batches(conn: sqlite3.Connection, base: str, database: str, counts: dict) -> Iterator[Graph]:
    """Graphs of at most :data:`BATCH` entities, documents or mentions each; ``counts`` is
    filled in as they go."""
    kinds = (
        ("entities", entity_records(conn), entity_triples),
        ("documents", documents(conn), document_triples),
        ("mentions", mentions(conn), mention_triples),
    )
    for kind, records, add in kinds:
        counts[kind] = 0
        graph = new_graph()
        for record in records:
            add(graph, record, base, database)
            counts[kind] += 1
            if counts[kind] % BATCH == 0:
                yield graph
                graph = new_graph()
        if len(graph):
            yield graph


def write_turtle(graphs: Iterator[Graph], out: TextIO) -> None:
    """Concatenate the batches' Turtle (repeated @prefix lines are valid Turtle)."""
    for graph in graphs:
        out.write(graph.serialize(format="turtle"))
        out.write("\n")


def write_jsonld(graphs: Iterator[Graph], out: TextIO) -> None:
    """One JSON-LD document: the shared context and every batch's nodes in one ``@graph``."""
    out.write('{\n"@context": ' + json.dumps(CONTEXT) + ',\n"@graph": [\n')
    first = True
    for graph in graphs:
        compacted = json.loads(graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True))
        nodes = compacted.get("@graph", [compacted] if "@id" in compacted else [])
        for node in nodes:
            node.pop("@context", None)
            out.write(("" if first else ",\n") + json.dumps(node, ensure_ascii=False))
            first = False
    out.write("\n]\n}\n")


def write_csv(conn: sqlite3.Connection, directory: Path) -> dict[str, int]:
    """entities.csv (aliases joined by |), aliases.csv, documents.csv and mentions.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    tables = {
        "entities": (dict(e, aliases="|".join(e["aliases"])) for e in entity_records(conn)),
        "aliases": ({"entity_id": e["id"], "alias": alias}
                    for e in entity_records(conn) for alias in [e["label"], *e["aliases"]]),
        "documents": documents(conn),
        "mentions": mentions(conn),
    }
    for name in CSV_TABLES:
        counts[name] = write_rows(directory / f"{name}.csv", tables[name])
    return counts


def write_rows(path: Path, records: Iterator[dict]) -> int:
    """Write dicts as CSV with a header from the first one; returns how many rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = None
        for record in records:
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(record))
                writer.writeheader()
            writer.writerow(record)
            count += 1
    return count
