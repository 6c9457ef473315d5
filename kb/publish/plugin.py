"""kb's Datasette plugin: entity and document pages, JSON-LD, reconciliation, limits, errors.

Registered through the ``datasette`` entry point in pyproject.toml (and by
:func:`kb.publish.register_plugin` when kb runs from a checkout), so ``kb serve kb.db`` and
``datasette kb.db -m metadata.yml`` serve the same site. Templates and static files live beside
this module (``kb/publish/templates``, ``kb/publish/static``). Pages, JSON-LD and reconciliation
apply only to databases with kb's tables; the limits and error answers apply to the whole site.
"""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import tilde_encode, urlsafe_components
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

from . import guard, pages, reconcile
from .linked_data import JSONLD_TYPE, entity_jsonld, row_url, script_tag

STATIC = Path(__file__).parent / "static"
#: Columns of query results that link to kb's pages.
ID_COLUMNS = {"entity_id": "entities", "document_id": "documents", "other_id": "entities"}


async def kb_database(datasette, name: str | None):
    """The Datasette database ``name`` if it is a kb database, else None."""
    if not name or name not in datasette.databases:
        return None
    db = datasette.get_database(name)
    return db if pages.is_kb_database(await db.table_names()) else None


def site_base(request, datasette) -> str:
    """The absolute base URL of the site, as the client addressed it."""
    return f"{request.scheme}://{request.host}{datasette.setting('base_url')}"


@hookimpl
def prepare_connection(conn):
    """Cap value and SQL sizes on every connection (see :mod:`kb.publish.guard`)."""
    guard.limit_connection(conn)


@hookimpl
def asgi_wrapper(datasette):
    """Refuse over-limit and writing requests; answer JSON-LD to ``Accept: application/ld+json``."""
    return lambda app: guard.guard(app, datasette)


@hookimpl
def skip_csrf(scope):
    """Reconciliation clients POST without a CSRF token (the endpoint reads, never writes)."""
    return bool(guard.RECONCILE_PATH.match(scope.get("path", "")))


@hookimpl
def register_routes():
    """The reconciliation endpoint of each kb database."""
    return [(r"^/(?P<database>[^/]+)/entities/-/reconcile$", reconcile_view)]


async def reconcile_view(request, datasette):
    """W3C Reconciliation API 0.2: the manifest, or the answers to a ``queries`` batch."""
    db = await kb_database(datasette, request.url_vars["database"])
    if db is None:
        return reconcile_response(request, {"error": "not a kb database"}, 404)
    raw = request.args.get("queries")
    if request.method == "POST":
        raw = (await request.post_vars()).get("queries", raw)
    if not raw:
        return reconcile_response(request, reconcile.manifest(site_base(request, datasette), db.name))
    try:
        batch = reconcile.parse_queries(raw)
    except reconcile.ReconcileError as error:
        return reconcile_response(request, {"error": str(error)}, 400)
    answer = await db.execute_fn(
        lambda conn: reconcile.reconcile_batch(pages.knowledge_base(conn), batch)
    )
    return reconcile_response(request, answer)


def reconcile_response(request, data: dict, status: int = 200) -> Response:
    """JSON readable from any origin (OpenRefine's browser side fetches the manifest), or JSONP
    when the client names a ``callback``."""
    headers = {"Access-Control-Allow-Origin": "*"}
    callback = request.args.get("callback")
    if callback and reconcile.JSONP_CALLBACK.fullmatch(callback):
        body = f"{callback}({json.dumps(data)});"
        return Response(body, status=status, headers=headers, content_type="application/javascript")
    return Response.json(data, status=status, headers=headers)


@hookimpl
def register_output_renderer():
    """``.jsonld`` on an entity row: its schema.org JSON-LD."""
    return {"extension": "jsonld", "render": render_jsonld, "can_render": can_render_jsonld}


def can_render_jsonld(table, view_name):
    """Only entity rows have a JSON-LD rendering."""
    return table == "entities" and view_name == "row"


async def render_jsonld(datasette, request, database, table, rows, view_name):
    """The JSON-LD of the entity row (404 outside entity rows)."""
    db = await kb_database(datasette, database)
    if db is None or not can_render_jsonld(table, view_name) or not rows:
        return Response.json({"error": "JSON-LD is available for entity rows only"}, status=404)
    node = await db.execute_fn(
        lambda conn: entity_node(conn, rows[0]["id"], site_base(request, datasette), db.name)
    )
    return Response(json.dumps(node, ensure_ascii=False, indent=2), content_type=JSONLD_TYPE)


