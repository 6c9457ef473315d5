"""The site: metadata.yml, the Datasette instance that serves a kb database, and `kb serve`.

``metadata.yml`` at the repository root is the single source of truth for the site's title,
licences, table and column descriptions, facets and canned queries. A checkout (or an editable
install) reads it in place; a wheel installs that same file as ``share/kb/metadata.yml`` (setuptools
``data-files``), found again through the installed distribution's file list. No copy lives inside
the package, so there is nothing to keep in step.

Datasette keys databases by file stem, while ``metadata.yml`` describes its database under the
placeholder key ``kb``; :func:`rekey_metadata` moves that section to the name of the file served.
"""

from __future__ import annotations

from importlib import metadata as distributions
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
import yaml

if TYPE_CHECKING:  # Datasette loads this package as a plugin while datasette.app is importing
    from datasette.app import Datasette

METADATA_FILE = "metadata.yml"
#: Database key that metadata.yml uses for "the database being served".
PLACEHOLDER = "kb"
_INSTALLED_PATH = f"share/kb/{METADATA_FILE}"
_SQLITE_HEADER = b"SQLite format 3\x00"
#: The name of kb's Datasette plugin (its entry point in pyproject.toml).
PLUGIN_NAME = "kb"
#: Largest request line plus headers uvicorn accepts (bytes); longer URLs are refused early.
MAX_REQUEST_HEAD = 32 * 1024
#: Addresses that only this machine can reach.
LOOPBACK = ("127.0.0.1", "::1", "localhost")

#: Datasette settings for a public site, so that one request cannot starve the others: every
#: query stops after ``sql_time_limit_ms`` (facets after ``facet_time_limit_ms``), returns at most
#: ``max_returned_rows`` rows, a CSV export stops at ``max_csv_mb``, and ``num_sql_threads``
#: queries run at once while the event loop keeps answering. Facet suggestions would scan every
#: column on every table page, so they are off. The plugin (kb.publish.plugin) adds the limits
#: Datasette has no setting for: value size, URL size and methods.
PUBLISH_SETTINGS = {
    "default_page_size": 50,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "suggest_facets": False,
    "truncate_cells_html": 400,
    "max_returned_rows": 1000,
    "max_csv_mb": 20,
    "num_sql_threads": 3,
    "allow_download": False,
}


def metadata_path() -> Path:
    """Locate metadata.yml: the repository root in a checkout, else the installed data file.

    Raises FileNotFoundError saying where it looked, so a broken install is obvious.
    """
    root = Path(__file__).resolve().parents[2]
    # pyproject.toml beside it tells a checkout from an unrelated metadata.yml in site-packages.
    if (root / METADATA_FILE).is_file() and (root / "pyproject.toml").is_file():
        return root / METADATA_FILE
    installed = _installed_metadata()
    if installed is not None:
        return installed
    raise FileNotFoundError(
        f"{METADATA_FILE} not found: looked in {root} and in the installed kb distribution"
        f" ({_INSTALLED_PATH})"
    )


