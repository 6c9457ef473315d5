"""Running kb (and the max-prior baseline) over gold files and scoring what they return.

The annotator is a function ``annotate(items, settings=, knowledge_base=)`` that gets
``(doc_id, text)`` pairs and yields ``{"id", "mentions"}`` dicts (kb's own is
:func:`kb.annotate.annotate_texts`). The baseline is the same annotator with the linker set to
the popularity prior alone, so mention detection is the same and the figures show what the full
linker adds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..kbase import KnowledgeBase
from ..settings import Settings
from .gold import GoldSet, GoldWarning, read_gold_set
from .results import EvalReport, combine
from .scoring import QidCheck, gold_spans, score

Annotator = Callable[..., Iterable[dict]]

#: Baselines ``kb eval`` can put beside kb, and the settings that make them.
BASELINES: dict[str, dict[str, str]] = {"prior": {"linker": "prior"}}


@dataclass(frozen=True)
class Comparison:
    """kb and the baseline (if any) scored on one gold set; ``reports`` maps system → report."""

    gold_path: str
    reports: dict[str, EvalReport]
    baseline: str | None = None  # which baseline "baseline" is, e.g. "prior"

    @property
    def documents(self) -> int:
        """Number of gold documents scored."""
        return next(iter(self.reports.values())).documents

    @property
    def warnings(self) -> tuple[GoldWarning, ...]:
        """What was repaired or left out while reading the gold file."""
        return next(iter(self.reports.values())).warnings


def default_annotator() -> Annotator:
    """kb's annotator (:func:`kb.annotate.annotate_texts`), imported late: it loads spaCy."""
    from ..annotate import annotate_texts

    return annotate_texts


def kb_qid_checker(knowledge_base: KnowledgeBase) -> QidCheck:
    """A function telling whether a QID belongs to an entity of ``knowledge_base`` (cached)."""
    known: dict[str, bool] = {}

    def has(qid: str) -> bool:
        if qid not in known:
            known[qid] = knowledge_base.get(qid) is not None
        return known[qid]

    return has


def collect(items: Iterable[dict], where: str) -> dict[str, list[dict]]:
    """Turn annotator output (``{"id", "mentions"}`` dicts) into ``{doc_id: mentions}``."""
    result: dict[str, list[dict]] = {}
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("mentions"), list) or "id" not in item:
            raise ValueError(f"{where}: result {n} is not a dict with 'id' and a 'mentions' list")
        result[str(item["id"])] = item["mentions"]
    return result


def evaluate(
    gold_path: str | Path,
    *,
    settings: Settings,
    knowledge_base: KnowledgeBase,
    annotate: Annotator | None = None,
    link_spans: Annotator | None = None,
) -> EvalReport:
    """Annotate the texts of a gold file with kb and score the result.

    ``annotate`` defaults to :func:`kb.annotate.annotate_texts`. When ``link_spans`` is given,
    it is called the same way with ``(doc_id, text, gold_spans(doc))`` triples and must link
    exactly those spans; its result becomes the "given gold spans" figures. Repairs made to the
    gold file are in the report's ``warnings``.
    """
    return evaluate_set(
        read_gold_set(gold_path), settings=settings, knowledge_base=knowledge_base,
        annotate=annotate, link_spans=link_spans,
    )


def evaluate_set(
    gold: GoldSet,
    *,
    settings: Settings,
    knowledge_base: KnowledgeBase,
    annotate: Annotator | None = None,
    link_spans: Annotator | None = None,
) -> EvalReport:
    """:func:`evaluate` on a gold set already read."""
    annotate = annotate or default_annotator()
    documents = list(gold.documents)
    predicted = collect(
        annotate(((d.id, d.text) for d in documents), settings=settings, knowledge_base=knowledge_base),
        "annotator",
    )
    given = None
    if link_spans is not None:
        given = collect(
            link_spans(((d.id, d.text, gold_spans(d)) for d in documents), settings=settings,
                       knowledge_base=knowledge_base),
            "link_spans",
        )
    report = score(documents, predicted, kb_qid_checker(knowledge_base), given=given)
    return replace(report, gold_path=gold.path, warnings=gold.warnings)


def compare(
    gold_paths: Sequence[str | Path],
    *,
    settings: Settings,
    knowledge_base: KnowledgeBase,
    baseline: str | None = "prior",
    annotate: Annotator | None = None,
    link_spans: Annotator | None = None,
) -> list[Comparison]:
    """Score kb and the baseline (see :data:`BASELINES`; None for kb alone) on each gold file.

    Every file is read before anything runs, so a bad file fails fast.
    """
    systems = {"kb": settings}
    if baseline is not None:
        if baseline not in BASELINES:
            raise ValueError(f"unknown baseline {baseline!r} (known: {', '.join(BASELINES)})")
        systems["baseline"] = settings.with_overrides(**BASELINES[baseline])
    gold_sets = [read_gold_set(path) for path in gold_paths]
    return [
        Comparison(
            gold.path,
            {
                name: evaluate_set(gold, settings=system, knowledge_base=knowledge_base,
                                   annotate=annotate, link_spans=link_spans)
                for name, system in systems.items()
            },
            baseline,
        )
        for gold in gold_sets
    ]


def combined(comparisons: Sequence[Comparison]) -> Comparison:
    """All gold sets added up, per system: the combined view of a multi-file run."""
    names = list(comparisons[0].reports) if comparisons else []
    return Comparison(
        f"{len(comparisons)} gold sets combined",
        {name: combine([c.reports[name] for c in comparisons]) for name in names},
        comparisons[0].baseline if comparisons else None,
    )
