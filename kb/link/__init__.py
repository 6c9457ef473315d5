"""The link stage: mentions → knowledge-base entities, or honest unresolved entities.

Per document:

1. manual overrides win ("this surface is that entity", "never link this surface");
2. mentions are grouped into clusters that name the same thing: the same name, a surname or
   first name of a person named in full elsewhere in the text ("Stoltenberg" → "Jens
   Stoltenberg"), an acronym of a longer name (FSI → Freeman Spogli Institute …);
3. each cluster's candidates come from the knowledge base (:meth:`KnowledgeBase.candidates`);
4. candidates are scored by :func:`kb.link.score.rank_candidates` (one place, weights in settings),
   unambiguous clusters first so that later ones can use document coherence;
5. below ``settings.nil_threshold`` a cluster stays unresolved: an entity without a QID, grouped
   by normalised name, ready to be resolved later.

The entity's type corrects NER's label (NER's "Stoltenberg"/GPE becomes PERSON).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..kbase import KnowledgeBase
from ..names import acronym, normalise
from ..records import Candidate, Entity, Link, Mention
from .score import ScoredCandidate, content_words, rank_candidates
from ..settings import Settings

#: NER labels worth trying to link besides the linked labels themselves: spaCy often tags a
#: known name as LOC/FAC/PRODUCT; such a mention is linked only to a knowledge-base entity.
SOFT_LABELS = frozenset({"LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
#: NER labels a short form of a longer name may carry ("Stoltenberg" tagged GPE, "Heat" ORG).
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT"})
ORG_SHORT_LABELS = frozenset({"ORG", "NORP", "PRODUCT"})
CONNECTIVES = frozenset({"of", "for", "and", "on", "in", "de"})
#: Last words of organisation names that do not name the organisation on their own.
GENERIC_HEADS = frozenset(
    """group company corporation corp inc ltd party ministry army forces force office council
    agency university college bank institute committee department association union organization
    organisation service services news press house center centre club league conference court
    government administration airport station network channel radio times post""".split()
)
_TOKEN = re.compile(r"[\w][\w\-’']*")


@dataclass
class Cluster:
    """Mentions in one document that refer to the same thing."""

    mentions: list[Mention]
    name: str  # the fullest surface: what candidates are looked up by
    label: str  # the NER label the cluster most likely has
    forced: tuple[bool, str | None] = (False, None)  # a manual override: (found, entity or None)
    candidates: list[Candidate] = field(default_factory=list)
    ranked: list[ScoredCandidate] = field(default_factory=list)  # candidates scored, best first


@dataclass
class LinkResult:
    """What linking one document produced."""

    links: list[Link]
    unlinked: list[Mention]
    new_entities: list[Entity]


def nil_id(name: str) -> str:
    """The id of the unresolved entity for a name: grouped by normalised name across documents."""
    return "nil:" + normalise(name).replace(" ", "-")


def is_unresolved(entity_id: str) -> bool:
    """Whether an entity id names an unresolved entity (see :func:`nil_id`)."""
    return entity_id.startswith("nil:")


def linkable(mention: Mention, settings: Settings) -> bool:
    """Whether a mention's label is one that kb links (or may link, for the soft labels)."""
    return mention.label in settings.linked_labels or mention.label in SOFT_LABELS


def tokens(surface: str) -> list[str]:
    """Normalised name tokens (hyphenated parts kept together: "al-Maliki" is one token)."""
    return [normalise(t) for t in _TOKEN.findall(surface.replace("’", "'")) if normalise(t)]


def build_clusters(mentions: list[Mention]) -> list[Cluster]:
    """Group a document's mentions that name the same thing; longest names first.

    A mention joins a cluster when it has the same normalised name, when it is the first or
    last name(s) of a person named in full ("Stoltenberg", "Saddam"), the last word(s) of an
    organisation's name ("Pistons" after "Detroit Pistons"), or the acronym of the cluster's
    name.
    """
    by_name: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_name.setdefault(normalise(mention.text), []).append(mention)
    names = sorted(by_name, key=lambda n: (-len(tokens(by_name[n][0].text)), -len(n), n))
    clusters: list[Cluster] = []
    for name in names:
        group = by_name[name]
        target = _cluster_to_join(group, clusters)
        if target is None:
            clusters.append(Cluster(list(group), group[0].text, _majority_label(group)))
        else:
            target.mentions.extend(group)
    for cluster in clusters:
        cluster.mentions.sort(key=lambda m: m.start)
        cluster.label = _majority_label(cluster.mentions, prefer=cluster.label)
    return clusters


