"""kb's linker as a spaCy pipeline component: ``nlp.add_pipe("kb_linker", config={"kb": "kb.db"})``.

The component links the entities already in ``doc.ents`` (from any NER or EntityRuler earlier in
the pipeline) with :func:`kb.link.link_document` and the learned ranker, and sets on each linked
entity ``Span.kb_id_`` (the Wikidata QID) and ``Span._.kb_confidence`` (the ranker's calibrated
confidence). Entities left unresolved keep an empty ``kb_id_`` and a confidence of None. A Doc
may say where it was published (``doc._.kb_publisher``: its URL or host, set before the linker
runs): the publisher's country tells national namesakes apart (:mod:`kb.link.home`).

The factory is registered when this module is imported (``import kb.link.spacy_linker``) and, for
an installed kb, through the ``spacy_factories`` entry point, so that spaCy finds it by name.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..kbase import KnowledgeBase, open_knowledge_base
from ..records import Mention
from ..settings import Settings
from .document import link_document

#: The Span extension holding a linked entity's confidence.
CONFIDENCE = "kb_confidence"
#: The Doc extension saying where the document was published (a URL or a host name).
PUBLISHER = "kb_publisher"

if not Span.has_extension(CONFIDENCE):
    Span.set_extension(CONFIDENCE, default=None)
if not Doc.has_extension(PUBLISHER):
    Doc.set_extension(PUBLISHER, default=None)


class KbLinker:
    """Links a Doc's entities to a knowledge base (see the module docstring)."""

    def __init__(self, knowledge_base: KnowledgeBase, settings: Settings):
        self.knowledge_base = knowledge_base
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        """Link ``doc.ents``; the spans are rebuilt with their ``kb_id`` (spaCy's ents are views)."""
        mentions = [Mention(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
        result = link_document("", doc.text, mentions, self.knowledge_base, self.settings, doc._.get(PUBLISHER))
        linked = {(link.mention.start, link.mention.end): link for link in result.links if link.qid}
        ents = []
        for ent in doc.ents:
            link = linked.get((ent.start_char, ent.end_char))
            span = Span(doc, ent.start, ent.end, label=ent.label_, kb_id=link.qid if link else "")
            span._.set(CONFIDENCE, round(link.score, 4) if link else None)
            ents.append(span)
        doc.ents = ents
        return doc


def open_component_kb(path: str | None) -> KnowledgeBase:
    """The component's knowledge base: an existing file, or (None) the starter entities in memory."""
    if path is None:
        return open_knowledge_base(None)
    if not Path(path).is_file():
        raise ValueError(f"kb_linker: knowledge-base file {path} does not exist")
    return open_knowledge_base(path, seed=False)


@Language.factory(
    "kb_linker",
    default_config={"kb": None, "min_confidence": 0.0, "linker": "full"},
)
def make_kb_linker(nlp: Language, name: str, kb: str | None, min_confidence: float, linker: str) -> KbLinker:
    """spaCy factory of :class:`KbLinker`: ``kb`` is a knowledge-base file (None: the starter
    entities); ``min_confidence`` and ``linker`` are the kb settings of the same names."""
    return KbLinker(open_component_kb(kb), Settings(min_confidence=min_confidence, linker=linker))