def _installed_metadata() -> Path | None:
    """metadata.yml as installed by the kb wheel's data-files, if kb is installed that way."""
    try:
        files = distributions.distribution("kb").files or []
    except distributions.PackageNotFoundError:
        return None
    for file in files:
        if file.as_posix().endswith(_INSTALLED_PATH):
            path = Path(file.locate()).resolve()
            if path.is_file():
                return path
    return None


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Parse a Datasette metadata YAML (or JSON) file into a dict.

    Raises ValueError naming the file (and the line, for YAML syntax errors) when it is not a
    mapping or cannot be parsed.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read metadata: {error}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ValueError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ValueError(f"{path}: metadata must be a mapping, got {type(data).__name__}")
    if not isinstance(data.get("databases", {}), dict):
        raise ValueError(f"{path}: 'databases' must be a mapping of database name to settings")
    return data


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives a database file: its stem (kb.db → kb, news.2024.db → news.2024)."""
    return Path(db_path).stem


def rekey_metadata(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    """Return a copy of ``metadata`` whose placeholder database section is keyed ``name``.

    Other database sections are left alone; if ``name`` already has its own section, the
    placeholder's settings fill in only what it lacks.
    """
    databases = dict(metadata.get("databases") or {})
    if PLACEHOLDER in databases and name != PLACEHOLDER:
        placeholder = databases.pop(PLACEHOLDER)
        databases[name] = {**placeholder, **(databases.get(name) or {})}
    return {**metadata, "databases": databases}


def load_metadata(db_path: str | Path, source: str | Path | None = None) -> dict[str, Any]:
    """The site metadata for serving ``db_path``: metadata.yml keyed to that file's name.

    ``source`` reads another metadata file instead of kb's own.
    """
    path = Path(source) if source is not None else metadata_path()
    return rekey_metadata(read_metadata(path), database_name(db_path))


def check_database(db_path: str | Path) -> Path:
    """Return ``db_path`` as a Path if it is an existing SQLite file; else raise a clear error.

    FileNotFoundError for a missing file, ValueError for a file that is not SQLite (Datasette
    would otherwise fail later, on the first request, with a less helpful message).
    """
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: database file not found")
    with path.open("rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if header and header != _SQLITE_HEADER:
        raise ValueError(f"{path}: not a SQLite database")
    return path


def make_datasette(
    db_path: str | Path,
    metadata: dict[str, Any] | None = None,
    immutable: bool = False,
    settings: dict[str, Any] | None = None,
) -> Datasette:
    """A Datasette instance serving ``db_path`` read-only, with kb's plugin and safe settings.

    Datasette reads a mutable file through read-only connections (a rebuild shows without a
    restart); ``immutable=True`` also tells SQLite the file never changes (faster counts, but
    the file must not be rebuilt while served). ``metadata`` defaults to :func:`load_metadata`;
    given metadata is re-keyed to the file's database name too, so a dict written for the
    placeholder ``kb`` works for any file. ``settings`` override :data:`PUBLISH_SETTINGS`.
    """
    from datasette.app import Datasette

    path = check_database(db_path)
    if metadata is None:
        metadata = load_metadata(path)
    register_plugin()
    return Datasette(
        files=[] if immutable else [str(path)],
        immutables=[str(path)] if immutable else [],
        metadata=rekey_metadata(metadata, database_name(path)),
        settings={**PUBLISH_SETTINGS, **(settings or {})},
        cors=False,
    )


def register_plugin() -> None:
    """Register kb's Datasette plugin unless its entry point already did (a checkout run
    without ``pip install -e .``, or a test importing kb from the worktree)."""
    from datasette.plugins import pm

    from .. import publish

    if pm.get_plugin(PLUGIN_NAME) is None and not pm.is_registered(publish):
        pm.register(publish, name=PLUGIN_NAME)


def site_url(host: str, port: int) -> str:
    """The address a browser should open for ``host``/``port`` (IPv6 hosts in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, immutable: bool = False) -> None:
    """Serve ``db_path`` with Datasette under uvicorn until interrupted, as `datasette serve` does.

    Prints ``Serving <db> at <url>`` first, so scripts and people know where to look, and a
    warning when the site listens beyond this machine (kb adds no authentication: see README).
    """
    datasette = make_datasette(db_path, immutable=immutable)
    print(f"Serving {db_path} at {site_url(host, port)}", flush=True)
    if host not in LOOPBACK:
        print(f"warning: {host} is reachable from other machines and kb serve has no login;"
              " put an authenticating proxy in front (README: Publishing beyond one machine)",
              flush=True)
    uvicorn.run(
        datasette.app(), host=host, port=port, log_level="info", lifespan="on", workers=1,
        limit_concurrency=200, h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
        timeout_keep_alive=5,
    )
