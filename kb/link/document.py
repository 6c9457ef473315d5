"""Linking one document: clusters, candidates, names found again, ranking, then links."""

from __future__ import annotations

from dataclasses import dataclass

from ..kbase import KnowledgeBase
from ..recognise.repeats import find_again
from ..records import Entity, Link, Mention
from ..settings import Settings
from .candidates import cluster_candidates, linkable, most_popular
from .clusters import Cluster, build_clusters, repeat_forms, short_surfaces
from .demonyms import link_demonyms
from .features import Evidence, content_words
from .home import drop_foreign_namesakes, home_country, national_namesakes
from .model import load_ranker
from .nil import Decision, decide, keeps_unresolved, unresolved_entity
from .ranking import ScoredCandidate, decide_learned, featurise, rank_clusters


@dataclass
class LinkResult:
    """What linking one document produced."""

    links: list[Link]
    unlinked: list[Mention]
    new_entities: list[Entity]


@dataclass(frozen=True)
class _Choice:
    """What a cluster's mentions link to."""

    entity_id: str
    qid: str | None
    name: str
    type: str
    score: float


def cluster_override(knowledge_base: KnowledgeBase, document_id: str, cluster: Cluster) -> tuple[bool, str | None]:
    """The manual decision for a cluster: for its name, else for the text a mention writes it
    with when it is looked up by another name ("Alpha" in "the Alpha and Beta regions", looked
    up as "Alpha region"): an override is set on what the user sees."""
    for surface in [cluster.name, *sorted({m.text for m in cluster.mentions if m.name})]:
        found = knowledge_base.override(document_id, surface)
        if found[0]:
            break
    return found


def link_document(
    document_id: str,
    text: str,
    mentions: list[Mention],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    publisher: str | None = None,
) -> LinkResult:
    """Link one document's mentions (``publisher``: the document's URL or host, if known).

    1. manual overrides win ("this surface is that entity", "never link this surface");
    2. mentions that name the same thing are clustered (:mod:`kb.link.clusters`);
    3. each cluster's candidates come from the knowledge base (:mod:`kb.link.candidates`);
    4. the names of known people and organisations are found again where NER missed them
       (:mod:`kb.recognise.repeats`);
    5. candidates are ranked by the learned model (:mod:`kb.link.ranking`,
       :mod:`kb.link.model`) and each cluster linked or left unresolved (:mod:`kb.link.nil`);
       a name that national namesakes share is the publisher's country's (:mod:`kb.link.home`);
    6. with ``settings.link_demonyms``, nationality words are linked to their country
       (:mod:`kb.link.demonyms`).

    The entity's type corrects NER's label (NER's "Stoltenberg"/GPE becomes PERSON).
    """
    if settings.linker == "prior":
        to_link = [m for m in mentions if linkable(m, settings)]
        unlinked = [m for m in mentions if not linkable(m, settings)]
        result = _link_prior_only(to_link, unlinked, knowledge_base, settings)
    else:
        home = home_country(publisher, knowledge_base)
        prepared = prepare_document(document_id, text, mentions, knowledge_base, settings, home)
        if settings.linker == "weighted":
            rank_clusters(prepared.clusters, Evidence(words=content_words(text)), knowledge_base, settings)
        else:
            decide_learned(prepared.clusters, load_ranker(), settings)
        result = assemble(prepared, knowledge_base, settings)
    if settings.link_demonyms:
        countries, unlinked = link_demonyms(result.unlinked, knowledge_base)
        links = sorted(result.links + countries, key=lambda link: link.mention.start)
        result = LinkResult(links, unlinked, result.new_entities)
    return result


@dataclass
class Prepared:
    """A document ready to be decided: its clusters (with candidates and features) and the
    mentions of labels kb does not link."""

    clusters: list[Cluster]
    unlinked: list[Mention]


def prepare_document(
    document_id: str, text: str, mentions: list[Mention], knowledge_base: KnowledgeBase, settings: Settings,
    home: frozenset[str] = frozenset(),
) -> Prepared:
    """Steps 1–4 of :func:`link_document` and the learned ranker's features: everything but the
    decision, so that a ranker in training can be tried on a document prepared once. ``home``:
    the publisher's country (:func:`kb.link.home.home_country`): a name its namesakes share keeps
    a cluster of its own, and other countries' namesakes leave the candidates."""
    to_link = [m for m in mentions if linkable(m, settings)]
    unlinked = [m for m in mentions if not linkable(m, settings)]
    clusters = build_clusters(to_link, settings)
    if home:
        apart = national_namesakes(short_surfaces(clusters), home, knowledge_base)
        clusters = build_clusters(to_link, settings, apart) if apart else clusters
    for cluster in clusters:
        cluster.forced = cluster_override(knowledge_base, document_id, cluster)
        if not cluster.forced[0]:
            cluster.candidates = cluster_candidates(cluster, knowledge_base, settings)
    drop_foreign_namesakes(clusters, home, knowledge_base.countries)
    _find_names_again(text, clusters, [(m.start, m.end) for m in mentions], settings)
    if settings.linker != "weighted":
        featurise(clusters, text, knowledge_base, settings)
    return Prepared(clusters, unlinked)