def short_forms(cluster: Cluster) -> set[str]:
    """Shorter names a cluster goes by later in a text: a person's surname ("Stoltenberg"), the
    head of an organisation's name ("Heat" for "Miami Heat") unless it is a generic word."""
    words = cluster.name.split()
    if len(words) < 2 or not words[-1][:1].isupper() or len(words[-1]) < 3:
        return set()
    if cluster.label == "PERSON":
        return {words[-1]}
    if cluster.label == "ORG" and not {w.lower() for w in words} & CONNECTIVES:
        return set() if words[-1].lower() in GENERIC_HEADS else {words[-1]}
    return set()


def propagate(text: str, clusters: list[Cluster], taken: list[tuple[int, int]]) -> None:
    """Add the occurrences NER missed of the names a document already uses (one sense per
    document): every other "Miami Heat", "Heat" or "Walters" after "Barbara Walters".

    Only people and organisations the knowledge base knows (the caller passes those clusters),
    only whole-word occurrences that overlap no existing mention; the new mentions join their
    cluster (source "propagated").
    """
    spans = sorted(taken)
    for cluster in clusters:
        if cluster.label not in ("PERSON", "ORG"):
            continue
        forms = {m.text for m in cluster.mentions if len(m.text) >= 3} | short_forms(cluster)
        for form in sorted(forms, key=len, reverse=True):
            for match in re.finditer(rf"(?<![\w\-]){re.escape(form)}(?![\w\-])", text):
                start, end = match.span()
                if any(start < e and s < end for s, e in spans):
                    continue
                spans.append((start, end))
                cluster.mentions.append(
                    Mention(start, end, form, cluster.label, sentence_around(text, start, end), "propagated")
                )
        cluster.mentions.sort(key=lambda m: m.start)


def sentence_around(text: str, start: int, end: int, limit: int = 400) -> str:
    """The sentence a span stands in (cut at sentence punctuation or line breaks)."""
    left = max(text.rfind(mark, 0, start) for mark in (". ", "! ", "? ", "\n")) + 1
    stops = [i for i in (text.find(mark, end) for mark in (". ", "! ", "? ", "\n")) if i != -1]
    right = min(stops) + 1 if stops else len(text)
    return text[left:right].strip()[:limit]


def _cluster_to_join(group: list[Mention], clusters: list[Cluster]) -> Cluster | None:
    short = tokens(group[0].text)
    if not short:
        return None
    capitalised = group[0].text[:1].isupper()
    for cluster in clusters:
        full = tokens(cluster.name)
        if len(full) <= len(short) or not capitalised:
            continue
        ends_alike = full[-len(short):] == short
        if cluster.label == "PERSON" and group[0].label in NAME_LABELS:
            if ends_alike or full[: len(short)] == short:
                return cluster
        elif cluster.label == "ORG" and group[0].label in ORG_SHORT_LABELS and ends_alike:
            if not set(full) & CONNECTIVES:  # "Ukraine" is not short for "Armed Forces of Ukraine"
                return cluster
    key = normalise(group[0].text).replace(" ", "")
    if 2 <= len(key) <= 6 and group[0].text.isupper():
        for cluster in clusters:
            initials = acronym(cluster.name)
            spelled = initials == key or (len(key) >= 3 and initials.startswith(key))
            if spelled and cluster.label in ("ORG", "GPE"):
                return cluster
    return None


def _majority_label(mentions: list[Mention], prefer: str | None = None) -> str:
    """The cluster's label: the ruler's (a known name) if any, a person stays a person, else
    the most frequent NER label."""
    ruled = [m.label for m in mentions if m.source == "ruler"]
    if ruled:
        return ruled[0]
    if prefer == "PERSON":
        return prefer
    return Counter(m.label for m in mentions).most_common(1)[0][0]


def link_document(
    document_id: str,
    text: str,
    mentions: list[Mention],
    knowledge_base: KnowledgeBase,
    settings: Settings,
) -> LinkResult:
    """Link one document's mentions; see the module docstring for the steps."""
    candidates_for = [m for m in mentions if linkable(m, settings)]
    unlinked = [m for m in mentions if not linkable(m, settings)]
    if settings.linker == "prior":
        return _link_prior_only(candidates_for, unlinked, knowledge_base, settings)
    clusters = build_clusters(candidates_for)
    for cluster in clusters:
        cluster.forced = knowledge_base.override(document_id, cluster.name)
        if not cluster.forced[0]:
            cluster.candidates = _cluster_candidates(cluster, knowledge_base, settings)
    known = [c for c in clusters if c.candidates or c.forced[1]]
    propagate(text, known, taken=[(m.start, m.end) for m in mentions])
    document_words = content_words(text)
    linked_ids: set[str] = set()
    linked_related: frozenset[str] = frozenset()
    # Unambiguous clusters first: their entities are the coherence evidence for the rest.
    for cluster in sorted(clusters, key=lambda c: len(c.candidates) != 1):
        if cluster.forced[0]:
            continue
        cluster.ranked = rank_candidates(
            cluster.candidates, cluster.label, document_words, linked_ids, knowledge_base, settings,
            linked_related,
        )
        if cluster.ranked and cluster.ranked[0].score >= settings.nil_threshold:
            best = cluster.ranked[0].candidate
            linked_ids.update(i for i in (best.entity_id, best.qid) if i)
            linked_related |= knowledge_base.related(best.entity_id)
    return _assemble(clusters, unlinked, knowledge_base, settings)


def _cluster_candidates(cluster: Cluster, knowledge_base: KnowledgeBase, settings: Settings) -> list[Candidate]:
    # Shorter forms are a fallback only when they are names in their own right: "BA" must not
    # stand in for "British Airways" when the knowledge base does not know the airline.
    others = sorted(
        {m.text for m in cluster.mentions if len(m.text) > 4 and not m.text.isupper()} - {cluster.name},
        key=lambda s: (-len(s), s),
    )
    for surface in [cluster.name, *others]:
        found = knowledge_base.candidates(surface, settings.max_candidates, settings.fuzzy_threshold)
        if found:
            return found
    return []


def _assemble(
    clusters: list[Cluster], unlinked: list[Mention], knowledge_base: KnowledgeBase, settings: Settings
) -> LinkResult:
    """Turn each cluster's decision (override, best candidate, or NIL) into links."""
    links: list[Link] = []
    new_entities: dict[str, Entity] = {}
    for cluster in clusters:
        forced, forced_id = cluster.forced
        best = cluster.ranked[0] if cluster.ranked else None
        runner = cluster.ranked[1] if len(cluster.ranked) > 1 else None
        if forced and forced_id is None:
            unlinked.extend(cluster.mentions)
            continue
        entity = knowledge_base.get(forced_id) if forced and forced_id else None
        if entity is not None:
            chosen = (entity.id, entity.qid, entity.label, _label(entity.type, cluster, settings), 1.0)
        elif best is not None and best.score >= settings.nil_threshold:
            c = best.candidate
            chosen = (c.entity_id, c.qid, c.label, _label(c.type, cluster, settings), best.score)
        elif cluster.label in settings.linked_labels:
            entity_id = nil_id(cluster.name)
            new_entities.setdefault(
                entity_id,
                Entity(id=entity_id, label=cluster.name, type=cluster.label, origin="unresolved"),
            )
            score = best.score if best is not None else 0.0
            chosen = (entity_id, None, cluster.name, cluster.label, score)
        else:
            unlinked.extend(cluster.mentions)
            continue
        entity_id, qid, name, entity_type, score = chosen
        runner_id = runner.candidate.entity_id if runner is not None else None
        runner_score = runner.score if runner is not None else None
        if best is not None and best.candidate.entity_id != entity_id:
            runner_id, runner_score = best.candidate.entity_id, best.score
        for mention in cluster.mentions:
            links.append(
                Link(
                    mention=mention, entity_id=entity_id, qid=qid, name=name, type=entity_type,
                    score=score, runner_up_id=runner_id, runner_up_score=runner_score,
                    features=dict(best.features) if best is not None else {},
                )
            )
    links.sort(key=lambda link: link.mention.start)
    return LinkResult(links, unlinked, list(new_entities.values()))


def _label(entity_type: str, cluster: Cluster, settings: Settings) -> str:
    """The mention label after linking: the entity's type corrects NER when it is one of the
    linked types; an OTHER/WORK/… entity leaves NER's label alone."""
    return entity_type if entity_type in settings.linked_labels else cluster.label


def _link_prior_only(
    mentions: list[Mention], unlinked: list[Mention], knowledge_base: KnowledgeBase, settings: Settings
) -> LinkResult:
    """The popularity-prior baseline: each mention alone, most popular exact candidate wins."""
    links = []
    new_entities: dict[str, Entity] = {}
    for mention in mentions:
        found = knowledge_base.candidates(mention.text, settings.max_candidates, settings.fuzzy_threshold)
        if found:
            best = max(found, key=lambda c: (c.popularity, c.similarity))
            links.append(Link(mention, best.entity_id, best.qid, best.label, best.type, 1.0))
        elif mention.label in settings.linked_labels:
            entity_id = nil_id(mention.text)
            new_entities.setdefault(
                entity_id, Entity(id=entity_id, label=mention.text, type=mention.label, origin="unresolved")
            )
            links.append(Link(mention, entity_id, None, mention.text, mention.label, 0.0))
        else:
            unlinked.append(mention)
    return LinkResult(links, unlinked, list(new_entities.values()))
