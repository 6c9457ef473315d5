"""The whole job: ingest → recognise → link → store, incrementally.

``build`` is what ``kb build`` runs. Unchanged documents (same text, same knowledge base, same
settings) cost nothing: the spaCy model is not even loaded when there is nothing to do.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from itertools import islice, tee
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from spacy.language import Language
from tqdm import tqdm

from . import store
from .ingest import read_inputs
from .kbase import KnowledgeBase
from .link import LinkResult, is_unresolved, link_document
from .recognise import build_pipeline, recognise
from .records import Document, Entity, Mention, Problem
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build did, for the CLI summary and for tests."""

    documents: int = 0
    processed: int = 0
    unchanged: int = 0
    mentions: int = 0
    linked: int = 0  # to an entity with a Wikidata QID
    local: int = 0  # to a knowledge-base entity without a QID yet (every weapon system, …)
    unresolved: int = 0  # to an unresolved name
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def open_knowledge_base(db: sqlite_utils.Database, kb_path: str | Path | None) -> KnowledgeBase:
    """The knowledge base for a build: ``kb_path`` if given, else the output database itself.

    An empty knowledge base is seeded with the curated starter entities.
    """
    return KnowledgeBase.open(db if kb_path is None else kb_path, seed=True)


def make_nlp(settings: Settings, knowledge_base: KnowledgeBase) -> Language:
    """The spaCy pipeline with an EntityRuler of the knowledge base's curated names."""
    popular = knowledge_base.popular_names(settings.ruler_imported, settings.linked_labels)
    return build_pipeline(settings.model, knowledge_base.ruler_names(), popular)


def link_batches(
    nlp: Language,
    documents: Iterable[Document],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    warnings: list[str] | None = None,
) -> Iterator[list[tuple[Document, LinkResult]]]:
    """Recognise and link a stream of documents, yielding them linked in batches.

    Recognition streams through ``nlp.pipe`` (with ``settings.processes`` worker processes);
    each batch is linked, and with ``settings.online`` the names the local knowledge base cannot
    resolve are looked up on Wikidata and the batch relinked.
    """
    documents, for_texts = tee(documents)
    texts = (document.text for document in for_texts)
    recognised = zip(
        documents,
        recognise(
            nlp, texts, knowledge_base.keeps_article, settings.batch_size, settings.processes,
            settings.sentence_limit, settings.weapon_context,
        ),
    )
    while batch := list(islice(recognised, settings.batch_size)):
        yield _link_batch(batch, knowledge_base, settings, warnings)


def _link_batch(
    batch: list[tuple[Document, list[Mention]]],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    warnings: list[str] | None,
) -> list[tuple[Document, LinkResult]]:
    def link_all() -> list[tuple[Document, LinkResult]]:
        return [(d, link_document(d.id, d.text, m, knowledge_base, settings)) for d, m in batch]

    results = link_all()
    if settings.online:
        names = sorted({link.name for _, r in results for link in r.links if link.qid is None})
        if names and _resolve_online(knowledge_base, names, settings, warnings):
            results = link_all()
    return results


def _resolve_online(
    knowledge_base: KnowledgeBase, names: list[str], settings: Settings, warnings: list[str] | None
) -> bool:
    from .wikidata.online import resolve_names

    report = resolve_names(knowledge_base, names, settings)
    if warnings is not None:
        warnings.extend(report.warnings)
    return bool(report.written)


def _open(
    db_path: str | Path, kb_path: str | Path | None, settings: Settings
) -> tuple[sqlite_utils.Database, KnowledgeBase, str]:
    """The output database, the knowledge base, and the signature documents are linked with."""
    db = store.open_database(db_path)
    knowledge_base = open_knowledge_base(db, kb_path)
    return db, knowledge_base, f"{knowledge_base.fingerprint()}|{settings.linking_signature()}"


def build(
    paths: Iterable[str | Path],
    db_path: str | Path,
    settings: Settings,
    kb_path: str | Path | None = None,
    progress: bool | None = None,
) -> BuildReport:
    """Build or update the database at ``db_path`` from the articles under ``paths``.

    Each batch of documents is written in one transaction: a failure leaves every document
    stored before it, and the previous version of the failing ones, intact. Problems with
    inputs are reported and skipped.
    """
    started = time.perf_counter()
    report = BuildReport()
    db, knowledge_base, signature = _open(db_path, kb_path, settings)
    stored = store.stored_state(db)
    todo: list[Document] = []
    for item in read_inputs(paths):
        if isinstance(item, Problem):
            report.problems.append(item)
            log.warning("%s", item)
            continue
        report.documents += 1
        if stored.get(item.id) == (item.content_hash, signature):
            report.unchanged += 1
        else:
            todo.append(item)
    _process(db, todo, knowledge_base, settings, signature, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def resolve(
    db_path: str | Path,
    settings: Settings,
    kb_path: str | Path | None = None,
    progress: bool | None = None,
) -> BuildReport:
    """Relink stored documents that have unresolved names or were linked with another knowledge
    base or settings: after adding entities, overrides, or with ``settings.online``."""
    started = time.perf_counter()
    report = BuildReport()
    db, knowledge_base, signature = _open(db_path, kb_path, settings)
    todo = store.documents_to_resolve(db, signature)
    report.documents = db["documents"].count
    report.unchanged = report.documents - len(todo)
    _process(db, todo, knowledge_base, settings, signature, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def _process(
    db: sqlite_utils.Database,
    todo: list[Document],
    knowledge_base: KnowledgeBase,
    settings: Settings,
    signature: str,
    report: BuildReport,
    progress: bool | None,
) -> None:
    """Recognise, link and store ``todo`` batch by batch; then refresh the derived tables.
    Does nothing (and loads no model) when there is nothing to do."""
    if not todo:
        return
    nlp = make_nlp(settings, knowledge_base)
    separate_kb = knowledge_base.db.conn is not db.conn
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=len(todo), unit="doc", desc="kb build", disable=not show) as bar:
        for results in link_batches(nlp, todo, knowledge_base, settings, report.warnings):
            with db.conn:
                for document, result in results:
                    entities = list(result.new_entities)
                    if separate_kb:
                        entities += _entities_to_copy(result, knowledge_base)
                    store.write_document(db, document, result.links, result.unlinked, entities, signature)
                    report.processed += 1
                    report.mentions += len(result.links) + len(result.unlinked)
                    report.linked += sum(1 for link in result.links if link.qid)
                    report.unresolved += sum(1 for link in result.links if is_unresolved(link.entity_id))
                    report.local += sum(
                        1 for link in result.links if not link.qid and not is_unresolved(link.entity_id)
                    )
            bar.update(len(results))
    store.refresh_derived(db)


def _entities_to_copy(result: LinkResult, knowledge_base: KnowledgeBase) -> list[Entity]:
    """Entities of a separate knowledge-base file that this document's links point to."""
    ids = {link.entity_id for link in result.links} | {
        link.runner_up_id for link in result.links if link.runner_up_id
    }
    new = {e.id for e in result.new_entities}
    return [e for e in (knowledge_base.get(i) for i in sorted(ids - new)) if e is not None]
