"""The recognise stage: spaCy NER plus EntityRulers built from the knowledge base's names.

- :mod:`kb.recognise.model`: the pipeline (model, ruler patterns of known names);
- :mod:`kb.recognise.ruler_cache`: the EntityRulers built once and reused from a cache file;
- :mod:`kb.recognise.spans`: an NER span trimmed to the name (quotes, possessives, titles …);
- :mod:`kb.recognise.mentions`: the mentions of parsed documents, with their sentences;
- :mod:`kb.recognise.repeats`: names a document already uses, found again where NER missed them.

The modules that need spaCy are imported on first use: the link stage uses
:func:`find_again` without loading spaCy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .repeats import find_again, sentence_around

_LAZY = {
    "DROPPED_LABELS": "mentions", "dateline_mentions": "mentions", "mentions_of": "mentions",
    "recognise": "mentions", "sentence_at": "mentions", "sentence_bounds": "mentions",
    "ModelNotFound": "model", "build_pipeline": "model", "generic_heads": "model", "load_model": "model",
    "ruler_patterns": "model", "clean_span": "spans", "is_not_a_name": "spans", "strip_titles": "spans",
}

__all__ = ["find_again", "sentence_around", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
