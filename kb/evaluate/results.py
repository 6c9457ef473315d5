"""The figures of an evaluation run (counts, ratios, errors) and adding them up over gold sets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .gold import GoldWarning


@dataclass(frozen=True)
class PredictedMention:
    """A mention as the annotator returned it (``label`` is its type, ``qid`` None for NIL)."""

    start: int
    end: int
    text: str
    label: str
    qid: str | None = None
    name: str | None = None
    score: float | None = None


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 from counts; a ratio that would divide by zero is None.

    ``correct`` of ``predicted`` were right; ``found`` of ``gold`` were found. For mentions both
    numerators are the same count; for links precision counts predictions, recall gold QIDs.
    """

    correct: int = 0
    predicted: int = 0
    found: int = 0
    gold: int = 0

    @property
    def precision(self) -> float | None:
        """correct / predicted, or None when nothing was predicted."""
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """found / gold, or None when there is no gold item."""
        return self.found / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of P and R; 0 if either is 0 or undefined, None if both are undefined."""
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        if not p or not r:
            return 0.0
        return 2 * p * r / (p + r)

    def __add__(self, other: Score) -> Score:
        return Score(
            self.correct + other.correct,
            self.predicted + other.predicted,
            self.found + other.found,
            self.gold + other.gold,
        )


@dataclass(frozen=True)
class ErrorItem:
    """One scoring error in one document, with the gold and predicted sides where they exist.

    kinds: "missed mention", "spurious mention", "type error" (same span, other type),
    "wrong link" (predicted QID on a gold mention with another QID), "false link" (predicted QID
    on no gold mention), "missed link" (gold QID not found and no wrong link on it), and
    "given: wrong link" / "given: missed link" for the given-gold-spans run.
    """

    kind: str
    document: str
    start: int
    end: int
    text: str
    gold_type: str | None = None
    predicted_type: str | None = None
    gold_qid: str | None = None
    predicted_qid: str | None = None
    gold_name: str | None = None
    predicted_name: str | None = None


@dataclass(frozen=True)
class GivenScore:
    """Disambiguation alone: the linker was handed the gold spans (exact span match)."""

    gold: int = 0  # gold mentions with a QID
    correct: int = 0
    in_kb_gold: int | None = None  # None when no knowledge base was consulted
    in_kb_correct: int | None = None
    errors: tuple[ErrorItem, ...] = ()

    @property
    def accuracy(self) -> float | None:
        """correct / gold mentions with a QID, or None without any."""
        return self.correct / self.gold if self.gold else None

    @property
    def in_kb_accuracy(self) -> float | None:
        """correct / gold mentions whose QID is in the knowledge base, or None."""
        return self.in_kb_correct / self.in_kb_gold if self.in_kb_gold else None


@dataclass(frozen=True)
class EvalReport:
    """All figures of one evaluation run, plus the errors behind them and the gold warnings."""

    documents: int
    types: tuple[str, ...]  # every type with a mention row; the headline ones come first
    mentions: dict[str, Score]  # per type
    mentions_overall: Score  # micro-average over HEADLINE_TYPES
    linking: Score
    wrong_qids: int = 0
    neutral_links: int = 0  # predicted QIDs on gold mentions whose QID is null
    in_kb_gold: int | None = None  # None when no knowledge base was consulted
    in_kb_found: int | None = None
    given: GivenScore | None = None
    notes: tuple[str, ...] = ()
    errors: tuple[ErrorItem, ...] = ()
    gold_path: str | None = None
    warnings: tuple[GoldWarning, ...] = ()

    @property
    def in_kb_accuracy(self) -> float | None:
        """End-to-end: found / gold mentions whose QID is in the knowledge base, or None."""
        return self.in_kb_found / self.in_kb_gold if self.in_kb_gold else None


# --- combining ---------------------------------------------------------------------------------


def combine(reports: list[EvalReport]) -> EvalReport:
    """The figures of several reports added up (the combined view over gold sets); no errors."""
    types = tuple(dict.fromkeys(t for r in reports for t in r.types))

    def scores(get: Callable[[EvalReport], Score]) -> Score:
        return sum(map(get, reports), Score())

    return EvalReport(
        documents=sum(r.documents for r in reports),
        types=types,
        mentions={t: scores(lambda r, t=t: r.mentions.get(t, Score())) for t in types},
        mentions_overall=scores(lambda r: r.mentions_overall),
        linking=scores(lambda r: r.linking),
        wrong_qids=sum(r.wrong_qids for r in reports),
        neutral_links=sum(r.neutral_links for r in reports),
        in_kb_gold=_sum_measured(r.in_kb_gold for r in reports),
        in_kb_found=_sum_measured(r.in_kb_found for r in reports),
        given=_combine_given([r.given for r in reports]),
        gold_path=f"{len(reports)} gold sets combined",
        warnings=tuple(w for r in reports for w in r.warnings),
    )


def _combine_given(scores: list[GivenScore | None]) -> GivenScore | None:
    if not scores or any(s is None for s in scores):
        return None
    return GivenScore(
        gold=sum(s.gold for s in scores),
        correct=sum(s.correct for s in scores),
        in_kb_gold=_sum_measured(s.in_kb_gold for s in scores),
        in_kb_correct=_sum_measured(s.in_kb_correct for s in scores),
    )


def _sum_measured(values: Iterable[int | None]) -> int | None:
    """The sum, or None if any value was not measured."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values)
