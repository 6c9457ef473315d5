"""The shape of the code, checked: small rooms, simple functions, one owner of the knowledge base.

These are the structural rules ARCHITECTURE.md states; a change that breaks one fails here with
the file and function named, rather than in a later review.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kb"
MAX_LINES = 450
MAX_COMPLEXITY = 15
#: Tables the knowledge base owns: only kb/kbase reads and writes them with SQL.
KB_TABLES = ("entities", "aliases", "claims", "overrides", "lookups", "imports", "kb_changes")
#: kb/store.py keeps the published copies of entities in the output database in step.
KB_SQL_ALLOWED = ("kbase", "store.py")
_KB_SQL = re.compile(
    r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?: IF NOT EXISTS)?)\s+(?:" + "|".join(KB_TABLES) + r")\b"
)


def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines (at most {MAX_LINES})"


def test_no_function_is_too_complex():
    radon = pytest.importorskip("radon.complexity")
    too_complex = [
        f"{path.relative_to(PACKAGE)}:{block.lineno} {block.name} ({block.complexity})"
        for path in python_files()
        for block in radon.cc_visit(path.read_text(encoding="utf-8"))
        if block.complexity > MAX_COMPLEXITY
    ]
    assert too_complex == []


def test_knowledge_base_tables_are_touched_by_one_package():
    outside = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in python_files()
        if not str(path.relative_to(PACKAGE)).startswith(KB_SQL_ALLOWED)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _KB_SQL.search(line)
    ]
    assert outside == []
