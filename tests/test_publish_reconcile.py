"""The reconciliation service at /<db>/entities/-/reconcile (W3C Reconciliation API 0.2).

Responses are validated against the official JSON schemas in ../shared/reconciliation-0.2, and
one integration test reconciles a pandas column with the `reconciler` package (a client nobody
here wrote) against a real server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from publish_site import free_port, kb_serve_command, running

SCHEMAS = Path(__file__).resolve().parents[1].parent / "shared" / "reconciliation-0.2"
ENDPOINT = "/kb/entities/-/reconcile"




@pytest.fixture
def validate():
    """validate(instance, schema file name): raises when the instance breaks the official schema."""
    if not SCHEMAS.is_dir():
        pytest.skip("../shared/reconciliation-0.2 (the official schemas) is not available")
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")}
    # the schemas refer to each other by URL (type.json): resolve those from the local copies
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in schemas.values()
    )

    def check(instance, name: str) -> None:
        jsonschema.Draft7Validator(schemas[name], registry=registry).validate(instance)

    return check


async def _reconcile(ds, queries: dict, method: str = "GET"):
    raw = json.dumps(queries)
    if method == "POST":
        response = await ds.client.post(ENDPOINT, data={"queries": raw})
    else:
        response = await ds.client.get(f"{ENDPOINT}?queries={quote(raw)}")
    assert response.status_code == 200, response.text[:300]
    return response.json()


async def test_manifest(ds, validate):
    response = await ds.client.get(ENDPOINT)
    assert response.status_code == 200
    manifest = response.json()
    validate(manifest, "manifest.json")
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "http://localhost/kb/entities/"
    assert manifest["view"]["url"] == "http://localhost/kb/entities/{{id}}"
    assert [t["id"] for t in manifest["defaultTypes"]] == ["PERSON", "ORG", "GPE", "WEAPON"]
    assert manifest["schemaSpace"]


async def test_a_batch_matches_labels_and_aliases(ds, validate):
    queries = {
        "q0": {"query": "Putin"},
        "q1": {"query": "north atlantic treaty organization"},
        "q2": {"query": "ATACMS", "type": "WEAPON"},
        "q3": {"query": "nobody we know"},
        "q4": {"query": "PESKOV", "type": ["PERSON"], "limit": 1},
    }
    validate(queries, "reconciliation-query-batch.json")
    answer = await _reconcile(ds, queries)
    validate(answer, "reconciliation-result-batch.json")
    assert set(answer) == set(queries)
    top = {key: value["result"][0] if value["result"] else None for key, value in answer.items()}
    assert top["q0"] == {"id": "vladimir-putin", "name": "Vladimir Putin", "description": "President of Russia",
                         "type": [{"id": "PERSON", "name": "Person"}], "score": 100.0, "match": True}
    assert (top["q1"]["id"], top["q1"]["match"]) == ("nato", True)
    assert (top["q2"]["id"], top["q2"]["name"], top["q2"]["match"]) == ("atacms", "MGM-140 ATACMS", True)
    assert top["q3"] is None
    assert top["q4"]["id"] == "nil:dmitry-peskov" and len(answer["q4"]["result"]) == 1


async def test_type_filter_and_post(ds, validate):
    answer = await _reconcile(ds, {"q": {"query": "Putin", "type": "ORG"}}, method="POST")
    validate(answer, "reconciliation-result-batch.json")
    assert answer == {"q": {"result": []}}
    answer = await _reconcile(ds, {"q": {"query": "NATO", "type": "ORG"}}, method="POST")
    assert [r["id"] for r in answer["q"]["result"]] == ["nato"]


async def test_fuzzy_matches_score_lower_and_never_match(ds):
    answer = await _reconcile(ds, {"q": {"query": "Vladimir Puttin"}})
    [result] = answer["q"]["result"]
    assert result["id"] == "vladimir-putin"
    assert 0 < result["score"] < 90 and result["match"] is False


async def test_an_ambiguous_exact_name_is_no_match(ds, db_path, validate):
    from kb.kbase import KnowledgeBase
    from kb.records import Entity

    kb = KnowledgeBase.open(db_path)
    kb.add([Entity("putin-film", "Putin", "WORK", "a documentary", None, (), 0.5, "custom")])
    kb.db.close()
    answer = await _reconcile(ds, {"q": {"query": "putin"}})
    validate(answer, "reconciliation-result-batch.json")
    results = answer["q"]["result"]
    assert {r["id"] for r in results} == {"vladimir-putin", "putin-film"}
    assert all(r["score"] == 100 and r["match"] is False for r in results)
    typed = await _reconcile(ds, {"q": {"query": "putin", "type": "PERSON"}})
    assert [(r["id"], r["match"]) for r in typed["q"]["result"]] == [("vladimir-putin", True)]


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '{"q": {"nothing": 1}}', '{"q": {"query": "x", "limit": -1}}'])
async def test_malformed_queries_answer_400(ds, raw):
    response = await ds.client.get(f"{ENDPOINT}?queries={quote(raw)}")
    assert response.status_code == 400
    assert response.json()["error"]


async def test_too_many_queries_in_one_batch_answer_400(ds):
    queries = {f"q{n}": {"query": "Putin"} for n in range(101)}
    response = await ds.client.post(ENDPOINT, data={"queries": json.dumps(queries)})
    assert response.status_code == 400 and "at most 100 queries" in response.json()["error"]


async def test_reconcile_on_an_unknown_database_is_404(ds):
    response = await ds.client.get("/nope/entities/-/reconcile")
    assert response.status_code == 404


@pytest.mark.slow
def test_the_reconciler_package_reconciles_a_pandas_column(db_path, monkeypatch):
    """A real client (PyPI `reconciler`, as a pandas user would run it) against `kb serve`."""
    pandas = pytest.importorskip("pandas")
    reconciler = pytest.importorskip("reconciler")
    numpy = pytest.importorskip("numpy")
    # reconciler 0.2.2 fills empty results with np.NaN, which NumPy 2 (spaCy's) renamed to nan
    monkeypatch.setattr(numpy, "NaN", numpy.nan, raising=False)
    port = free_port()
    with running(kb_serve_command(db_path, port), port) as (base, _):
        names = pandas.Series(["Putin", "NATO", "atacms", "Stoltenberg", "Peskov"])
        result = reconciler.reconcile(names, reconciliation_endpoint=base + ENDPOINT)
        ids = dict(zip(result["input_value"], result["id"]))
        assert ids["Putin"] == "vladimir-putin"
        assert ids["NATO"] == "nato"
        assert ids["atacms"] == "atacms"
        assert ids["Peskov"] == "nil:dmitry-peskov"
        matched = dict(zip(result["input_value"], result["match"]))
        assert matched["Putin"] and matched["NATO"]
        typed = reconciler.reconcile(pandas.Series(["NATO"]), type_id="PERSON",
                                     reconciliation_endpoint=base + ENDPOINT)
        assert "id" not in typed.columns or typed["id"].isna().all()


def test_the_schemas_reject_a_broken_answer(validate):
    jsonschema = pytest.importorskip("jsonschema")
    with pytest.raises(jsonschema.ValidationError):
        validate({"q": {"result": [{"id": "x", "name": "X", "score": "high", "match": True}]}},
                 "reconciliation-result-batch.json")
    with pytest.raises(jsonschema.ValidationError):
        validate({"versions": ["0.2"], "name": "no spaces"}, "manifest.json")


async def test_cors_and_jsonp_for_browser_clients(ds):
    response = await ds.client.get(ENDPOINT)
    assert response.headers["access-control-allow-origin"] == "*"
    jsonp = await ds.client.get(ENDPOINT + "?callback=jQuery123_456")
    assert jsonp.headers["content-type"].startswith("application/javascript")
    assert jsonp.text.startswith("jQuery123_456({") and jsonp.text.endswith("});")
    assert json.loads(jsonp.text[len("jQuery123_456("):-2])["versions"] == ["0.2"]
    hostile = await ds.client.get(ENDPOINT + "?callback=" + quote("alert(1)//"))
    assert hostile.headers["content-type"].startswith("application/json")
