"""kb: an entity knowledge-base builder for news.

ingest → recognise → link → store → publish, with a local Wikidata-backed knowledge base.
"""

from .records import Candidate, Claim, Document, Entity, Link, Mention, Problem
from .settings import Settings, load_settings

__all__ = [
    "Candidate",
    "Claim",
    "Document",
    "Entity",
    "Link",
    "Mention",
    "Problem",
    "Settings",
    "load_settings",
]
