"""The `kb` command line: a thin click skin over the Python API in :mod:`kb`."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="kb")
def cli() -> None:
    """kb: turn news articles into a Wikidata-linked knowledge base published with Datasette."""
