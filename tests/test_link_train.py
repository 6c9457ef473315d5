"""Retraining the ranker on the dev sets reproduces the shipped kb/data/ranker.json."""

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(shared, tmp_path):
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(REPO / "bench"))
    from train_ranker import MODEL_PATH, trained

    model, summary = trained(shared, tmp_path)
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert model.keys() == shipped.keys()
    for part in ("candidate", "confidence"):
        assert model[part]["features"] == shipped[part]["features"]
        for key in ("mean", "scale", "coef"):
            assert model[part][key] == pytest.approx(shipped[part][key], abs=1e-4), (part, key)
        assert model[part]["intercept"] == pytest.approx(shipped[part]["intercept"], abs=1e-4)
    assert (model["nil_threshold"], model["C"], model["views"]) == (
        shipped["nil_threshold"], shipped["C"], shipped["views"]
    )
    # precision first: fewer wrong QIDs than the max-prior baseline on the gold spans of every
    # set, none on the domain set (cross-validated)
    for name, figures in summary["grouped_kfold"].items():
        baseline = summary["baseline"][name]["wrong"]
        assert figures["wrong"] < baseline or figures["wrong"] == baseline == 0, name