def _find_names_again(
    text: str, clusters: list[Cluster], taken: list[tuple[int, int]], settings: Settings
) -> None:
    """Add to each cluster of ``settings.repeat_labels`` (people, organisations) the
    occurrences of its names NER missed: one sense per document. Only names the knowledge base
    knows (or an override names) spread; the search itself is recognition
    (:func:`kb.recognise.repeats.find_again`)."""
    known = [
        c for c in clusters if (c.candidates or c.forced[1]) and c.label in settings.repeat_labels
    ]
    names = [(repeat_forms(cluster, settings), cluster.label) for cluster in known]
    for cluster, found in zip(known, find_again(text, names, taken, settings)):
        cluster.mentions.extend(found)
        cluster.mentions.sort(key=lambda m: m.start)


def assemble(prepared: Prepared, knowledge_base: KnowledgeBase, settings: Settings) -> LinkResult:
    """Turn each cluster's decision (override, best candidate, or NIL) into links."""
    clusters, unlinked = prepared.clusters, list(prepared.unlinked)
    links: list[Link] = []
    new_entities: dict[str, Entity] = {}
    for cluster in clusters:
        chosen = _choose(cluster, knowledge_base, settings)
        if chosen is None:
            unlinked.extend(cluster.mentions)
            continue
        choice, unresolved = chosen
        if unresolved is not None:
            new_entities.setdefault(unresolved.id, unresolved)
        links.extend(_links(cluster, choice))
    links.sort(key=lambda link: link.mention.start)
    return LinkResult(links, unlinked, list(new_entities.values()))


def _choose(
    cluster: Cluster, knowledge_base: KnowledgeBase, settings: Settings
) -> tuple[_Choice, Entity | None] | None:
    """The cluster's entity: the override's, the winner's, or its unresolved entity (returned
    too, as a new entity); None when its mentions stay unlinked (a "never link" override, or
    NIL for a soft label)."""
    forced, forced_id = cluster.forced
    if forced and forced_id is None:
        return None
    entity = knowledge_base.get(forced_id) if forced and forced_id else None
    if entity is not None:
        return _Choice(entity.id, entity.qid, entity.label, _label(entity.type, cluster, settings), 1.0), None
    decision = cluster.decision or Decision()
    if decision.winner is not None:
        c = decision.winner.candidate
        return _Choice(c.entity_id, c.qid, c.label, _label(c.type, cluster, settings), _score(decision)), None
    if not keeps_unresolved(cluster.label, settings):
        return None
    nil = unresolved_entity(cluster.name, cluster.label)
    score = _score(decision)
    return _Choice(nil.id, None, nil.label, nil.type, score), nil


def _score(decision: Decision) -> float:
    """A decision's score: the learned ranker's confidence, else the best candidate's score."""
    if decision.confidence is not None:
        return decision.confidence
    return decision.best.score if decision.best is not None else 0.0


def _links(cluster: Cluster, choice: _Choice) -> list[Link]:
    """One link per mention of the cluster; the runner-up is the best other candidate."""
    decision = cluster.decision or Decision()
    best, runner = decision.best, decision.runner_up
    if best is not None and best.candidate.entity_id != choice.entity_id:
        runner = best
    features = dict(best.features) if best is not None else {}
    return [
        Link(
            mention=mention, entity_id=choice.entity_id, qid=choice.qid, name=choice.name, type=choice.type,
            score=choice.score, runner_up_id=runner.candidate.entity_id if runner else None,
            runner_up_score=runner.score if runner else None, features=features,
        )
        for mention in cluster.mentions
    ]


def _label(entity_type: str, cluster: Cluster, settings: Settings) -> str:
    """The mention label after linking: the entity's type corrects NER when it is one of the
    linked types; an OTHER/WORK/… entity leaves NER's label alone."""
    return entity_type if entity_type in settings.linked_labels else cluster.label


def _link_prior_only(
    mentions: list[Mention], unlinked: list[Mention], knowledge_base: KnowledgeBase, settings: Settings
) -> LinkResult:
    """The popularity-prior baseline: each mention alone, most popular candidate wins."""
    links = []
    new_entities: dict[str, Entity] = {}
    for mention in mentions:
        best = most_popular(mention, knowledge_base, settings)
        decision = decide([ScoredCandidate(best, 1.0, {})] if best else [], settings)
        if decision.winner is not None:
            c = decision.winner.candidate
            links.append(Link(mention, c.entity_id, c.qid, c.label, c.type, decision.winner.score))
        elif keeps_unresolved(mention.label, settings):
            nil = unresolved_entity(mention.meant, mention.label)
            new_entities.setdefault(nil.id, nil)
            links.append(Link(mention, nil.id, None, mention.meant, mention.label, 0.0))
        else:
            unlinked.append(mention)
    return LinkResult(links, unlinked, list(new_entities.values()))