def entity_node(conn, entity_id: str, base: str, database: str) -> dict | None:
    """The JSON-LD object of an entity, with the documents that mention it."""
    entity = pages.knowledge_base(conn).get(entity_id)
    if entity is None:
        return None
    documents = [
        dict(zip(("id", "title", "url", "published"), row))
        for row in conn.execute(
            "SELECT id, title, url, published FROM documents WHERE id IN"
            " (SELECT document_id FROM mentions WHERE entity_id = ?) ORDER BY published, id",
            (entity.id,),
        )
    ]
    return entity_jsonld(pages.entity_summary(entity), documents, base, database)


@hookimpl
def prepare_jinja2_environment(env):
    """``tilde_encode``: entity ids in row URLs, encoded the way Datasette decodes them."""
    env.filters["tilde_encode"] = tilde_encode


async def kb_database_names(datasette) -> list[str]:
    """The names of the kb databases served (the front page offers a search box for each)."""
    return [name for name in datasette.databases if await kb_database(datasette, name)]


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    """The data of kb's entity and document pages (row pages of those tables), and the kb
    databases for the front page's search boxes."""
    if view_name == "index":
        return lambda: _index_vars(datasette)
    if view_name != "row" or table not in ("entities", "documents") or request is None:
        return {}

    async def page_vars():
        db = await kb_database(datasette, database)
        if db is None:
            return {}
        key = urlsafe_components(request.url_vars["pks"])[0]
        base = site_base(request, datasette)
        if table == "entities":
            page = await db.execute_fn(lambda conn: pages.entity_page(conn, key))
            node = await db.execute_fn(lambda conn: entity_node(conn, key, base, db.name))
            return {"kb_entity": page, "kb_jsonld": script_tag(node) if node else ""}
        link = lambda entity_id: row_url(datasette.urls.path(""), db.name, "entities", entity_id)  # noqa: E731
        page = await db.execute_fn(lambda conn: pages.document_page(conn, key, link))
        return {"kb_document": page}

    return page_vars


async def _index_vars(datasette) -> dict:
    return {"kb_databases": await kb_database_names(datasette)}


@hookimpl
def extra_css_urls(datasette):
    """kb's stylesheet, from the plugin's static folder."""
    from datasette.plugins import get_plugins

    for plugin in get_plugins():
        if plugin["static_path"] and Path(plugin["static_path"]) == STATIC:
            return [datasette.urls.static_plugins(plugin["name"], "kb.css")]
    return []


@hookimpl
def render_cell(value, column, table, database, datasette):
    """In query results (canned or typed SQL), entity and document ids link to their pages."""
    if table is not None or column not in ID_COLUMNS or not isinstance(value, str) or not value:
        return None
    href = row_url(datasette.urls.path(""), database, ID_COLUMNS[column], value)
    return Markup('<a href="{}">{}</a>').format(href, value)


def classify(exception) -> tuple[int, str] | None:
    """(status, message) for errors that are the request's fault, else None (Datasette's own
    handling: 404s and 403s stay, real faults stay 500)."""
    message = getattr(exception, "message", None) or str(exception)
    if str(message).startswith("no such table"):
        return 404, f"Table not found ({message})"
    if isinstance(exception, QueryInterrupted):
        return 400, "The query took longer than this site allows (sql_time_limit_ms)."
    if isinstance(exception, (DatasetteError, QueryInterrupted)) and getattr(exception, "status", 500) != 500:
        return None
    if isinstance(exception, DatasetteError):
        return 400, message
    if isinstance(exception, (ValueError, KeyError, TypeError)):
        return 400, f"Bad request parameters: {exception}"
    return None


@hookimpl
def handle_exception(datasette, request, exception):
    """Bad parameters answer 400 and unknown tables 404, with a readable message, never 500."""
    verdict = classify(exception)
    if verdict is None:
        return None
    status, message = verdict

    async def respond():
        info = {"ok": False, "error": message, "status": status,
                "title": "Not found" if status == 404 else "Bad request"}
        if request.path.split("?")[0].endswith(".json"):
            return Response.json(info, status=status)
        html = await datasette.render_template("error.html", info, request=request)
        return Response.html(html, status=status)

    return respond
