"""The publisher's country: which of two national namesakes a name means.

Some names belong to the same kind of institution in several countries: "the Armed Forces",
"the Foreign Ministry", "Parliament". Nothing in the name tells them apart, but the publisher
does: a Russian government release speaking of "the Armed Forces" means Russia's, a Ukrainian
one Ukraine's. A document's home country is read from the country-code top-level domain of its
URL (or, without one, of its ``source`` when that is a host name): ``kremlin.ru`` is Russia,
``bbc.co.uk`` the United Kingdom; ``.gov`` and ``.mil`` are the United States'. Country codes
that are sold as generic names (``.tv``, ``.io``, ``.co`` …) say nothing, nor do internationalised
country domains (``.рф``) yet.

With a home country known, a name that national namesakes share keeps a cluster of its own
(it is not taken for the short form of another country's full name written nearby:
:func:`national_namesakes`), and the namesakes of other countries leave its candidates
(:func:`drop_foreign_namesakes`); the ranker decides among the rest as it always does. Only
curated entities (the starter knowledge base's, or your own) with a country claim (P17) take
part: an imported Wikidata entity's country may be the seat of an international body, which
says nothing of whose it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

import pycountry

from ..kbase import KnowledgeBase
from ..names import normalise
from ..records import Candidate
from .clusters import Cluster

#: Country-code domains that Google Search treats as generic (used worldwide as vanity
#: names), and ``.su``, the Soviet Union's: they say nothing of a publisher's country.
GENERIC_COUNTRY_CODES = frozenset(
    "ad ai as bz cc cd co dj fm gg io la me ms nu sc sr su tk tv ws".split()
)
#: Types of entity the publisher's country tells apart: institutions. Not places: a British
#: paper's "Washington" is still the American capital, not the English town.
NAMESAKE_TYPES = frozenset({"ORG"})
#: Top-level domains that stand for another country code: the United States' government and
#: military domains, and the United Kingdom's own (ISO 3166 says GB).
NATIONAL_DOMAINS = {"gov": "us", "mil": "us", "uk": "gb"}
#: Where an entity's country claims come from a person's decision (see the module docstring).
CURATED_ORIGINS = frozenset({"starter", "custom"})
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def country_code(publisher: str | None) -> str | None:
    """The ISO 3166 alpha-2 code (lowercase) of the country a URL or host name's top-level
    domain stands for, or None: "http://kremlin.ru/events/1" → "ru", "www.bbc.co.uk" → "gb",
    "example.tv", "Reuters", "http://[::1" → None (anything that is no host name says nothing)."""
    if not publisher:
        return None
    try:
        host = urlsplit(publisher if _SCHEME.match(publisher) else f"//{publisher}").hostname or ""
    except ValueError:  # not a URL at all ("[Reuters]", a broken IPv6 address)
        return None
    domain = host.rstrip(".").rpartition(".")[2].lower()
    if "." not in host or not (domain.isascii() and domain.isalpha()):
        return None
    domain = NATIONAL_DOMAINS.get(domain, domain)
    if len(domain) != 2 or domain in GENERIC_COUNTRY_CODES or pycountry.countries.get(alpha_2=domain) is None:
        return None
    return domain


def home_country(publisher: str | None, knowledge_base: KnowledgeBase) -> frozenset[str]:
    """The knowledge base's ids (local id and QID) of the publisher's country, empty when the
    publisher names none or the knowledge base does not know it. The country's names come from
    ISO 3166 (``pycountry``); of the places the knowledge base knows by one of them exactly, the
    most popular is the country."""
    code = country_code(publisher)
    if code is None:
        return frozenset()
    found = [
        c for name in sorted(country_names(code))
        for c in knowledge_base.candidates(name, fuzzy_threshold=101.0) if c.type == "GPE" and c.match == "exact"
    ]
    if not found:
        return frozenset()
    best = max(found, key=lambda c: (c.popularity, c.entity_id))
    return frozenset({best.entity_id, best.qid} - {None})


@lru_cache(maxsize=256)
def country_names(code: str) -> frozenset[str]:
    """The ISO 3166 names of a country (its name, official and common names): those the
    knowledge base must know it by to be a publisher's home country."""
    country = pycountry.countries.get(alpha_2=code)
    names = (getattr(country, attribute, None) for attribute in ("name", "official_name", "common_name"))
    return frozenset(name for name in names if name)


def national_namesakes(surfaces: set[str], home: frozenset[str], knowledge_base: KnowledgeBase) -> frozenset[str]:
    """The names among ``surfaces`` (normalised) that a curated institution of the home country
    and one of another country both go by exactly: "Armed Forces" when the knowledge base knows two
    countries' armed forces by it."""
    shared = set()
    for surface in surfaces:
        found = knowledge_base.candidates(surface, fuzzy_threshold=101.0)
        institutions = [c for c in found if c.match == "exact" and _takes_part(c)]
        if len(institutions) > 1 and foreign_namesakes(institutions, home, knowledge_base.countries):
            shared.add(normalise(surface))
    return frozenset(shared)


def drop_foreign_namesakes(clusters: list[Cluster], home: frozenset[str], countries: Callable[[str], set[str]]) -> None:
    """Remove from each cluster's candidates the namesakes of another country: curated
    institutions that matched the same name as one of the home country, and whose own countries
    (country claims, :meth:`kb.kbase.KnowledgeBase.countries`) do not include it. The ranker
    then decides among the rest as usual."""
    if not home:
        return
    for cluster in clusters:
        foreign = foreign_namesakes([c for c in cluster.candidates if _takes_part(c)], home, countries)
        if foreign:
            cluster.candidates = [c for c in cluster.candidates if c.entity_id not in foreign]


def foreign_namesakes(
    institutions: list[Candidate], home: frozenset[str], countries: Callable[[str], set[str]]
) -> set[str]:
    """The ids of the institutions (one name's candidates) that share the name they matched
    with an institution of the home country and belong to other countries only."""
    shared = {name for name, count in Counter(map(_matched, institutions)).items() if count > 1}
    if not shared:
        return set()
    of = {c.entity_id: countries(c.entity_id) for c in institutions if _matched(c) in shared}
    at_home = {_matched(c) for c in institutions if of.get(c.entity_id, set()) & home}
    return {
        c.entity_id for c in institutions
        if _matched(c) in at_home and of[c.entity_id] and not of[c.entity_id] & home
    }


def _takes_part(candidate: Candidate) -> bool:
    """Whether a candidate is an institution whose country claims a person wrote."""
    return candidate.type in NAMESAKE_TYPES and candidate.origin in CURATED_ORIGINS


def _matched(candidate: Candidate) -> str:
    """The normalised name a candidate was found by."""
    return normalise(candidate.matched_alias)
