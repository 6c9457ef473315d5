"""A fake Wikidata for tests: a real HTTP server on 127.0.0.1 answering like the real one.

It serves the action API (``/w/api.php``: ``wbsearchentities``, ``wbgetentities``) and the SPARQL
endpoint (``/sparql``, ``application/sparql-results+json``) from a few entities given as Wikidata
JSON, records every request, and can be told to fail: answer 429 (with Retry-After), 500, hang
past the client's timeout, or send malformed JSON.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FAILURES = ("429", "500", "hang", "malformed")


def item(
    qid: str,
    label: str,
    description: str = "",
    aliases: tuple[str, ...] = (),
    p31: tuple[str, ...] = (),
    claims: dict[str, tuple[str, ...]] | None = None,
    sitelinks: int = 0,
    language: str = "en",
) -> dict:
    """Wikidata JSON (the wbgetentities / dump shape) for one item with item-valued claims."""
    def statement(prop: str, value: str) -> dict:
        return {
            "mainsnak": {
                "snaktype": "value", "property": prop, "datatype": "wikibase-item",
                "datavalue": {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": value}},
            },
            "type": "statement", "rank": "normal",
        }

    all_claims = {"P31": p31, **(claims or {})}
    return {
        "type": "item",
        "id": qid,
        "labels": {language: {"language": language, "value": label}},
        "descriptions": {language: {"language": language, "value": description}} if description else {},
        "aliases": {language: [{"language": language, "value": a} for a in aliases]} if aliases else {},
        "claims": {p: [statement(p, v) for v in values] for p, values in all_claims.items() if values},
        "sitelinks": {f"wiki{n}": {"site": f"wiki{n}", "title": label} for n in range(sitelinks)},
    }


@dataclass(frozen=True)
class Request:
    """One request the fake server received."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]


class FakeWikidata:
    """Start with ``with FakeWikidata(entities) as server:``; ``server.api_url``/``sparql_url``."""

    def __init__(self, entities: list[dict], hang_seconds: float = 3.0, retry_after: int = 2):
        self.entities = {e["id"]: e for e in entities}
        self.requests: list[Request] = []
        self.failures: list[str] = []  # consumed one per request
        self.always: str | None = None  # fail every request this way
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._stopped = False

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The action API endpoint (Settings.api_endpoint)."""
        return self.url + "/w/api.php"

    @property
    def sparql_url(self) -> str:
        """The SPARQL endpoint (Settings.sparql_endpoint)."""
        return self.url + "/sparql"

    def fail(self, *modes: str) -> None:
        """Answer the next requests with these failures, one per request, then normally."""
        unknown = set(modes) - set(FAILURES)
        if unknown:
            raise ValueError(f"unknown failure modes: {unknown}")
        self.failures.extend(modes)

    def start(self) -> FakeWikidata:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (idempotent); hung requests are released."""
        if self._stopped:
            return
        self._stopped = True
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeWikidata:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answers -------------------------------------------------------------------------------

    def search(self, params: dict[str, str]) -> dict:
        """wbsearchentities: items whose label or alias starts with the search text."""
        text, language = params.get("search", "").casefold(), params.get("language", "en")
        limit = int(params.get("limit", "7"))
        results = []
        for qid, data in self.entities.items():
            names = [data["labels"].get(language, {}).get("value", "")]
            names += [a["value"] for a in data["aliases"].get(language, [])]
            hit = next((n for n in names if n and n.casefold().startswith(text)), None)
            if hit:
                label = names[0]
                results.append({
                    "id": qid, "title": qid, "pageid": 1, "concepturi": f"http://www.wikidata.org/entity/{qid}",
                    "label": label, "description": data["descriptions"].get(language, {}).get("value", ""),
                    "match": {"type": "label" if hit == label else "alias", "language": language, "text": hit},
                })
        return {"searchinfo": {"search": params.get("search", "")}, "search": results[:limit], "success": 1}

    def get_entities(self, params: dict[str, str]) -> dict:
        """wbgetentities: the entities asked for, "missing" for unknown ids, an error above 50."""
        ids = [i for i in params.get("ids", "").split("|") if i]
        if len(ids) > 50:
            return {"error": {"code": "too-many-values", "info": "Too many values supplied for parameter ids"}}
        return {"entities": {i: self.entities.get(i, {"id": i, "missing": ""}) for i in ids}, "success": 1}

    def sparql(self, query: str) -> dict:
        """SPARQL results for kb's entity query (see kb.wikidata.online.sparql_for)."""
        values = re.search(r"VALUES \?item \{([^}]*)\}", query)
        qids = re.findall(r"wd:(Q\d+)", values.group(1)) if values else []
        langs = re.search(r"\?lang IN \(([^)]*)\)", query)
        languages = set(re.findall(r'"([^"]+)"', langs.group(1))) if langs else {"en"}
        bindings = []

        def row(qid: str, prop: str, value: dict, lang: str = "") -> None:
            bindings.append({
                "item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"},
                "prop": {"type": "literal", "value": prop},
                "value": value,
                "lang": {"type": "literal", "value": lang},
            })

        for qid in qids:
            data = self.entities.get(qid)
            if data is None:
                continue
            for kind, key in (("label", "labels"), ("description", "descriptions")):
                for lang, text in data[key].items():
                    if lang in languages:
                        row(qid, kind, {"type": "literal", "xml:lang": lang, "value": text["value"]}, lang)
            for lang, aliases in data["aliases"].items():
                for alias in aliases if lang in languages else ():
                    row(qid, "alias", {"type": "literal", "xml:lang": lang, "value": alias["value"]}, lang)
            row(qid, "sitelinks", {
                "type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                "value": str(len(data.get("sitelinks", {}))),
            })
            for prop, statements in data["claims"].items():
                for statement in statements:
                    target = statement["mainsnak"]["datavalue"]["value"]["id"]
                    row(qid, prop, {"type": "uri", "value": f"http://www.wikidata.org/entity/{target}"})
        return {"head": {"vars": ["item", "prop", "value", "lang"]}, "results": {"bindings": bindings}}

    # --- HTTP ----------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(Request(parts.path, params, dict(self.headers.items())))
                failure = fake.failures.pop(0) if fake.failures else fake.always
                if failure == "hang":
                    fake._release.wait(fake.hang_seconds)
                    return self._send(503, b"{}", "application/json")
                if failure == "429":
                    return self._send(429, b"Too many requests", "text/plain", {"Retry-After": str(fake.retry_after)})
                if failure == "500":
                    return self._send(500, b"<html>Internal Server Error</html>", "text/html")
                if parts.path == "/w/api.php":
                    action = params.get("action")
                    if action == "wbsearchentities":
                        body, kind = fake.search(params), "application/json"
                    elif action == "wbgetentities":
                        body, kind = fake.get_entities(params), "application/json"
                    else:
                        body, kind = {"error": {"code": "badvalue", "info": f"bad action {action}"}}, "application/json"
                elif parts.path == "/sparql":
                    body, kind = fake.sparql(params.get("query", "")), "application/sparql-results+json"
                else:
                    return self._send(404, b"not found", "text/plain")
                payload = json.dumps(body).encode("utf-8")
                if failure == "malformed":
                    payload = payload[: len(payload) // 2]
                self._send(200, payload, kind)

            def _send(self, status: int, payload: bytes, kind: str, headers: dict | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler
