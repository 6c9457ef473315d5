"""Cross-validated figures of the ranker in training: per-set counts, the NIL threshold, calibration.

The counts are those of ``kb eval``, per mention: a link is right when the gold QID of the gold
mention it overlaps is the linked QID, wrong when that gold QID is another, false when it
overlaps no gold mention.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .train import ClusterExample

#: The NIL thresholds tried.
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))
#: Bootstrap draws of the documents for the standard error of :func:`settle_threshold`.
RESAMPLES = 200


@dataclass(frozen=True)
class Prediction:
    """A cluster's best candidate under a ranker fitted without its document."""

    example: ClusterExample
    qid: str | None
    confidence: float


def figures(predictions: Sequence[Prediction], threshold: float) -> dict[str, dict[str, float]]:
    """Per set, mention-level figures of the predictions linked at a threshold: right, wrong,
    false, gold, precision, recall, F1, F0.5 and in-KB accuracy (see :func:`rates`)."""
    table: dict[str, Counter] = {}
    for p in predictions:
        count(table.setdefault(p.example.set_name, Counter()), p, threshold)
    return {name: rates(counts) for name, counts in sorted(table.items())}


def count(counts: Counter, prediction: Prediction, threshold: float) -> None:
    """Add a prediction's mentions to ``counts``: its gold and in-KB mentions, and when it is
    linked at ``threshold`` the right, wrong and false ones."""
    example = prediction.example
    counts["gold"] += sum(example.gold.values())
    counts["in_kb"] += example.in_kb
    if prediction.qid is None or prediction.confidence < threshold:
        return
    counts["right"] += example.gold.get(prediction.qid, 0)
    counts["wrong"] += sum(n for q, n in example.gold.items() if q != prediction.qid)
    counts["false"] += example.spurious


