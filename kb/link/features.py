"""Candidate features: the evidence for "this name refers to that entity".

The learned ranker (:mod:`kb.link.model`) reads :func:`learned_features`: the evidence below,
raw, plus how the candidate stands among the others and the metonymy signals of
:mod:`kb.link.context`. The hand-weighted linker (``linker = "weighted"``) scores the weighted
mean of :func:`features_of` with the weights from :class:`kb.settings.Settings`:

- ``prior``: popularity (sitelinks, or curated prominence) relative to the other candidates;
- ``name``: how the surface matched (exact alias > spelling variant > fuzzy);
- ``type``: the entity's type agrees with the NER label;
- ``context``: words of the entity's description found in the document (Storm Shadow the
  missile, not the comic character, in an article about strikes);
- ``coherence``: the entity is related (by claims) to entities already linked in the document;
- ``curated``: the entity comes from the curated or user-written knowledge base.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..names import normalise
from ..records import Candidate
from ..settings import Settings
from .context import kind

_WORD = re.compile(r"[^\W\d_]{3,}")
_STOPWORDS = frozenset(
    """the and for with from that this was were are has have had not but its his her their
    who which what when where also into than then them they there been being over under about
    after before between during such other more most some any each many much very can will
    would could should may might one two three new former current year years people part
    known also first second last many well time""".split()
)
UNKNOWN_TYPES = frozenset({"OTHER", ""})

#: How well an NER label fits an entity type; pairs not listed score 0.
TYPE_FIT = {
    ("GPE", "LOC"): 0.8,
    ("LOC", "GPE"): 0.8,
    ("ORG", "GPE"): 0.3,  # "Moscow said …": metonymy
    ("GPE", "ORG"): 0.3,
    ("FAC", "ORG"): 0.5,
    ("ORG", "FAC"): 0.5,
    ("FAC", "GPE"): 0.5,
    ("PRODUCT", "WEAPON"): 0.8,
    ("ORG", "WEAPON"): 0.2,
    ("PERSON", "WEAPON"): 0.2,
    ("ORG", "PRODUCT"): 0.3,
    ("ORG", "WORK"): 0.2,
    ("WORK_OF_ART", "WORK"): 1.0,
    ("EVENT", "EVENT"): 1.0,
    ("PRODUCT", "PRODUCT"): 1.0,
}


#: Labels statistical NER mixes up among themselves (how much a mix-up still fits: settings).
CONFUSABLE = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})


def stem(word: str) -> str:
    """A crude stem so that "missiles" meets "missile" (lowercase, plural s dropped)."""
    word = word.lower()
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


def content_words(text: str) -> frozenset[str]:
    """The stemmed content words of a text, for context overlap."""
    return frozenset(stem(w) for w in _WORD.findall(text) if w.lower() not in _STOPWORDS)


@lru_cache(maxsize=16_384)
def description_words(label: str, alias: str, description: str) -> frozenset[str]:
    """The content words of an entity's description but those of its label and of the alias a
    mention matched (:func:`context_overlap`); remembered, as the same entities come up in
    document after document."""
    return content_words(description) - content_words(label) - content_words(alias)


def type_fit(label: str, entity_type: str, confusable_fit: float) -> float:
    """1 for the same type, a partial value for compatible pairs, 0.5 when the type is unknown.

    The small model often confuses people, organisations and places (a singer tagged ORG), so
    such a mismatch is weak evidence against a candidate, not a veto.
    """
    if entity_type in UNKNOWN_TYPES:
        return 0.5
    if label == entity_type:
        return 1.0
    if (label, entity_type) in TYPE_FIT:
        return TYPE_FIT[(label, entity_type)]
    return confusable_fit if {label, entity_type} <= CONFUSABLE else 0.0


def context_overlap(candidate: Candidate, document_words: frozenset[str]) -> float:
    """Share of the words of the entity's description that the document contains.

    Two to four shared words make a full match; one word alone at most half of one. The
    entity's own label and the alias the mention matched do not count: "Germany in the years
    1918–1933" must not win an article about Germany because it says "Germany". (Labels of
    claim values were tried as extra context words and lowered accuracy on dev-msnbc: words
    such as "United States" are everywhere in US news.)
    """
    words = description_words(candidate.label, candidate.matched_alias, candidate.description)
    if not words:
        return 0.0
    return min(1.0, len(words & document_words) / max(2, min(len(words), 4)))


def prominence(candidate: Candidate) -> float:
    """Popularity (sitelinks or curated), with how well documented the entity is as a tie-break
    worth less than one sitelink: London the capital over London, Ontario in a sitelink-poor KB."""
    return candidate.popularity + min(candidate.statements, 40) / 100


@dataclass(frozen=True)
class Evidence:
    """What a document says besides the name: its content words, the entities already linked
    in it and the ids their claims point to (gathered once per document, grown as it links)."""

    words: frozenset[str] = frozenset()
    linked_ids: frozenset[str] = frozenset()
    linked_related: frozenset[str] = frozenset()


def name_match(candidate: Candidate, settings: Settings) -> float:
    """How well the surface matched: exact alias 1, spelling variant, fuzzy by similarity; an
    alias that is not the entity's own label a little less ("Germany" is Germany's label but
    only an alias of the Weimar Republic)."""
    if candidate.match == "exact":
        quality = 1.0
        if normalise(candidate.matched_alias) != normalise(candidate.label):
            quality -= settings.alias_penalty
        return quality
    if candidate.match == "variant":
        return settings.variant_match
    return max(0.0, candidate.similarity - settings.fuzzy_discount)


def coherence(candidate: Candidate, related: set[str], evidence: Evidence) -> float:
    """Links between the candidate and the entities already linked, counted both ways: its
    claims point to them (``related``), or theirs point to it. Two links make a full match."""
    if not evidence.linked_ids:
        return 0.0
    links = len(related & evidence.linked_ids) + (1 if candidate.entity_id in evidence.linked_related else 0)
    return min(1.0, links / 2)


def features_of(
    candidate: Candidate, label: str, max_popularity: float, related: set[str], evidence: Evidence,
    settings: Settings,
) -> dict[str, float]:
    """The feature values of one candidate (see the module docstring); ``related`` are the ids
    the candidate's claims point to."""
    prior = math.log1p(prominence(candidate)) / math.log1p(max_popularity) if max_popularity > 0 else 1.0
    return {
        "prior": round(prior, 4),
        "name": name_match(candidate, settings),
        "type": type_fit(label, candidate.type, settings.confusable_fit),
        "context": round(context_overlap(candidate, evidence.words), 4),
        "coherence": coherence(candidate, related, evidence),
        "curated": 1.0 if candidate.origin in ("starter", "custom") else 0.0,
    }


