"""Online resolution: names the local knowledge base cannot resolve are looked up on Wikidata.

Candidate search goes through the action API (``wbsearchentities``); entity data through
``wbgetentities`` or, when ``Settings.online_fetch == "sparql"``, through the SPARQL endpoint. Every
name searched is recorded in the knowledge base's lookups cache with the QIDs found (none is an
answer too), so the next run is offline and repeatable. Wikimedia etiquette: a descriptive
User-Agent on every request, batches of at most 50 ids, retry with exponential backoff on
429/5xx honouring Retry-After (tenacity), and a request timeout. When Wikidata stays unavailable
the names stay unresolved, with a warning; nothing already stored is lost.

The action API is called through one httpx client carrying kb's User-Agent. SPARQL queries go
through wikidata-client's ``query``, which sends the library's own User-Agent (it takes no
headers); both paths share the same retry policy.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import requests
import tenacity
import wikidata_client

from ..kbase import KnowledgeBase, is_qid
from ..names import normalise
from ..records import Entity
from ..settings import Settings
from .entity import CLAIM_PROPERTIES, entity_from_json

log = logging.getLogger(__name__)

#: wbgetentities accepts at most 50 ids per request.
MAX_IDS = 50
#: Never wait longer than this between retries, whatever Retry-After says.
MAX_WAIT = 60.0
FETCH_METHODS = ("api", "sparql")
_ENTITY_PREFIX = "http://www.wikidata.org/entity/"

T = TypeVar("T")


class WikidataUnavailable(RuntimeError):
    """Wikidata could not be reached or kept failing after all retries."""


class _Retry(Exception):
    """A failure worth retrying (429, 5xx, timeout, connection error, unreadable answer)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def retry_delay(attempt: int, backoff: float, retry_after: float | None = None, cap: float = MAX_WAIT) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): Retry-After if given, else
    exponential backoff (backoff, 2×backoff, 4×backoff …); never more than ``cap``."""
    delay = retry_after if retry_after is not None else backoff * (2**attempt)
    return max(0.0, min(delay, cap))


def parse_retry_after(value: str | None) -> float | None:
    """The Retry-After header in seconds (only the delta-seconds form), or None."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _json(response: httpx.Response) -> Any:
    """The JSON body of a response; _Retry when it cannot be read (a truncated answer)."""
    try:
        return response.json()
    except ValueError as error:
        raise _Retry("malformed JSON in the response") from error


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sparql_for(qids: Iterable[str], languages: Iterable[str]) -> str:
    """A SPARQL query returning labels, aliases, descriptions, sitelink counts and the kept
    claims of ``qids``, one (item, prop, value, lang) row per fact."""
    values = " ".join(f"wd:{q}" for q in qids)
    langs = ", ".join(f'"{lang}"' for lang in languages)
    props = ", ".join(f"wdt:{p}" for p in CLAIM_PROPERTIES)
    return f"""SELECT ?item ?prop ?value ?lang WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?value . BIND("label" AS ?prop) }}
  UNION {{ ?item skos:altLabel ?value . BIND("alias" AS ?prop) }}
  UNION {{ ?item schema:description ?value . BIND("description" AS ?prop) }}
  UNION {{ ?item wikibase:sitelinks ?value . BIND("sitelinks" AS ?prop) }}
  UNION {{ ?item ?wdt ?value . FILTER(?wdt IN ({props}))
           BIND(STRAFTER(STR(?wdt), "http://www.wikidata.org/prop/direct/") AS ?prop) }}
  BIND(LANG(?value) AS ?lang)
  FILTER(?lang = "" || ?lang IN ({langs}))
}}"""


def entities_json_from_sparql(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict]:
    """Rebuild ``wbgetentities``-shaped entity JSON from the rows of :func:`sparql_for`, so both
    fetch paths share :func:`kb.wikidata.entity.entity_from_json`."""
    entities: dict[str, dict] = {}
    for row in rows:
        qid = str(row["item"]).removeprefix(_ENTITY_PREFIX)
        prop, value, lang = str(row["prop"]), str(row["value"]), str(row.get("lang") or "")
        data = entities.setdefault(
            qid, {"type": "item", "id": qid, "labels": {}, "descriptions": {}, "aliases": {}, "claims": {}}
        )
        if prop in ("label", "description"):
            data[prop + "s"].setdefault(lang, {"language": lang, "value": value})
        elif prop == "alias":
            data["aliases"].setdefault(lang, []).append({"language": lang, "value": value})
        elif prop == "sitelinks":
            data["sitelinks"] = {f"site{n}": {} for n in range(int(float(value)))}
        else:
            value = value.removeprefix(_ENTITY_PREFIX)
            datavalue = (
                {"type": "wikibase-entityid", "value": {"id": value}}
                if is_qid(value)
                else {"type": "string", "value": value}
            )
            data["claims"].setdefault(prop, []).append(
                {"mainsnak": {"snaktype": "value", "property": prop, "datavalue": datavalue}, "rank": "normal"}
            )
    return entities


