"""The publish stage: a kb database as a website, Linked Data and a reconciliation service.

- :mod:`.site` — metadata.yml, the Datasette instance (:func:`make_datasette`) and `kb serve`.
- :mod:`.plugin` — the Datasette plugin (hooks, templates, static files), registered through the
  ``datasette`` entry point, so ``datasette kb.db -m metadata.yml`` serves the same site.
- :mod:`.pages` — what the entity and document pages show.
- :mod:`.linked_data` — schema.org JSON-LD and RDF for entities and documents.
- :mod:`.reconcile` — the W3C Entity Reconciliation API 0.2 (what OpenRefine speaks).
- :mod:`.export` — `kb export`: the whole knowledge base as Turtle, JSON-LD or CSV.
- :mod:`.guard` — limits for public serving: value, URL and body sizes, read-only methods.

This package is the Datasette plugin (its entry point names ``kb.publish``): the hooks below are
defined in :mod:`.plugin` and imported here, so Datasette finds ``templates/`` and ``static/``
beside them.
"""

from .plugin import (  # noqa: F401 - Datasette hook implementations, found on this package
    asgi_wrapper,
    extra_css_urls,
    extra_template_vars,
    handle_exception,
    prepare_connection,
    prepare_jinja2_environment,
    register_output_renderer,
    register_routes,
    render_cell,
    skip_csrf,
)
from .site import (
    LOOPBACK,
    METADATA_FILE,
    PLACEHOLDER,
    PLUGIN_NAME,
    PUBLISH_SETTINGS,
    check_database,
    database_name,
    load_metadata,
    make_datasette,
    metadata_path,
    read_metadata,
    register_plugin,
    rekey_metadata,
    serve,
    site_url,
)

__all__ = [
    "LOOPBACK",
    "METADATA_FILE",
    "PLACEHOLDER",
    "PLUGIN_NAME",
    "PUBLISH_SETTINGS",
    "check_database",
    "database_name",
    "load_metadata",
    "make_datasette",
    "metadata_path",
    "read_metadata",
    "register_plugin",
    "rekey_metadata",
    "serve",
    "site_url",
]
