"""Online resolution against a fake Wikidata server: success, cache, timeouts, 429, 5xx, bad JSON."""

from __future__ import annotations

import time

import pytest
import wikidata_client
import sqlite_utils
from fake_wikidata import FakeWikidata, item

from kb.kbase import KnowledgeBase
from kb.records import Entity
from kb.settings import Settings
from kb.wikidata.online import (
    WikidataClient,
    WikidataUnavailable,
    cached_lookup,
    entities_json_from_sparql,
    resolve_names,
    retry_delay,
    sparql_for,
)

# Real QIDs are verified (README table / sample); ids in the range Q999000000–Q999999999 are fake.
NATO = item(
    "Q7184", "North Atlantic Treaty Organization", "intergovernmental military alliance of Western states",
    aliases=("NATO",), p31=("Q245065", "Q1127126"), sitelinks=1,
)
BELGIUM = item(
    "Q31", "Belgium", "federal constitutional monarchy in Western Europe",
    aliases=("Kingdom of Belgium",), p31=("Q6256", "Q3624078"), claims={"P463": ("Q7184",)}, sitelinks=1,
)
STOLTENBERG = item("Q57665", "Jens Stoltenberg", "Norwegian politician", p31=("Q5",), sitelinks=1)
MISSILE = item("Q999000101", "Storm Shadow", "air-launched cruise missile (test entity)")
BAND = item("Q999000102", "Storm Shadows", "fictional band (test entity)", p31=("Q215380",))
MANY = [item(f"Q{999_000_000 + n}", f"Test entity {n}") for n in range(200, 320)]


@pytest.fixture
def server():
    with FakeWikidata([NATO, BELGIUM, STOLTENBERG, MISSILE, BAND, *MANY], hang_seconds=2.0) as fake:
        yield fake


@pytest.fixture
def kb():
    return KnowledgeBase(sqlite_utils.Database(memory=True))


def settings_for(server: FakeWikidata, **overrides) -> Settings:
    base = dict(
        api_endpoint=server.api_url, sparql_endpoint=server.sparql_url,
        timeout=0.3, retries=2, backoff=0.01, user_agent="kb-tests/1.0 (tests@example.org)",
    )
    return Settings(**{**base, **overrides})