def weighted(features: dict[str, float], weights: dict[str, float]) -> float:
    """The weighted mean of the features: the candidate's score in [0, 1]."""
    total = sum(weights.get(name, 0.0) for name in features)
    if total <= 0:
        return 0.0
    return sum(value * weights.get(name, 0.0) for name, value in features.items()) / total


# --- the learned ranker's features ---------------------------------------------------------------

#: Words either side of a mention read for its local context and its metonymy signals.
WINDOW = 10
#: Labels a mention of a place may carry.
PLACE_LABELS = frozenset({"GPE", "LOC"})


@dataclass(frozen=True)
class Neighbours:
    """The other clusters of a document, for coherence: per cluster, its candidates' ids and
    the ids their claims point to (share of its candidates each id belongs to)."""

    ids: tuple[dict[str, float], ...] = ()
    related: tuple[dict[str, float], ...] = ()


def neighbours(candidate_lists: list[list[Candidate]], related: dict[str, set[str]]) -> list[Neighbours]:
    """For each cluster (by its candidate list), the evidence of all the other clusters."""
    ids, pointed = [], []
    for candidates in candidate_lists:
        share = 1.0 / len(candidates) if candidates else 0.0
        own: dict[str, float] = {}
        out: dict[str, float] = {}
        for c in candidates:
            for key in {c.entity_id, c.qid} - {None}:
                own[key] = own.get(key, 0.0) + share
            for key in related.get(c.entity_id, set()):
                out[key] = out.get(key, 0.0) + share
        ids.append(own)
        pointed.append(out)
    return [
        Neighbours(tuple(ids[:k] + ids[k + 1:]), tuple(pointed[:k] + pointed[k + 1:]))
        for k in range(len(candidate_lists))
    ]


