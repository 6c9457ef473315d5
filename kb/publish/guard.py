"""Limits Datasette has no setting for, as ASGI middleware and SQLite connection limits.

- Requests: a query string longer than :data:`MAX_QUERY_BYTES` or with more than
  :data:`MAX_PARAMETERS` parameters, or a body over :data:`MAX_BODY_BYTES`, is refused at once
  (400/413), before Datasette parses it. The site is read-only: only GET, HEAD and OPTIONS are
  allowed, plus POST to the reconciliation endpoint (405 otherwise).
- Content negotiation: ``Accept: application/ld+json`` on an entity URL answers its JSON-LD.
- SQLite: no value (string or blob) may exceed :data:`MAX_VALUE_BYTES`, so
  ``select zeroblob(100000000)`` fails in SQLite instead of growing the server by gigabytes.
"""

from __future__ import annotations

import re
import sqlite3

from markupsafe import escape

from .linked_data import JSONLD_TYPE

MAX_QUERY_BYTES = 8 * 1024
MAX_PARAMETERS = 100
MAX_BODY_BYTES = 1024 * 1024
#: Largest string or blob a query may build (article texts are far below it).
MAX_VALUE_BYTES = 16 * 1024 * 1024
#: Longest SQL text a query may have.
MAX_SQL_BYTES = 64 * 1024
READ_METHODS = ("GET", "HEAD", "OPTIONS")
RECONCILE_PATH = re.compile(r"^/[^/]+/entities/-/reconcile$")
ENTITY_PATH = re.compile(r"^/[^/]+/entities/[^/]+$")


def limit_connection(conn: sqlite3.Connection) -> None:
    """Cap the size of values and SQL text on a connection Datasette opened."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)


def request_problem(scope: dict) -> tuple[int, str] | None:
    """(status, message) when a request breaks a limit, else None."""
    query = scope.get("query_string") or b""
    if len(query) > MAX_QUERY_BYTES:
        return 414, f"The query string is {len(query):,} bytes long; at most {MAX_QUERY_BYTES:,} are accepted."
    parameters = query.count(b"&") + 1 if query else 0
    if parameters > MAX_PARAMETERS:
        return 400, f"The URL has {parameters:,} parameters; at most {MAX_PARAMETERS} are accepted."
    method = scope.get("method", "GET")
    if method not in READ_METHODS and not (method == "POST" and RECONCILE_PATH.match(scope["path"])):
        return 405, f"{method} is not allowed: this site is read-only."
    length = dict(scope.get("headers") or []).get(b"content-length", b"0")
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return 413, f"The request body may be at most {MAX_BODY_BYTES:,} bytes."
    return None


def wants_jsonld(scope: dict) -> bool:
    """Whether the request asks for JSON-LD (Accept header) on an entity page URL."""
    if scope.get("method") not in ("GET", "HEAD") or not ENTITY_PATH.match(scope["path"]):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    return JSONLD_TYPE in accept and "text/html" not in accept


def with_jsonld_path(scope: dict) -> dict:
    """The scope of the same request addressed to the ``.jsonld`` rendering."""
    path = scope["path"] + ".jsonld"
    raw = scope.get("raw_path")
    return {**scope, "path": path, "raw_path": (raw + b".jsonld") if raw else path.encode()}


def guard(app, datasette):
    """Wrap Datasette's ASGI ``app``: refuse over-limit requests, negotiate JSON-LD."""

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        problem = request_problem(scope)
        if problem is not None:
            return await refuse(datasette, send, *problem)
        if ENTITY_PATH.match(scope["path"]):
            send = vary_on_accept(send)  # one URL, two representations: caches must tell them apart
            if wants_jsonld(scope):
                scope = with_jsonld_path(scope)
        return await app(scope, receive, send)

    return guarded


def vary_on_accept(send):
    """``send`` that adds ``Vary: Accept`` to the response headers."""

    async def sending(message):
        if message["type"] == "http.response.start":
            headers = [h for h in message.get("headers", []) if h[0].lower() != b"vary"]
            message = {**message, "headers": [*headers, (b"vary", b"Accept")]}
        await send(message)

    return sending


async def refuse(datasette, send, status: int, message: str) -> None:
    """Answer ``status`` with Datasette's error page saying ``message``."""
    try:
        await datasette.invoke_startup()  # idempotent; a refusal may be the first request
        html = await datasette.render_template(
            "error.html", {"ok": False, "error": message, "status": status, "title": None}
        )
    except Exception:  # noqa: BLE001 - the refusal must go out even if templates fail
        html = f"<h1>Error {status}</h1><p>{escape(message)}</p>"
    body = html.encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})