class WikidataClient:
    """Talks to Wikidata politely: search names, fetch entities; raises WikidataUnavailable."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if settings.online_fetch not in FETCH_METHODS:
            raise ValueError(f"online_fetch must be one of {', '.join(FETCH_METHODS)}, not {settings.online_fetch!r}")
        self.settings = settings
        self.http = http or httpx.Client(
            headers={"User-Agent": settings.user_agent}, timeout=settings.timeout, follow_redirects=True
        )
        self.sleep = sleep

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def __enter__(self) -> WikidataClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """tenacity's wait: the server's Retry-After if it sent one, else exponential backoff."""
        failure = state.outcome.exception() if state.outcome else None
        return retry_delay(state.attempt_number - 1, self.settings.backoff, getattr(failure, "retry_after", None))

    def _retrying(self, call: Callable[[], T], what: str) -> T:
        """Run ``call``, retrying on _Retry with backoff; WikidataUnavailable when it keeps failing."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retry),
            stop=tenacity.stop_after_attempt(max(0, self.settings.retries) + 1),
            wait=self._wait,
            sleep=self.sleep,
            before_sleep=lambda state: log.info(
                "%s: %s; retrying in %.1f s", what, state.outcome.exception(), state.next_action.sleep
            ),
            reraise=True,
        )
        try:
            return retrying(call)
        except _Retry as failure:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise WikidataUnavailable(f"{what}: {failure} (gave up after {attempts} attempts)") from failure

    def _get(self, url: str, params: dict[str, str], what: str, accept: str = "application/json") -> httpx.Response:
        """One GET; 429/5xx, timeouts and lost connections raise _Retry, other HTTP errors
        WikidataUnavailable."""
        try:
            response = self.http.get(url, params=params, headers={"Accept": accept})
        except httpx.TimeoutException as error:
            raise _Retry(f"timed out after {self.settings.timeout} s") from error
        except httpx.TransportError as error:
            raise _Retry(f"cannot connect: {error}") from error
        if response.status_code >= 400:
            raise _http_failure(response, what)
        return response

    def _api(self, params: dict[str, str]) -> dict:
        """One action-API GET returning its JSON; retried; API errors become WikidataUnavailable."""
        params = {**params, "format": "json"}

        def call() -> dict:
            response = self._get(self.settings.api_endpoint, params, params["action"])
            data = _json(response)
            if not isinstance(data, dict):
                raise _Retry("unexpected response (not a JSON object)")
            if "error" in data:
                error = data["error"] if isinstance(data["error"], dict) else {}
                if error.get("code") == "maxlag":
                    raise _Retry("server lagged (maxlag)", parse_retry_after(response.headers.get("Retry-After")))
                raise WikidataUnavailable(f"{params['action']}: API error {error.get('code')}: {error.get('info')}")
            return data

        return self._retrying(call, params["action"])

    def search(self, name: str, language: str = "en", limit: int = 7) -> list[str]:
        """QIDs of the items whose label or alias matches ``name`` (wbsearchentities), best first."""
        data = self._api(
            {
                "action": "wbsearchentities", "search": name, "language": language, "uselang": language,
                "type": "item", "limit": str(limit),
            }
        )
        results = data.get("search")
        if not isinstance(results, list):
            raise WikidataUnavailable("wbsearchentities: malformed response (no 'search' list)")
        return [r["id"] for r in results if isinstance(r, dict) and is_qid(r.get("id"))]

    def fetch(self, qids: Iterable[str]) -> list[Entity]:
        """The entities of ``qids`` (origin "online"), fetched in batches of at most 50 ids.

        Uses ``wbgetentities`` or SPARQL according to ``settings.online_fetch``; ids Wikidata does
        not know are left out.
        """
        qids = list(dict.fromkeys(q for q in qids if is_qid(q)))
        fetch_batch = self._fetch_sparql if self.settings.online_fetch == "sparql" else self._fetch_api
        entities = []
        for batch in _batches(qids, MAX_IDS):
            for data in fetch_batch(batch).values():
                try:
                    entities.append(entity_from_json(data, self.settings.languages, "online"))
                except (ValueError, TypeError, KeyError, AttributeError) as error:
                    log.debug("skipping %s: %s", data.get("id") if isinstance(data, dict) else data, error)
        return entities

    def _fetch_api(self, qids: list[str]) -> dict[str, dict]:
        data = self._api(
            {
                "action": "wbgetentities", "ids": "|".join(qids),
                "props": "labels|descriptions|aliases|claims|sitelinks",
                "languages": "|".join(self.settings.languages),
            }
        )
        entities = data.get("entities")
        if not isinstance(entities, dict):
            raise WikidataUnavailable("wbgetentities: malformed response (no 'entities' object)")
        return entities

    def _fetch_sparql(self, qids: list[str]) -> dict[str, dict]:
        """Entity data through the SPARQL endpoint, queried with wikidata-client."""
        sparql = sparql_for(qids, self.settings.languages)

        def call() -> list[Mapping[str, Any]]:
            try:
                return wikidata_client.query(
                    sparql, timeout=self.settings.timeout, endpoint=self.settings.sparql_endpoint
                )
            except requests.HTTPError as error:
                raise _http_failure(error.response, "SPARQL") from error
            except (requests.Timeout, requests.ConnectionError) as error:
                raise _Retry(f"cannot reach the SPARQL endpoint: {error}") from error
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise _Retry(f"malformed SPARQL results: {error}") from error

        return entities_json_from_sparql(self._retrying(call, "SPARQL"))


