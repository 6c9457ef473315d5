"""Entity and document pages, JSON-LD, and the answers to bad URLs (kb's Datasette plugin)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from kb.publish.linked_data import script_tag
from kb.publish.pages import highlight, marked_text, safe_url, visible_text

JSONLD = "application/ld+json"


async def _page(ds, path: str, status: int = 200, **headers) -> str:
    response = await ds.client.get(path, headers=headers, follow_redirects=True)
    assert response.status_code == status, f"{path}: {response.status_code} {response.text[:300]}"
    return response.text


def _article(html: str) -> str:
    """The kb part of a page (between <article> tags)."""
    match = re.search(r"<article.*?</article>", html, re.S)
    assert match, "no <article> in the page"
    return match.group()


def _text(html: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    parts: list[str] = []

    class Collector(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

    Collector().feed(html)
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


# --- entity page -----------------------------------------------------------------------------


async def test_entity_page_shows_label_type_description_qid_and_aliases(ds):
    article = _article(await _page(ds, "/kb/entities/nato"))
    text = _text(article)
    assert text.startswith("NATO Organisation")
    assert "North Atlantic alliance" in text
    assert '<a href="https://www.wikidata.org/wiki/Q999000003">Q999000003</a>' in article
    assert "Also known as North Atlantic Treaty Organization" in text
    assert "Mentions 2 in 2 documents" in text
    assert "Unresolved" not in text


async def test_entity_page_shows_key_claims_in_order(ds):
    article = _article(await _page(ds, "/kb/entities/vladimir-putin"))
    claims = re.findall(r'<dt>([a-z ]+)</dt><dd><a href="https://www.wikidata.org/wiki/(Q\d+)">([^<]+)</a></dd>', article)
    assert claims == [("instance of", "Q5", "human"), ("citizenship", "Q159", "Russia")]
    assert "not shown" not in article


async def test_entity_page_lists_every_mention_in_context_linked_to_its_document(ds):
    article = _article(await _page(ds, "/kb/entities/storm-shadow"))
    items = re.findall(r"<li><q>(.*?)</q>\s*— <a href=\"([^\"]+)\">([^<]+)</a>", article, re.S)
    assert len(items) == 4
    assert [(href, title) for _, href, title in items] == [
        ("/kb/documents/d2", "Stoltenberg on long-range strikes"),
        ("/kb/documents/d1", "Kremlin answers Stoltenberg"),
        ("/kb/documents/d1", "Kremlin answers Stoltenberg"),
        ("/kb/documents/d1", "Kremlin answers Stoltenberg"),
    ]
    assert all(context.count("<mark>Storm Shadow</mark>") == 1 for context, _, _ in items)
    # the second mention in the same sentence highlights the second occurrence
    d1 = [context for context, href, _ in items if href.endswith("d1")]
    assert "Storm Shadow missiles hit Crimea; Peskov called <mark>Storm Shadow</mark>" in d1[2]
    assert "<mark>Storm Shadow</mark> missiles hit Crimea" in d1[1]


async def test_entity_page_shows_co_mentioned_entities_and_mentions_by_month(ds):
    article = _article(await _page(ds, "/kb/entities/atacms"))
    co = re.findall(r'<li><a class="kb-mention kb-type-\w+" href="([^"]+)">([^<]+)</a>\s*— (\d+)', article)
    assert ("/kb/entities/jens-stoltenberg", "Jens Stoltenberg", "1") in co
    assert ("/kb/entities/nil~3Admitry-peskov", "Dmitry Peskov", "1") in co
    assert ("/kb/entities/nato", "NATO", "1") in co
    months = re.findall(r"<tr><td>(\d{4}-\d\d)</td><td>(\d+)</td>", article)
    assert months == [("2024-06", "3")]


async def test_mentions_over_time_count_each_month(ds):
    article = _article(await _page(ds, "/kb/entities/vladimir-putin"))
    assert re.findall(r"<tr><td>(\d{4}-\d\d)</td><td>(\d+)</td>", article) == [("2024-05", "2"), ("2024-06", "2")]


@pytest.mark.parametrize("path", ["/kb/entities/nil:dmitry-peskov", "/kb/entities/nil~3Admitry-peskov",
                                  "/kb/entities/nil%3Admitry-peskov"])
async def test_unresolved_entity_page_says_so_and_ids_with_colons_work(ds, path):
    article = _article(await _page(ds, path))
    text = _text(article)
    assert text.startswith("Dmitry Peskov Person")
    assert "Unresolved entity." in text
    assert "Wikidata none" in text
    assert "Mentions 3 in 2 documents" in text


async def test_unknown_entity_and_document_answer_404(ds):
    html = await _page(ds, "/kb/entities/nobody", status=404)
    assert "Record not found" in html
    await _page(ds, "/kb/documents/nothing", status=404)
    await _page(ds, "/kb/entities/nobody.jsonld", status=404)


# --- document page ---------------------------------------------------------------------------


async def test_document_page_shows_metadata_and_linked_mentions(ds):
    article = _article(await _page(ds, "/kb/documents/d2"))
    text = _text(article)
    assert text.startswith("Stoltenberg on long-range strikes Source AFP Published 2024-06-02")
    assert '<a href="https://example.org/d2" rel="nofollow noopener">https://example.org/d2</a>' in article
    links = re.findall(r'<a class="kb-mention kb-type-(\w+)" href="([^"]+)" title="[^"]*">([^<]+)</a>', article)
    assert links == [
        ("PERSON", "/kb/entities/jens-stoltenberg", "Stoltenberg"),
        ("WEAPON", "/kb/entities/atacms", "ATACMS"),
        ("WEAPON", "/kb/entities/storm-shadow", "Storm Shadow"),
        ("PERSON", "/kb/entities/jens-stoltenberg", "Stoltenberg"),
        ("PERSON", "/kb/entities/nil~3Aandriy-yermak", "Yermak"),
        ("PERSON", "/kb/entities/vladimir-putin", "Putin"),
    ]
    legend = re.search(r'<p class="kb-legend">(.*?)</p>', article, re.S).group(1)
    assert _text(legend) == "Person Weapon system"
    assert "Stoltenberg backed ATACMS and Storm Shadow deliveries." in _text(article)


async def test_hostile_document_renders_as_text(ds):
    html = await _page(ds, "/kb/documents/hostile")
    article = _article(html)
    assert "<script>window" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;window.kbPwned = 1&lt;/script&gt;" in article
    assert "&lt;img src=x onerror=" in article
    assert "[U+202E]evil[U+202C]" in article and "\u202e" not in html
    assert "Hostile &lt;b&gt;title&lt;/b&gt;&lt;script&gt;" in article
    assert "<code>javascript:window.kbPwned = 5</code>" in article  # shown, not linked


def test_page_helpers_escape_and_refuse_unsafe_urls():
    assert safe_url("javascript:alert(1)") is None and safe_url(" https://a.example/x ") == "https://a.example/x"
    assert safe_url("data:text/html,hi") is None and safe_url(None) is None
    assert str(visible_text("a<b>\u202ec")) == "a&lt;b&gt;[U+202E]c"
    assert str(highlight("A and A.", "A", 1)) == "A and <mark>A</mark>."
    assert str(highlight("no match", "zz")) == "no match"
    marked = marked_text("<i>Putin</i>", [(3, 8, "PERSON", "p"), (4, 6, "PERSON", None)], lambda e: f"/e/{e}")
    assert str(marked) == '&lt;i&gt;<a class="kb-mention kb-type-PERSON" href="/e/p" title="PERSON: p">Putin</a>&lt;/i&gt;'


# --- JSON-LD ---------------------------------------------------------------------------------


async def test_entity_jsonld_by_extension(ds):
    response = await ds.client.get("/kb/entities/vladimir-putin.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == JSONLD
    node = response.json()
    assert node["@context"]["@vocab"] == "https://schema.org/"
    assert node["@type"] == "Person" and node["name"] == "Vladimir Putin"
    assert node["alternateName"] == ["Putin"]
    assert node["description"] == "President of Russia"
    assert node["sameAs"] == "http://www.wikidata.org/entity/Q999000001"
    assert node["@id"] == "http://localhost/kb/entities/vladimir-putin"
    assert [d["@id"].rsplit("/", 1)[1] for d in node["subjectOf"]] == ["d1", "d2", "hostile"]
    assert node["subjectOf"][0] == {"@id": "http://localhost/kb/documents/d1", "@type": "NewsArticle",
                                    "headline": "Kremlin answers Stoltenberg",
                                    "url": "https://example.org/d1", "datePublished": "2024-05-01"}


async def test_page_jsonld_parses_as_rdf_with_wikidata_identity(ds):
    from rdflib import Graph, URIRef

    response = await ds.client.get("/kb/entities/vladimir-putin.jsonld")
    graph = Graph().parse(data=response.text, format="json-ld")
    putin = URIRef("http://localhost/kb/entities/vladimir-putin")
    same_as = URIRef("https://schema.org/sameAs")
    assert list(graph.objects(putin, same_as)) == [URIRef("http://www.wikidata.org/entity/Q999000001")]
    assert len(list(graph.objects(putin, URIRef("https://schema.org/subjectOf")))) == 3


async def test_jsonld_types_and_unresolved_entities_have_no_same_as(ds):
    weapon = (await ds.client.get("/kb/entities/atacms.jsonld")).json()
    assert weapon["@type"] == "Product" and weapon["category"] == "tactical ballistic missile"
    assert "sameAs" not in weapon
    assert (await ds.client.get("/kb/entities/nato.jsonld")).json()["@type"] == "Organization"
    unresolved = (await ds.client.get("/kb/entities/nil~3Admitry-peskov.jsonld")).json()
    assert unresolved["name"] == "Dmitry Peskov" and "sameAs" not in unresolved
    assert unresolved["@id"].endswith("/kb/entities/nil~3Admitry-peskov")


async def test_jsonld_by_content_negotiation(ds):
    response = await ds.client.get("/kb/entities/nato", headers={"Accept": JSONLD})
    assert response.status_code == 200 and response.headers["content-type"] == JSONLD
    assert response.json()["name"] == "NATO"
    response = await ds.client.get("/kb/entities/nil:dmitry-peskov", headers={"Accept": JSONLD})
    assert response.json()["name"] == "Dmitry Peskov"
    assert response.headers["vary"] == "Accept"
    browser = "text/html,application/xhtml+xml,application/ld+json;q=0.5,*/*;q=0.8"
    assert (await ds.client.get("/kb/entities/nato", headers={"Accept": browser})).headers[
        "content-type"].startswith("text/html")


async def test_jsonld_is_embedded_in_the_entity_page(ds):
    html = await _page(ds, "/kb/entities/jens-stoltenberg")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    node = json.loads(scripts[0])
    assert node["name"] == "Jens Stoltenberg" and node["sameAs"].endswith("/Q999000002")
    # only entity rows have JSON-LD
    assert "ld+json" not in await _page(ds, "/kb/documents/d1")
    await _page(ds, "/kb/documents/d1.jsonld", status=404)


def test_embedded_jsonld_cannot_close_its_script():
    tag = str(script_tag({"name": "</script><script>alert(1)</script> & more"}))
    assert tag.count("</script>") == 1 and "<script>alert" not in tag
    assert json.loads(tag.split(">", 1)[1].rsplit("<", 1)[0])["name"].startswith("</script>")


# --- front page and errors -------------------------------------------------------------------


async def test_front_page_has_a_search_box_for_entities_and_documents(ds):
    html = await _page(ds, "/")
    form = re.search(r'<form class="kb-search" action="/kb/entities".*?</form>', html, re.S).group()
    assert 'name="_search"' in form and 'formaction="/kb/documents"' in form
    rows = (await ds.client.get("/kb/entities.json?_search=secretary&_shape=array")).json()
    assert [r["id"] for r in rows] == ["jens-stoltenberg"]


@pytest.mark.parametrize("path", ["/nope", "/kb/nope", "/kb/entities/nope", "/kb/nope/1",
                                  "/-/static/../../etc/passwd", "/-/nope", "/kb/documents/nope.json"])
async def test_unknown_tables_rows_and_pages_answer_404(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["_sort=nope", "_sort_desc=nope", "_facet=nope", "_size=abc",
                                   "_through=x", "_through=%7B%7D", "_where=x", "_search=%22",
                                   "_col=nope", "_timelimit=abc"])
async def test_bad_parameters_answer_400_with_a_readable_message(ds, query):
    response = await ds.client.get(f"/kb/entities?{query}")
    assert response.status_code == 400, response.text[:300]
    assert "<html" in response.text and "Error 500" not in response.text
    json_response = await ds.client.get(f"/kb/entities.json?{query}")
    assert json_response.status_code == 400
    assert json_response.json()["error"]


async def test_sort_on_a_missing_column_names_it(ds):
    response = await ds.client.get("/kb/entities?_sort=nope")
    assert "Cannot sort table by nope" in response.text


ODD_PATHS = ["/", "/kb", "/kb/entities", "/kb/documents", "/kb/mentions", "/kb/entities/nato", "/kb/documents/d1",
             "/kb/find_entity", "/kb/documents_mentioning_both", "/kb/entities.jsonld", "/kb/entities/nato.csv",
             "/kb/entities/-/reconcile", "/kb/entities.csv", "/kb/entities/nato.json", "/kb/co_mentions"]
ODD_PARAMETERS = ["_sort=x", "_sort_desc=label", "_facet=type&_facet=nope", "_size=-1", "_size=99999", "_next=%00",
                  "_search=%28", "_searchmode=raw&_search=%22a", "_shape=nope", "_col=id&_nocol=id",
                  "_where=1%3D1%20union%20select", "id__nope=2", "_facet_date=label", "_facet_array=label",
                  "_through=%7B%22table%22%3A1%7D", "entity=%00", "_stream=on", "queries=%7B%7D", "_timelimit=-5",
                  "_ttl=-1", "_size=max&_stream=1", "_sort=label&_next=%22", "_facet_size=-3", "label__gt=%FF",
                  "id__in=%5B1,", "_extras=foreign_key_tables,nope"]


@pytest.mark.slow
async def test_odd_urls_never_answer_500(ds):
    failures = []
    for path in ODD_PATHS:
        for parameters in ODD_PARAMETERS:
            response = await ds.client.get(f"{path}?{parameters}")
            if response.status_code >= 500:
                failures.append((response.status_code, f"{path}?{parameters}"))
    assert failures == []
