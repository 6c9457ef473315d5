"""The learned ranker, evaluated in plain Python from a small JSON file.

Two models, fitted by ``bench/train_ranker.py`` (scikit-learn, training only):

1. the *candidate* model scores each candidate of a name from its features
   (:func:`kb.link.features.learned_features`): the probability that it is the entity meant; a
   logistic regression or boosted shallow trees, whichever cross-validation selects;
2. the *confidence* model (logistic) reads the best candidate's score, its margin over the runner-up and
   the number of candidates, and gives the probability that linking the best candidate is right.
   It is fitted on cross-validated candidate scores, so it is calibrated on names the candidate
   model has not seen.

A name is linked when its confidence reaches the file's ``nil_threshold`` (selected by
cross-validation in the training script) or the ``min_confidence`` setting, whichever is higher.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

#: The shipped model (package data).
DEFAULT_MODEL = "ranker.json"


@dataclass(frozen=True)
class Logistic:
    """A standardised logistic model: p = σ(b + Σ wᵢ (xᵢ − μᵢ) / σᵢ); absent features are 0."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: dict[str, float]) -> float:
        """The model's probability for one feature dict."""
        z = self.intercept
        for name, mu, sigma, w in zip(self.names, self.mean, self.scale, self.coef):
            z += w * (features.get(name, 0.0) - mu) / sigma
        return sigmoid(z)


def sigmoid(z: float) -> float:
    """1 / (1 + e^−z), with z clipped so that the exponential stays finite."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Trees:
    """Boosted regression trees: p = σ(base + rate · Σ the value of the leaf each tree reaches).

    A node is (feature index, threshold, left, right, value); x ≤ threshold goes left, a leaf's
    feature index is −1. Absent features are 0."""

    names: tuple[str, ...]
    base: float
    rate: float
    trees: tuple[tuple[tuple[int, float, int, int, float], ...], ...]

    def probability(self, features: dict[str, float]) -> float:
        """The model's probability for one feature dict."""
        x = [features.get(name, 0.0) for name in self.names]
        z = self.base
        for nodes in self.trees:
            node = nodes[0]
            while node[0] >= 0:
                node = nodes[node[2] if x[node[0]] <= node[1] else node[3]]
            z += self.rate * node[4]
        return sigmoid(z)


@dataclass(frozen=True)
class Ranker:
    """The candidate model, the confidence model and the NIL threshold."""

    candidate: Logistic | Trees
    confidence: Logistic
    nil_threshold: float

    def confident(self, best: float, runner_up: float | None, count: int) -> float:
        """How likely linking the best candidate is right: the confidence model on the best
        score, the runner-up's and the number of candidates."""
        return self.confidence.probability(confidence_features(best, runner_up, count))


def logit(p: float) -> float:
    """log(p / (1 − p)), clipped so that 0 and 1 stay finite."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def confidence_features(best: float, runner_up: float | None, count: int) -> dict[str, float]:
    """What the confidence model reads: the best score, its margin over the runner-up (in log
    odds; 0 when there is none, which ``alone`` says) and how many candidates there were."""
    margin = logit(best) - logit(runner_up) if runner_up is not None else 0.0
    return {
        "best": logit(best),
        "margin": min(margin, 10.0),
        "alone": float(runner_up is None),
        "candidates": math.log(max(count, 1)),
    }


def logistic_from_dict(data: dict, where: str) -> Logistic:
    """A :class:`Logistic` model from its JSON structure, its lengths checked."""
    try:
        names = tuple(data["features"])
        model = Logistic(
            names, tuple(map(float, data["mean"])), tuple(map(float, data["scale"])),
            tuple(map(float, data["coef"])), float(data["intercept"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{where}: not a logistic model ({error})") from None
    if not (len(names) == len(model.mean) == len(model.scale) == len(model.coef)) or 0.0 in model.scale:
        raise ValueError(f"{where}: features, mean, scale and coef differ in length, or a scale is 0")
    return model


def trees_from_dict(data: dict, where: str) -> Trees:
    """A :class:`Trees` model from its JSON structure, every node checked."""
    try:
        names = tuple(data["features"])
        trees = tuple(tuple((int(f), float(t), int(a), int(b), float(v)) for f, t, a, b, v in nodes)
                      for nodes in data["trees"])
        model = Trees(names, float(data["base"]), float(data["rate"]), trees)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{where}: not a tree model ({error})") from None
    for nodes in trees:
        inner = [n for n in nodes if n[0] >= 0]
        if not nodes or any(n[0] >= len(names) or not (0 < n[2] < len(nodes) and 0 < n[3] < len(nodes)) for n in inner):
            raise ValueError(f"{where}: a tree has a node with no such feature or child")
    return model


def candidate_model_from_dict(data: dict, where: str) -> Logistic | Trees:
    """The candidate model: boosted trees when the file says ``"kind": "trees"``, else logistic."""
    if isinstance(data, dict) and data.get("kind") == "trees":
        return trees_from_dict(data, where)
    return logistic_from_dict(data, where)


def ranker_from_dict(data: dict, where: str = "ranker") -> Ranker:
    """A :class:`Ranker` from the JSON structure the training script writes."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object")
    threshold = data.get("nil_threshold")
    if not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"{where}: nil_threshold must be a number from 0 to 1")
    return Ranker(
        candidate_model_from_dict(data.get("candidate"), f"{where}: candidate"),
        logistic_from_dict(data.get("confidence"), f"{where}: confidence"),
        float(threshold),
    )


@cache
def load_ranker(path: str | None = None) -> Ranker:
    """The ranker in ``path``, or the one shipped with kb (read once per path)."""
    if path is None:
        text = files("kb").joinpath("data", DEFAULT_MODEL).read_text(encoding="utf-8")
        where = f"kb/data/{DEFAULT_MODEL}"
    else:
        where = path
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(f"{path}: cannot read the ranker: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{where}: not valid JSON: {error}") from None
    return ranker_from_dict(data, where)
