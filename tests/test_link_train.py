"""Retraining the ranker on the dev sets reproduces the shipped kb/data/ranker.json."""

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def assert_close(made, shipped, where):
    """Numbers equal to 1e-4, everything else exactly, through nested lists and dicts."""
    if isinstance(made, dict):
        assert made.keys() == shipped.keys(), where
        for key in made:
            assert_close(made[key], shipped[key], f"{where}.{key}")
    elif isinstance(made, list):
        assert len(made) == len(shipped), where
        for n, (a, b) in enumerate(zip(made, shipped)):
            assert_close(a, b, f"{where}[{n}]")
    elif isinstance(made, float) or isinstance(shipped, float):
        assert made == pytest.approx(shipped, abs=1e-4), where
    else:
        assert made == shipped, where


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(shared, tmp_path):
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(REPO / "bench"))
    from train_ranker import MODEL_PATH, trained

    model, summary = trained(shared, tmp_path)
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert model.keys() == shipped.keys()
    for part in ("candidate", "confidence"):
        assert model[part].keys() == shipped[part].keys(), part
        assert model[part]["features"] == shipped[part]["features"]
        assert_close(model[part], shipped[part], part)
    for key in ("nil_threshold", "C", "views", "depth", "rounds"):
        assert model[key] == shipped[key], key
    # precision first: fewer wrong QIDs than the max-prior baseline on the gold spans of every
    # set, none on the domain set (cross-validated)
    for name, figures in summary["grouped_kfold"].items():
        baseline = summary["baseline"][name]["wrong"]
        assert figures["wrong"] < baseline or figures["wrong"] == baseline == 0, name


def test_the_tree_dump_gives_scikit_learns_probabilities():
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    from kb.link.fit import LEARNING_RATE, MIN_LEAF, SEED, fit_trees
    from kb.link.model import trees_from_dict

    rng = np.random.default_rng(0)
    rows = [{"a": float(a), "b": float(b)} for a, b in rng.random((200, 2)).round(4)]
    labels = [int(r["a"] + 0.5 * r["b"] > 0.7) ^ int(n % 9 == 0) for n, r in enumerate(rows)]
    model = trees_from_dict(fit_trees(rows, labels, ["a", "b"], 2, 30), "test")
    reference = GradientBoostingClassifier(
        n_estimators=30, max_depth=2, learning_rate=LEARNING_RATE, min_samples_leaf=MIN_LEAF, random_state=SEED,
    ).fit([[r["a"], r["b"]] for r in rows], labels)
    expected = reference.predict_proba([[r["a"], r["b"]] for r in rows])[:, 1]
    assert [model.probability(r) for r in rows] == pytest.approx(list(expected), abs=1e-5)


def test_calibration_counts_mentions_of_confident_links():
    from collections import Counter

    from kb.link.crossval import Prediction, high_confidence_right
    from kb.link.train import ClusterExample

    right = ClusterExample("s", "d1", ["Q999000001"], [{}], gold=Counter({"Q999000001": 3}))
    mixed = ClusterExample("s", "d2", ["Q999000002"], [{}], gold=Counter({"Q999000002": 1, "Q999000003": 1}))
    false = ClusterExample("s", "d3", ["Q999000004"], [{}], spurious=2)
    predictions = [Prediction(right, "Q999000001", 0.95), Prediction(mixed, "Q999000002", 0.91),
                   Prediction(false, "Q999000004", 0.5)]
    assert high_confidence_right(predictions) == 4 / 5  # 3 + 1 right, 1 wrong; the 0.5 link not counted
    assert high_confidence_right(predictions, level=0.4) == 4 / 7
    assert high_confidence_right([]) == 1.0


def _one_link(number: int, confidence: float, right: bool = True):
    from collections import Counter

    from kb.link.crossval import Prediction
    from kb.link.train import ClusterExample

    qid = "Q999000001"
    gold = Counter({qid if right else "Q999000002": 2})
    return Prediction(ClusterExample("s", f"d{number}", [qid], [{}], gold=gold, in_kb=2), qid, confidence)


def test_the_nil_threshold_settles_on_the_precision_side_within_noise():
    """Twenty documents with a link of confidence 0.62, a few with one of 0.52, five wrong links
    of 0.3. The best F0.5 takes the 0.52 links in (threshold 0.5); when they come from a single
    document that is within the noise, and the threshold settles at 0.6; from two or more, not."""
    from collections import Counter

    from kb.link.crossval import choose_threshold, settle_threshold

    baseline = {"s": Counter(wrong=50)}
    for low, settled in ((0, 0.6), (1, 0.6), (2, 0.5), (8, 0.5)):
        predictions = (
            [_one_link(n, 0.62) for n in range(20)] + [_one_link(20 + n, 0.52) for n in range(low)]
            + [_one_link(40 + n, 0.3, right=False) for n in range(5)]
        )
        assert choose_threshold(predictions, baseline) == (0.6 if low == 0 else 0.5)
        assert settle_threshold(predictions, baseline) == settled
