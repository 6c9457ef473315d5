"""Nationality words ("Italian", "Kenyans", tagged NORP) linked to their country, when
``settings.link_demonyms`` asks for it.

The words and the countries' English names come from ``kb/data/demonyms.yaml``; the country is
then looked up by its name in the knowledge base in use, so the link is whatever entity that
knowledge base holds for the country (with its QID, if it has one). A word whose country the
knowledge base does not know stays an unlinked NORP mention.
"""

from __future__ import annotations

from functools import lru_cache

from ..kbase import KnowledgeBase
from ..names import normalise
from ..records import Candidate, Link, Mention
from ..recognise.vocabulary import demonyms

#: the label nationality words carry; the link keeps it, so they never count as places
DEMONYM_LABEL = "NORP"


@lru_cache(maxsize=1)
def demonym_table() -> dict[str, str]:
    """Normalised nationality word, singular and plural ("italian", "italians") → country name."""
    table: dict[str, str] = {}
    for word, country in demonyms().items():
        key = normalise(word)
        table[key] = country
        if not key.endswith(("s", "sh", "ch", "ese")):  # "Swiss", "Polish", "Dutch", "Chinese"
            table[key + "s"] = country
    return table


def country_of(surface: str, knowledge_base: KnowledgeBase) -> Candidate | None:
    """The knowledge base's country for a nationality word: the most popular place whose own
    name matches the country's name exactly; None when the word or the country is unknown."""
    country = demonym_table().get(normalise(surface))
    if country is None:
        return None
    places = [
        c for c in knowledge_base.candidates(country, limit=5)
        if c.type == "GPE" and c.match == "exact"
    ]
    return max(places, key=lambda c: (c.popularity, c.entity_id), default=None)


def link_demonyms(mentions: list[Mention], knowledge_base: KnowledgeBase) -> tuple[list[Link], list[Mention]]:
    """Split NORP mentions into links to their country and the mentions left unlinked. A link's
    score is 1.0: it is a lookup in a fixed table, not a ranking."""
    links, rest = [], []
    for mention in mentions:
        country = country_of(mention.text, knowledge_base) if mention.label == DEMONYM_LABEL else None
        if country is None:
            rest.append(mention)
            continue
        links.append(
            Link(mention, country.entity_id, country.qid, country.label, DEMONYM_LABEL, 1.0)
        )
    return links, rest
