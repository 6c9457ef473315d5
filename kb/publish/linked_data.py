"""Entities and documents as Linked Data: schema.org JSON-LD, and RDF triples with rdflib.

One mapping serves the entity pages (JSON-LD in the page and at ``.jsonld``) and `kb export`
(Turtle or JSON-LD for the whole database): kb types become schema.org classes, aliases
``alternateName``, the Wikidata QID ``sameAs`` the Wikidata concept URI, and the documents that
mention an entity its ``subjectOf``. Unresolved entities have no ``sameAs``: nothing says what
they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote

from datasette.utils import tilde_encode
from markupsafe import Markup
from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef

SCHEMA = Namespace("https://schema.org/")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
JSONLD_TYPE = "application/ld+json"
#: kb entity type → schema.org class.
SCHEMA_TYPES = {
    "PERSON": "Person",
    "ORG": "Organization",
    "GPE": "Place",
    "LOC": "Place",
    "WEAPON": "Product",
    "PRODUCT": "Product",
    "WORK": "CreativeWork",
    "EVENT": "Event",
}
#: schema.org as the vocabulary; ``sameAs`` holds IRIs (the Wikidata concept), not strings.
CONTEXT = {
    "@vocab": "https://schema.org/",
    "owl": str(OWL),
    "sameAs": {"@id": "https://schema.org/sameAs", "@type": "@id"},
}


def wikidata_entity(qid: str | None) -> str | None:
    """The Wikidata concept URI of a QID (what ``sameAs`` points to), or None."""
    return f"{WIKIDATA_ENTITY}{qid}" if qid else None


def row_url(base: str, database: str, table: str, key: str) -> str:
    """The Datasette row URL of ``key`` under ``base`` (ids are tilde-encoded, as Datasette
    expects, so ids with ':' '.' or '/' work)."""
    return f"{base.rstrip('/')}/{quote(database)}/{table}/{tilde_encode(key)}"


def schema_type(entity_type: str) -> str:
    """The schema.org class of a kb entity type (``Thing`` for the rest)."""
    return SCHEMA_TYPES.get(entity_type, "Thing")


def entity_jsonld(entity: dict, documents: Iterable[dict], base: str, database: str) -> dict:
    """The schema.org JSON-LD object of an entity (a dict from ``pages.entity_summary``).

    ``documents`` are the documents that mention it (``id``, ``title``, ``url``,
    ``published``), given as ``subjectOf``.
    """
    node = {
        "@context": CONTEXT,
        "@id": row_url(base, database, "entities", entity["id"]),
        "@type": schema_type(entity["type"]),
        "identifier": entity["id"],
        "name": entity["label"],
    }
    if entity["aliases"]:
        node["alternateName"] = list(entity["aliases"])
    if entity["description"]:
        node["description"] = entity["description"]
    if entity["type"] == "WEAPON":
        node["category"] = entity["description"] or "weapon system"
    if entity["qid"] and not entity["unresolved"]:
        node["sameAs"] = wikidata_entity(entity["qid"])
    node["subjectOf"] = [document_jsonld(d, base, database) for d in documents]
    return node


def document_jsonld(document: dict, base: str, database: str) -> dict:
    """A document as a schema.org ``NewsArticle`` reference."""
    node = {
        "@id": row_url(base, database, "documents", document["id"]),
        "@type": "NewsArticle",
        "headline": document.get("title") or document["id"],
    }
    if document.get("url"):
        node["url"] = document["url"]
    if document.get("published"):
        node["datePublished"] = document["published"]
    return node


def script_tag(node: dict) -> Markup:
    """``node`` as a ``<script type="application/ld+json">`` safe to embed in HTML: ``<``,
    ``>`` and ``&`` are escaped, so no text in the data can close the script."""
    text = json.dumps(node, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="{JSONLD_TYPE}">\n{text}\n</script>')


def entity_triples(graph: Graph, entity: dict, base: str, database: str) -> None:
    """Add an entity's triples to ``graph``: class, names, description, Wikidata identity
    (both ``schema:sameAs`` and ``owl:sameAs``)."""
    subject = URIRef(row_url(base, database, "entities", entity["id"]))
    graph.add((subject, RDF.type, SCHEMA[schema_type(entity["type"])]))
    graph.add((subject, SCHEMA.identifier, Literal(entity["id"])))
    graph.add((subject, SCHEMA.name, Literal(entity["label"])))
    for alias in entity["aliases"]:
        graph.add((subject, SCHEMA.alternateName, Literal(alias)))
    if entity["description"]:
        graph.add((subject, SCHEMA.description, Literal(entity["description"])))
    if entity["type"] == "WEAPON":
        graph.add((subject, SCHEMA.category, Literal(entity["description"] or "weapon system")))
    if entity["qid"] and not entity["unresolved"]:
        wikidata = URIRef(wikidata_entity(entity["qid"]))
        graph.add((subject, SCHEMA.sameAs, wikidata))
        graph.add((subject, OWL.sameAs, wikidata))


def document_triples(graph: Graph, document: dict, base: str, database: str) -> None:
    """Add a document's triples: a ``schema:NewsArticle`` with headline, url, date, publisher
    and text."""
    subject = URIRef(row_url(base, database, "documents", document["id"]))
    graph.add((subject, RDF.type, SCHEMA.NewsArticle))
    graph.add((subject, SCHEMA.identifier, Literal(document["id"])))
    graph.add((subject, SCHEMA.headline, Literal(document["title"] or document["id"])))
    if document["url"]:
        graph.add((subject, SCHEMA.url, Literal(document["url"], datatype=XSD.anyURI)))
    if document["published"]:
        graph.add((subject, SCHEMA.datePublished, Literal(document["published"])))
    if document["source"]:
        graph.add((subject, SCHEMA.publisher, Literal(document["source"])))
    graph.add((subject, SCHEMA.text, Literal(document["text"])))


def mention_triples(graph: Graph, mention: dict, base: str, database: str) -> None:
    """Add a mention: the document ``schema:mentions`` the entity, the entity is
    ``schema:subjectOf`` the document, and the mention itself (a ``schema:Quotation`` of the
    name, with its offsets) says where."""
    document = URIRef(row_url(base, database, "documents", mention["document_id"]))
    subject = URIRef(row_url(base, database, "mentions", str(mention["id"])))
    graph.add((subject, RDF.type, SCHEMA.Quotation))
    graph.add((subject, SCHEMA.text, Literal(mention["text"])))
    graph.add((subject, SCHEMA.isPartOf, document))
    graph.add((subject, SCHEMA.position, Literal(mention["start"])))
    graph.add((subject, SCHEMA.additionalType, Literal(mention["label"])))
    if mention["entity_id"]:
        entity = URIRef(row_url(base, database, "entities", mention["entity_id"]))
        graph.add((subject, SCHEMA.about, entity))
        graph.add((document, SCHEMA.mentions, entity))
        graph.add((entity, SCHEMA.subjectOf, document))


def new_graph() -> Graph:
    """An empty graph with the schema, owl and Wikidata prefixes bound."""
    graph = Graph()
    graph.bind("schema", SCHEMA)
    graph.bind("owl", OWL)
    graph.bind("wd", Namespace(WIKIDATA_ENTITY))
    return graph
