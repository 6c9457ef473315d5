"""The recognise stage: spaCy NER plus EntityRulers built from the knowledge base's names.

- :mod:`kb.recognise.model`: the pipeline (model, ruler patterns of known names);
- :mod:`kb.recognise.spans`: an NER span trimmed to the name (quotes, possessives, titles …);
- :mod:`kb.recognise.mentions`: the mentions of parsed documents, with their sentences;
- :mod:`kb.recognise.repeats`: names a document already uses, found again where NER missed them.
"""

from __future__ import annotations

from .mentions import DROPPED_LABELS, dateline_mentions, mentions_of, recognise, sentence_at, sentence_bounds
from .model import ModelNotFound, build_pipeline, generic_heads, load_model, ruler_patterns
from .repeats import find_again, sentence_around
from .spans import clean_span, is_not_a_name, strip_titles

__all__ = [
    "DROPPED_LABELS", "ModelNotFound", "build_pipeline", "clean_span", "dateline_mentions", "find_again",
    "generic_heads", "is_not_a_name", "load_model", "mentions_of", "recognise", "ruler_patterns",
    "sentence_around", "sentence_at", "sentence_bounds", "strip_titles",
]
