"""kb: an entity knowledge-base builder for news.

ingest → recognise → link → store → publish, with a local Wikidata-backed knowledge base::

    import kb
    report = kb.build(["articles/"], "kb.db", kb.Settings())
    for record in kb.annotate_texts([("1", "Jens Stoltenberg met Zelensky.")],
                                    settings=kb.Settings(), knowledge_base=kb.open_kb(None)):
        print(record)

Stages that load spaCy are imported on first use, so ``import kb`` stays cheap.
"""

from importlib import import_module
from typing import Any

from .kbase import KnowledgeBase, open_knowledge_base
from .records import Candidate, Claim, Document, Entity, Link, Mention, Problem
from .settings import Settings, load_settings

_LAZY = {
    "build": "kb.pipeline",
    "resolve": "kb.pipeline",
    "BuildReport": "kb.pipeline",
    "annotate_texts": "kb.annotate",
    "annotate_spans": "kb.annotate",
    "read_inputs": "kb.ingest",
    "link_document": "kb.link",
    "evaluate": "kb.evaluate",
    "make_datasette": "kb.publish",
    "import_dump": "kb.wikidata.dump",
    "resolve_names": "kb.wikidata.online",
}


def open_kb(path: str | None = None) -> KnowledgeBase:
    """A knowledge-base file (created if missing), or an in-memory one; seeded with the starter
    entities when empty (see :func:`kb.kbase.open_knowledge_base`)."""
    return open_knowledge_base(path or None)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kb' has no attribute {name!r}")


__all__ = [
    "BuildReport",
    "Candidate",
    "Claim",
    "Document",
    "Entity",
    "KnowledgeBase",
    "Link",
    "Mention",
    "Problem",
    "Settings",
    "annotate_spans",
    "annotate_texts",
    "build",
    "evaluate",
    "import_dump",
    "link_document",
    "load_settings",
    "make_datasette",
    "open_kb",
    "read_inputs",
    "resolve",
    "resolve_names",
]