def _http_failure(response: Any, what: str) -> Exception:
    """The error for an HTTP failure status: 429 and 5xx are retried (honouring Retry-After),
    other statuses end the attempt."""
    status = getattr(response, "status_code", 0)
    if status == 429 or status >= 500:
        return _Retry(f"HTTP {status}", parse_retry_after(response.headers.get("Retry-After")))
    return WikidataUnavailable(f"{what}: HTTP {status}")


@dataclass
class ResolveReport:
    """What an online resolution did for a list of names."""

    known: list[str] = field(default_factory=list)  # already resolvable in the knowledge base
    cached: list[str] = field(default_factory=list)  # answered by an earlier lookup, no request
    looked_up: dict[str, list[str]] = field(default_factory=dict)  # searched now → QIDs found
    unresolved: list[str] = field(default_factory=list)  # left out because Wikidata failed
    written: int = 0
    warnings: list[str] = field(default_factory=list)


def cached_lookup(kb: KnowledgeBase, name: str, language: str = "en") -> list[str] | None:
    """The QIDs an earlier online search found for ``name`` ([] = nothing), or None if never searched."""
    return kb.cached_lookup(name, language)


def names_to_search(kb: KnowledgeBase, names: Iterable[str], language: str, report: ResolveReport) -> list[str]:
    """The names that need a Wikidata search: no local candidate with a QID, never looked up.

    A name whose only local candidates lack a QID (a curated weapon shipped with QID NULL) is
    searched, so that Wikidata's entity becomes a candidate next to it.
    Fills ``report.known`` and ``report.cached`` with the others; one name per normalised key.
    """
    todo, seen = [], set()
    for name in names:
        key = normalise(name)
        if not key or key in seen:
            continue
        seen.add(key)
        if any(c.qid for c in kb.candidates(name)):
            report.known.append(name)
        elif kb.cached_lookup(name, language) is not None:
            report.cached.append(name)
        else:
            todo.append(name)
    return todo


def resolve_names(
    kb: KnowledgeBase,
    names: Iterable[str],
    settings: Settings,
    client: WikidataClient | None = None,
) -> ResolveReport:
    """Look names the knowledge base cannot resolve up on Wikidata and store what is found.

    Searches each new name, fetches the candidates the knowledge base lacks, writes them (origin
    "online") and records the lookup, all in one transaction at the end. If Wikidata fails, the
    remaining names stay unresolved (listed in the report, with a warning) and are retried on a
    later run; nothing is written for them and nothing stored before is touched. Never raises
    WikidataUnavailable.
    """
    language = settings.languages[0] if settings.languages else "en"
    report = ResolveReport()
    todo = names_to_search(kb, names, language, report)
    if not todo:
        return report
    own_client = client is None
    client = client or WikidataClient(settings)
    found: dict[str, list[str]] = {}
    entities: list[Entity] = []
    try:
        for name in todo:
            found[name] = client.search(name, language)
        missing = set().union(*found.values()) - kb.known_qids(set().union(*found.values()))
        entities = client.fetch(sorted(missing, key=lambda q: int(q[1:])))
    except WikidataUnavailable as error:
        report.unresolved = list(todo)
        found, entities = {}, []
        message = f"Wikidata unavailable, {len(todo)} name(s) left unresolved: {error}"
        report.warnings.append(message)
        log.warning("%s", message)
    finally:
        if own_client:
            client.close()
    report.written = kb.add_online(entities, found, language)
    report.looked_up = found
    return report