def document_coherence(candidate: Candidate, related: set[str], others: Neighbours) -> tuple[float, float]:
    """(weighted, count): how much of the other clusters' candidates the candidate is related to,
    both ways, each cluster weighted by the share of its candidates involved; and in how many
    other clusters any candidate is related to it. Order-free: the same in training and use."""
    weighted_sum, count = 0.0, 0
    keys = {candidate.entity_id, candidate.qid} - {None}
    for own, out in zip(others.ids, others.related):
        strength = max([own.get(r, 0.0) for r in related] + [out.get(k, 0.0) for k in keys] + [0.0])
        weighted_sum += min(strength, 1.0)
        count += strength > 0
    return min(1.0, weighted_sum / 2), min(1.0, count / 3)


def match_kind(candidate: Candidate) -> dict[str, float]:
    """How the name matched, one feature a kind: the entity's own label, another of its
    aliases, a spelling variant, fuzzily (by similarity), or as a person's surname alone."""
    own = normalise(candidate.matched_alias) == normalise(candidate.label)
    exact = candidate.match == "exact"
    return {
        "exact_label": float(exact and own),
        "exact_alias": float(exact and not own),
        "variant": float(candidate.match == "variant"),
        "fuzzy": candidate.similarity if candidate.match == "fuzzy" else 0.0,
        "surname": float(candidate.match == "surname"),
    }


def kind_in_context(candidate: Candidate, label: str, signals: dict[str, float]) -> dict[str, float]:
    """The kind of entity against the NER label and the words around the mention: a place in
    a sports story or as the speaker of a sentence is metonymy (the team, the government)."""
    what = kind(candidate)
    return {
        "org_as_place": float(label == "ORG" and what["place"] == 1.0),
        "place_as_org": float(label in PLACE_LABELS and candidate.type == "ORG"),
        "org_as_person": float(label == "ORG" and candidate.type == "PERSON"),
        "person_as_other": float(label == "PERSON" and candidate.type != "PERSON"),
        "sport_place": signals["sport"] * what["place"],
        "sport_team": signals["sport"] * what["team"],
        "speech_place": signals["speech"] * what["place"],
        "modifier_place": signals["modifier"] * what["place"],
        "speech_actor": signals["speech"] * max(what["government"], what["company"]),
        "team": what["team"],
        "government": what["government"],
        "company": what["company"],
        "school": what["school"],
    }


def learned_features(
    candidates: list[Candidate], label: str, signals: dict[str, float], local: frozenset[str],
    related: dict[str, set[str]], others: Neighbours, evidence: Evidence, settings: Settings,
) -> list[dict[str, float]]:
    """The learned ranker's features for each of a cluster's candidates (same order): the
    hand-made evidence above, raw, plus how the candidate stands among the others, the kind of
    entity against the label and the words around the mention (metonymy)."""
    if not candidates:
        return []
    top = max(prominence(c) for c in candidates)
    priors = [math.log1p(prominence(c)) / math.log1p(top) if top > 0 else 1.0 for c in candidates]
    count = len(candidates)
    rows = []
    for candidate, prior in zip(candidates, priors):
        others_prior = max((p for c, p in zip(candidates, priors) if c is not candidate), default=0.0)
        weighted_coherence, coherence_count = document_coherence(
            candidate, related.get(candidate.entity_id, set()), others
        )
        curated = candidate.origin in ("starter", "custom")  # prominent by a person's decision
        rows.append({
            "prior": round(prior, 4),
            "prior_gap": round(prior - others_prior, 4),
            "top_prior": float(prominence(candidate) >= top),
            "statements": min(candidate.statements, 40) / 40,
            "popular": 1.0 if curated else min(1.0, candidate.popularity),
            **match_kind(candidate),
            "type": type_fit(label, candidate.type, settings.confusable_fit),
            "type_same": float(label == candidate.type),
            "type_unknown": float(candidate.type in UNKNOWN_TYPES),
            # a lowercase label names a concept ("finance"), rarely what a capitalised name means
            "concept": float(candidate.label[:1].islower()),
            "context": round(context_overlap(candidate, evidence.words), 4),
            "context_local": round(context_overlap(candidate, local), 4),
            "coherence": round(weighted_coherence, 4),
            "coherence_count": round(coherence_count, 4),
            "curated": float(curated),
            "candidates": round(math.log(count) / math.log(20), 4),
            "single": float(count == 1),
            "mentions": round(min(1.0, math.log1p(signals.get("mentions", 1)) / math.log(20)), 4),
            **kind_in_context(candidate, label, signals),
        })
    return rows
