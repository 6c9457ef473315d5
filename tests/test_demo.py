"""What `make demo` does, end to end: build the bundled examples, then browse the result."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.publish import make_datasette

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("demo") / "kb.db"
    result = CliRunner().invoke(cli, ["build", str(EXAMPLES), "--db", str(db_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output
    return db_path


def test_rebuilding_the_examples_does_no_work(demo_db):
    result = CliRunner().invoke(cli, ["build", str(EXAMPLES), "--db", str(demo_db), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "(0 processed" in result.output


async def test_demo_site_answers_the_canned_queries(demo_db):
    datasette = make_datasette(demo_db)
    index = await datasette.client.get("/")
    assert index.status_code == 200
    response = await datasette.client.get(
        "/kb/documents_mentioning_entity.json?entity=NATO&_shape=objects"
    )
    assert response.status_code == 200
    titles = {row["title"] for row in response.json()["rows"]}
    assert "Allies weigh long-range strikes" in titles
    weapons = await datasette.client.get("/kb/most_mentioned_weapons.json?_shape=objects")
    names = {row.get("label") or row.get("name") for row in weapons.json()["rows"]}
    assert {"MGM-140 ATACMS", "Storm Shadow"} <= names
    stoltenberg = await datasette.client.get("/kb/entities.json?qid=Q57665&_shape=objects")
    [row] = stoltenberg.json()["rows"]
    assert row["wikidata_url"] == "https://www.wikidata.org/wiki/Q57665"


async def test_demo_entity_page_jsonld_and_reconciliation(demo_db):
    datasette = make_datasette(demo_db)
    page = await datasette.client.get("/kb/entities/jens-stoltenberg")
    assert page.status_code == 200
    assert "Mentions in context" in page.text and "Q57665" in page.text
    node = (await datasette.client.get("/kb/entities/jens-stoltenberg.jsonld")).json()
    assert node["@type"] == "Person" and node["sameAs"] == "http://www.wikidata.org/entity/Q57665"
    assert node["subjectOf"]
    answer = await datasette.client.get(
        '/kb/entities/-/reconcile?queries={"q0":{"query":"Stoltenberg","type":"PERSON"}}'
    )
    top = answer.json()["q0"]["result"][0]
    assert (top["id"], top["match"]) == ("jens-stoltenberg", True)