class Sleeps(list):
    """A stand-in for time.sleep that records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(server: FakeWikidata, **overrides) -> tuple[WikidataClient, Sleeps]:
    sleeps = Sleeps()
    return WikidataClient(settings_for(server, **overrides), sleep=sleeps), sleeps


def test_retry_delay_is_exponential_capped_and_honours_retry_after():
    assert [retry_delay(n, 0.5) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert retry_delay(10, 1.0, cap=30) == 30
    assert retry_delay(0, 1.0, retry_after=7) == 7
    assert retry_delay(0, 1.0, retry_after=600, cap=60) == 60


def test_search_finds_by_alias_and_sends_the_user_agent(server):
    client, _ = client_for(server)
    assert client.search("NATO") == ["Q7184"]
    assert client.search("Storm Shadow") == ["Q999000101", "Q999000102"]
    (first, _second) = server.requests
    assert first.params["action"] == "wbsearchentities"
    assert first.params["language"] == "en"
    assert first.headers["User-Agent"] == "kb-tests/1.0 (tests@example.org)"


def test_fetch_uses_wbgetentities_in_batches_of_50(server):
    client, _ = client_for(server)
    entities = client.fetch([e["id"] for e in MANY] + ["Q999999999"])
    assert sorted(e.id for e in entities) == sorted(e["id"] for e in MANY)  # unknown id left out
    batches = [r.params["ids"].split("|") for r in server.requests]
    assert [len(b) for b in batches] == [50, 50, 21]
    assert all(r.params["props"] == "labels|descriptions|aliases|claims|sitelinks" for r in server.requests)


@pytest.mark.parametrize("method", ["api", "sparql"])
def test_both_fetch_paths_build_the_same_entity(server, method):
    client, _ = client_for(server, online_fetch=method)
    (nato,) = client.fetch(["Q7184"])
    assert nato == Entity(
        id="Q7184", qid="Q7184", label="North Atlantic Treaty Organization", type="ORG",
        description="intergovernmental military alliance of Western states", aliases=("NATO",),
        popularity=1.0, origin="online", claims=nato.claims,
    )
    assert {(c.property, c.value) for c in nato.claims} == {("P31", "Q245065"), ("P31", "Q1127126")}
    assert server.requests[-1].path == ("/sparql" if method == "sparql" else "/w/api.php")


def test_api_requests_carry_kbs_user_agent(server):
    client, _ = client_for(server)
    client.fetch(["Q31"])
    assert server.requests[-1].headers["User-Agent"] == "kb-tests/1.0 (tests@example.org)"


def test_sparql_goes_through_wikidata_client(server):
    client, _ = client_for(server, online_fetch="sparql")
    client.fetch(["Q31"])
    (request,) = server.requests
    assert request.headers["User-Agent"] == wikidata_client.api.USER_AGENT
    assert request.params["format"] == "json" and "wd:Q31" in request.params["query"]


def test_sparql_rows_become_wikidata_json():
    rows = [
        {"item": "Q31", "prop": "label", "value": "Belgium", "lang": "en"},
        {"item": "Q31", "prop": "alias", "value": "Kingdom of Belgium", "lang": "en"},
        {"item": "Q31", "prop": "sitelinks", "value": "3", "lang": ""},
        {"item": "Q31", "prop": "P463", "value": "Q7184", "lang": ""},
    ]
    data = entities_json_from_sparql(rows)["Q31"]
    assert data["labels"]["en"]["value"] == "Belgium"
    assert len(data["sitelinks"]) == 3
    assert data["claims"]["P463"][0]["mainsnak"]["datavalue"]["value"]["id"] == "Q7184"
    assert "wd:Q31 wd:Q7184" in sparql_for(["Q31", "Q7184"], ["en"])


def test_resolve_writes_candidates_and_caches_every_lookup(server, kb):
    settings = settings_for(server)
    report = resolve_names(kb, ["NATO", "Storm Shadow", "Zzyzx Nothing"], settings)
    assert report.warnings == []
    assert report.looked_up == {"NATO": ["Q7184"], "Storm Shadow": ["Q999000101", "Q999000102"], "Zzyzx Nothing": []}
    assert report.written == 3
    (nato,) = kb.candidates("NATO")
    assert (nato.qid, nato.type) == ("Q7184", "ORG")
    assert kb.get("Q999000101").type == "WEAPON"  # typed from its description
    assert kb.get("Q999000101").origin == "online"
    assert cached_lookup(kb, "zzyzx nothing") == []
    # one request per search, then one batched wbgetentities for all three candidates
    actions = [r.params["action"] for r in server.requests]
    assert actions == ["wbsearchentities"] * 3 + ["wbgetentities"]


def test_second_run_is_offline(server, kb):
    settings = settings_for(server)
    resolve_names(kb, ["NATO", "Zzyzx Nothing"], settings)
    count = len(server.requests)
    server.stop()
    report = resolve_names(kb, ["NATO", "Zzyzx Nothing", "nato"], settings)
    assert report.warnings == []
    assert report.known == ["NATO"]
    assert report.cached == ["Zzyzx Nothing"]
    assert len(server.requests) == count


def test_known_local_entities_are_not_looked_up(server, kb):
    kb.add([Entity("Q31", "Belgium", "GPE", qid="Q31", origin="wikidata")])
    report = resolve_names(kb, ["Belgium"], settings_for(server))
    assert report.known == ["Belgium"]
    assert server.requests == []


def test_candidates_already_in_the_kb_are_not_fetched_again(server, kb):
    kb.add([Entity("nato", "NATO alliance", "ORG", qid="Q7184", origin="starter")])
    report = resolve_names(kb, ["North Atlantic Treaty Organization"], settings_for(server))
    assert report.looked_up == {"North Atlantic Treaty Organization": ["Q7184"]}
    assert [r.params["action"] for r in server.requests] == ["wbsearchentities"]
    assert kb.get("nato").label == "NATO alliance"


def test_timeout_degrades_to_unresolved_and_keeps_stored_entities(server, kb):
    kb.add([Entity("Q31", "Belgium", "GPE", qid="Q31", origin="wikidata")])
    server.always = "hang"
    client, sleeps = client_for(server, timeout=0.2, retries=1)
    started = time.perf_counter()
    report = resolve_names(kb, ["NATO", "Jens Stoltenberg"], client.settings, client)
    assert time.perf_counter() - started < 1.5
    assert report.unresolved == ["NATO", "Jens Stoltenberg"]
    assert "timed out" in report.warnings[0]
    assert len(server.requests) == 2  # first name: one try + one retry, then gave up the rest
    assert kb.get("Q31") is not None
    assert cached_lookup(kb, "NATO") is None  # retried on the next run
    server.always = None
    report = resolve_names(kb, ["NATO"], client.settings, client)
    assert report.warnings == [] and kb.get("Q7184") is not None


def test_429_waits_for_retry_after_then_succeeds(server):
    client, sleeps = client_for(server)
    server.fail("429")
    assert client.search("NATO") == ["Q7184"]
    assert sleeps == [2.0]  # the server's Retry-After
    assert len(server.requests) == 2


def test_retry_after_is_capped(server):
    server.retry_after = 100000
    client, sleeps = client_for(server)
    server.fail("429")
    client.search("NATO")
    assert sleeps == [60.0]


def test_persistent_5xx_raises_one_error_after_backoff(server):
    server.always = "500"
    client, sleeps = client_for(server, retries=3, backoff=0.5)
    with pytest.raises(WikidataUnavailable, match="HTTP 500.*4 attempts"):
        client.search("NATO")
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(server.requests) == 4


def test_persistent_5xx_in_resolve_is_a_warning(server, kb):
    server.always = "500"
    client, _ = client_for(server)
    report = resolve_names(kb, ["NATO"], client.settings, client)
    assert report.unresolved == ["NATO"]
    assert "HTTP 500" in report.warnings[0]


@pytest.mark.parametrize("method", ["api", "sparql"])
def test_malformed_json_is_retried(server, method):
    client, sleeps = client_for(server, online_fetch=method)
    server.fail("malformed")
    (belgium,) = client.fetch(["Q31"])
    assert belgium.type == "GPE" and len(sleeps) == 1


@pytest.mark.parametrize("method", ["api", "sparql"])
def test_persistent_malformed_json_raises(server, method):
    server.always = "malformed"
    client, _ = client_for(server, online_fetch=method)
    with pytest.raises(WikidataUnavailable, match="malformed"):
        client.fetch(["Q31"])


def test_sparql_429_then_success(server):
    client, sleeps = client_for(server, online_fetch="sparql")
    server.fail("429")
    (entity,) = client.fetch(["Q57665"])
    assert (entity.label, entity.type) == ("Jens Stoltenberg", "PERSON")
    assert sleeps == [2.0]


def test_server_down_then_back(server, kb):
    settings = settings_for(server, api_endpoint="http://127.0.0.1:9/w/api.php")
    client = WikidataClient(settings, sleep=Sleeps())
    report = resolve_names(kb, ["NATO"], settings, client)
    assert report.unresolved == ["NATO"] and "cannot connect" in report.warnings[0]
    report = resolve_names(kb, ["NATO"], settings_for(server))
    assert report.looked_up == {"NATO": ["Q7184"]}


def test_unknown_fetch_method_is_refused():
    with pytest.raises(ValueError, match="online_fetch"):
        WikidataClient(Settings(online_fetch="carrier-pigeon"))


def test_names_known_only_without_qid_are_still_looked_up(server, kb):
    kb.add([Entity("storm-shadow", "Storm Shadow", "WEAPON", origin="starter")])
    report = resolve_names(kb, ["Storm Shadow"], settings_for(server))
    assert report.looked_up == {"Storm Shadow": ["Q999000101", "Q999000102"]}
    assert {c.entity_id for c in kb.candidates("Storm Shadow")} == {"storm-shadow", "Q999000101"}
