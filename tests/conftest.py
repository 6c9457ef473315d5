"""Shared fixtures: a small hand-written knowledge base and the location of ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase, read_entities_file

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def mini_kb() -> KnowledgeBase:
    """An in-memory knowledge base of ~20 entities from tests/fixtures/mini_kb.yaml."""
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add(read_entities_file(FIXTURES / "mini_kb.yaml", origin="starter"))
    return knowledge_base


@pytest.fixture
def shared() -> Path:
    """../shared beside the repository; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference data beside the repository) is not available")
    return SHARED


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A small published kb database: entities, documents with mentions (tests/publish_site.py)."""
    from publish_site import build_database

    return build_database(tmp_path / "kb.db")


@pytest.fixture
def ds(db_path: Path):
    """kb's Datasette site over :func:`db_path`."""
    from kb.publish import make_datasette

    return make_datasette(db_path)