def rates(counts: Counter) -> dict[str, float]:
    """Precision, recall, F1, F0.5 and in-KB accuracy from right / wrong / false / gold counts."""
    right, wrong, gold = counts["right"], counts["wrong"], counts["gold"]
    linked = right + wrong + counts["false"]
    precision = right / linked if linked else 1.0
    recall = right / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    f05 = 1.25 * precision * recall / (0.25 * precision + recall) if precision + recall else 0.0
    in_kb = right / counts["in_kb"] if counts["in_kb"] else 0.0
    return {"right": right, "wrong": wrong, "false": counts["false"], "gold": gold, "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4), "f05": round(f05, 4), "in_kb_accuracy": round(in_kb, 4)}


def choose_threshold(predictions: Sequence[Prediction], baseline: dict[str, Counter]) -> float:
    """The threshold of the best cross-validated F0.5: precision first, the best mean F0.5 over
    sets (precision weighs twice recall) among the thresholds whose wrong QIDs stay below the
    baseline's on every set (at zero where the baseline has none); among the thresholds meeting
    the most sets if none meets them all; on a tie, the higher threshold."""
    rated = _eligible(predictions, baseline)
    return _best(rated)


def _best(rated: dict[float, dict]) -> float:
    """The threshold of the best mean F0.5 (to four decimals of the sum over sets; on a tie, the
    higher threshold)."""
    return max(rated, key=lambda t: (round(sum(f["f05"] for f in rated[t].values()), 4), t))


def settle_threshold(
    predictions: Sequence[Prediction], baseline: dict[str, Counter], resamples: int = RESAMPLES, seed: int = 0
) -> float:
    """The NIL threshold to ship: the highest eligible threshold, from :func:`choose_threshold`'s
    up, whose mean F0.5 falls short of the best by less than one standard error of the difference.

    Near its best the cross-validated F0.5 is flat: neighbouring thresholds differ by less than
    a few documents move it, so the best alone jumps from one retraining to the next. This is a
    variant of the one-standard-error rule (Hastie, Tibshirani and Friedman, *The Elements of
    Statistical Learning*, 7.10), taken on the precision side, with the standard error of the
    paired difference (the same documents on both sides) rather than of the best figure alone:
    ``resamples`` bootstrap draws of the documents within each set (fixed seed).
    """
    if resamples < 2:
        raise ValueError(f"settle_threshold: resamples must be 2 or more, not {resamples}")
    rated = _eligible(predictions, baseline)
    best = _best(rated)
    higher = [t for t in sorted(rated) if t > best]
    if not higher:
        return best
    counts = _document_counts(predictions, [best, *higher])
    rng = random.Random(seed)
    draws = [{name: rng.choices(docs, k=len(docs)) for name, docs in counts.items()} for _ in range(resamples)]
    settled = best
    for threshold in higher:
        gaps = [_drawn_f05(counts, draw, threshold) - _drawn_f05(counts, draw, best) for draw in draws]
        if _mean_f05(rated[best]) - _mean_f05(rated[threshold]) < statistics.stdev(gaps):
            settled = threshold
    return settled


def _eligible(predictions: Sequence[Prediction], baseline: dict[str, Counter]) -> dict[float, dict]:
    """Per threshold, the per-set figures, for the thresholds whose wrong QIDs stay below the
    baseline's on the most sets (at zero where the baseline has none)."""
    def ok(per_set: dict[str, dict[str, float]]) -> int:
        return sum(f["wrong"] < max(baseline[name]["wrong"], 1) for name, f in per_set.items())

    rated = {t: figures(predictions, t) for t in THRESHOLDS}
    best_ok = max(ok(per_set) for per_set in rated.values())
    return {t: per_set for t, per_set in rated.items() if ok(per_set) == best_ok}


def _mean_f05(per_set: dict[str, dict[str, float]]) -> float:
    return sum(f["f05"] for f in per_set.values()) / len(per_set)


def _document_counts(predictions: Sequence[Prediction], thresholds: Sequence[float]) -> dict[str, list[dict]]:
    """Per set, per document, per threshold: the counts of :func:`count`."""
    counts: dict[tuple[str, str], dict[float, Counter]] = {}
    for p in predictions:
        document = counts.setdefault((p.example.set_name, p.example.document), {t: Counter() for t in thresholds})
        for threshold, tally in document.items():
            count(tally, p, threshold)
    by_set: dict[str, list[dict]] = {}
    for (name, _), document in sorted(counts.items()):
        by_set.setdefault(name, []).append(document)
    return by_set


def _drawn_f05(counts: dict[str, list[dict]], draw: dict[str, list[dict]], threshold: float) -> float:
    """Mean over sets of F0.5 at a threshold, on one bootstrap draw of each set's documents."""
    total = 0.0
    for name in counts:
        total += rates(sum((document[threshold] for document in draw[name]), Counter()))["f05"]
    return total / len(counts)


def reliability(predictions: Sequence[Prediction], bins: Sequence[float] = (0.0, 0.5, 0.7, 0.8, 0.9, 1.01)) -> list[dict]:
    """Calibration: per confidence bin, the links made and the share right (mention level)."""
    rows = []
    for low, high in zip(bins, bins[1:]):
        right = wrong = 0
        for p in predictions:
            if p.qid is not None and low <= p.confidence < high:
                right += p.example.gold.get(p.qid, 0)
                wrong += sum(n for q, n in p.example.gold.items() if q != p.qid) + p.example.spurious
        rows.append({"from": low, "to": min(high, 1.0), "links": right + wrong,
                     "right": round(right / (right + wrong), 4) if right + wrong else None})
    return rows


def high_confidence_right(predictions: Sequence[Prediction], level: float = 0.9) -> float:
    """Share right among the links (mention level) of confidence ``level`` or more; 1 when
    there are none."""
    right = wrong = 0
    for p in predictions:
        if p.qid is not None and p.confidence >= level:
            right += p.example.gold.get(p.qid, 0)
            wrong += sum(n for q, n in p.example.gold.items() if q != p.qid) + p.example.spurious
    return right / (right + wrong) if right + wrong else 1.0


def selection_score(predictions: Sequence[Prediction], baseline: dict[str, Counter]) -> float:
    """Mean over sets of F0.5 at the threshold :func:`choose_threshold` picks: precision first,
    false links (names the gold does not count) included."""
    per_set = figures(predictions, choose_threshold(predictions, baseline))
    return sum(f["f05"] for f in per_set.values()) / len(per_set)
