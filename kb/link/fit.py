"""Fitting the learned ranker's models with scikit-learn (training only; needs ``kb[train]``).

Each fitter returns the JSON structure :mod:`kb.link.model` evaluates in plain Python: a
standardised logistic regression, or boosted shallow regression trees (scikit-learn's
``GradientBoostingClassifier``, whose trees are public attributes), both with a fixed seed so
that a rerun reproduces the shipped file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SEED = 13
#: Boosting: the shrinkage of each tree and the fewest examples a leaf may hold.
LEARNING_RATE = 0.1
MIN_LEAF = 10


def _matrix(rows: Sequence[dict[str, float]], names: Sequence[str]):
    import numpy as np

    return np.array([[row.get(name, 0.0) for name in names] for row in rows], dtype=float)


def fit_logistic(
    rows: Sequence[dict[str, float]], labels: Sequence[int], names: Sequence[str], c: float,
    weights: Sequence[float] | None = None,
) -> dict:
    """A standardised L2 logistic regression, as the JSON structure :mod:`kb.link.model` reads."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = _matrix(rows, names)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
    model.fit((x - mean) / scale, np.array(labels), sample_weight=None if weights is None else np.array(weights))
    return {
        "features": list(names),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def fit_trees(
    rows: Sequence[dict[str, float]], labels: Sequence[int], names: Sequence[str], depth: int, rounds: int,
) -> dict:
    """Gradient-boosted regression trees of at most ``depth`` levels, ``rounds`` of them, as
    the JSON structure :mod:`kb.link.model` reads: per tree its nodes ``[feature, threshold,
    left, right, value]`` (a leaf's feature is -1; x <= threshold goes left)."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    x = _matrix(rows, names)
    model = GradientBoostingClassifier(
        n_estimators=rounds, max_depth=depth, learning_rate=LEARNING_RATE, min_samples_leaf=MIN_LEAF,
        subsample=1.0, random_state=SEED,
    )
    model.fit(x, np.array(labels))
    prior = float(model.init_.class_prior_[1])  # the trees start from the log odds of a positive
    trees = [_nodes(estimator.tree_) for (estimator,) in model.estimators_]
    return {"kind": "trees", "features": list(names), "base": round(math.log(prior / (1 - prior)), 6), "rate": LEARNING_RATE, "trees": trees}


def _nodes(tree) -> list[list]:
    """A fitted scikit-learn tree as ``[feature, threshold, left, right, value]`` nodes."""
    nodes = []
    for i in range(tree.node_count):
        if tree.children_left[i] < 0:
            nodes.append([-1, 0.0, -1, -1, round(float(tree.value[i, 0, 0]), 6)])
        else:
            nodes.append([int(tree.feature[i]), float(tree.threshold[i]), int(tree.children_left[i]),
                          int(tree.children_right[i]), 0.0])
    return nodes

