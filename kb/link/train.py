"""Training the learned ranker (``kb/data/ranker.json``) on the dev gold sets; needs ``kb[train]``.

Examples come from kb's own candidate generation (:func:`kb.link.document.prepare_document`,
so candidates and features are exactly those of linking), run on each document's gold mentions
(the given spans) and on the mentions kb's recogniser finds in it. Each cluster is judged as
``kb eval`` judges links: by the gold mentions its mentions overlap (:func:`judged_clusters`). A
candidate is a positive example when its QID is the cluster's gold QID; a cluster none of whose
candidates is right (its entity is not in the knowledge base, or the gold counts no name there)
teaches the models that its best candidate is wrong: NIL.

Selection is by cross-validation only: grouped k-fold by document over the three sets pooled,
and leave one set out. The regularisation strength and the examples learnt from (gold spans,
recognised mentions, both) are those with the best mean F0.5 over sets and both protocols; the
NIL threshold, among those that keep every set's wrong QIDs below the max-prior baseline's in
the grouped k-fold predictions, is the highest whose mean F0.5 is within one standard error of
the best (figures and the rule: :mod:`kb.link.crossval`).
Nothing is tuned on a held-out set. scikit-learn is imported here only; kb evaluates the model in
plain Python (:mod:`kb.link.model`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..evaluate import GoldSet, gold_spans
from ..kbase import KnowledgeBase
from ..records import Mention
from ..settings import Settings
from .candidates import most_popular
from .document import prepare_document
from .crossval import (
    THRESHOLDS, Prediction, figures, high_confidence_right, rates, reliability, selection_score, settle_threshold,
)
from .fit import SEED, fit_logistic, fit_trees
from .model import Logistic, Trees, candidate_model_from_dict, confidence_features, logistic_from_dict, ranker_from_dict

FOLDS = 5
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: Calibration a selected configuration must show: this share right among links this confident.
CALIBRATION = 0.9
CONFIDENCE_FEATURES = ("best", "margin", "alone", "candidates")


@dataclass
class ClusterExample:
    """One cluster of gold mentions: its candidates' QIDs and features, and its gold QIDs
    (mentions per QID; ``neutral`` mentions have a null gold QID)."""

    set_name: str
    document: str
    qids: list[str | None]
    features: list[dict[str, float]]
    gold: Counter = field(default_factory=Counter)
    neutral: int = 0
    in_kb: int = 0  # gold mentions whose QID the knowledge base has
    spurious: int = 0  # recognised mentions that overlap no gold mention: any link on them is false
    view: str = "given"  # "given": a cluster of gold spans; "recognised": of the recogniser's mentions

    @property
    def target(self) -> str | None:
        """The cluster's gold QID: the most frequent one of its mentions."""
        return self.gold.most_common(1)[0][0] if self.gold else None

    @property
    def labels(self) -> list[int]:
        """1 for the candidates whose QID is the gold QID."""
        return [int(q is not None and q == self.target) for q in self.qids]


@dataclass(frozen=True)
class DevSet:
    """A gold set and the knowledge base it is scored with."""

    name: str
    gold: GoldSet
    knowledge_base: KnowledgeBase


def span_settings(settings: Settings, spans: list[tuple[int, int, str]]) -> Settings:
    """The settings for linking given spans: every given label is linked (as ``kb eval``)."""
    labels = tuple(sorted({label for _, _, label in spans} | set(settings.linked_labels)))
    return settings.with_overrides(linked_labels=labels)


def examples(
    dev: DevSet, settings: Settings, recognised: dict[str, list[Mention]] | None = None
) -> tuple[list[ClusterExample], Counter]:
    """The cluster examples of a dev set, and the max-prior baseline's counts.

    ``given`` examples are the clusters of the gold mentions themselves. With ``recognised``
    (the mentions kb's recogniser finds, per document), its clusters are ``recognised``
    examples too, judged as ``kb eval`` judges links: by the gold mentions they overlap; one
    that overlaps none is ``spurious`` (any link on it is false). The baseline's counts
    (``right``, ``wrong``, ``false``) are then those of the recognised mentions, else of the
    gold spans."""
    found: list[ClusterExample] = []
    baseline: Counter = Counter()
    for document in dev.gold.documents:
        spans = gold_spans(document)
        local = span_settings(settings, spans)
        mentions = [Mention(s, e, document.text[s:e], label) for s, e, label in spans]
        found.extend(judged_clusters(dev, document, mentions, local, "given"))
        if recognised is None:
            _count_baseline(baseline, document, mentions, dev.knowledge_base, local)
        else:
            ner = recognised.get(document.id, [])
            found.extend(judged_clusters(dev, document, ner, settings, "recognised"))
            _count_baseline(baseline, document, ner, dev.knowledge_base, settings)
    return found, baseline


def judged_clusters(dev: DevSet, document, mentions: list[Mention], settings: Settings, view: str) -> list[ClusterExample]:
    """The clusters of ``mentions`` (candidates and features as in linking), each with the gold
    QIDs of the gold mentions its mentions overlap (inside the evaluation span)."""
    span = document.evaluation_span or (0, len(document.text))
    prepared = prepare_document(document.id, document.text, mentions, dev.knowledge_base, settings)
    found = []
    for cluster in prepared.clusters:
        inside = [m for m in cluster.mentions if span[0] <= m.start and m.end <= span[1]]
        if not inside or cluster.forced[0]:
            continue
        example = ClusterExample(
            dev.name, document.id, [c.qid for c in cluster.candidates], cluster.features, view=view
        )
        for mention in inside:
            _judge(example, _gold_qids(document, mention), dev.knowledge_base)
        found.append(example)
    return found


def _gold_qids(document, mention: Mention) -> list[str | None] | None:
    """The gold QIDs of the gold mentions a mention overlaps; None when it overlaps none."""
    overlapping = [g.qid for g in document.mentions if g.start < mention.end and mention.start < g.end]
    return overlapping or None


def _judge(example: ClusterExample, qids: list[str | None] | None, knowledge_base: KnowledgeBase) -> None:
    if qids is None:
        example.spurious += 1
        return
    qid = next((q for q in qids if q), None)
    if qid is None:
        example.neutral += 1
    else:
        example.gold[qid] += 1
        example.in_kb += knowledge_base.has_qid(qid)


def _count_baseline(
    counts: Counter, document, mentions: list[Mention], knowledge_base: KnowledgeBase, settings: Settings
) -> None:
    """The max-prior baseline's links on ``mentions``, judged by the gold mentions they overlap."""
    span = document.evaluation_span or (0, len(document.text))
    for mention in mentions:
        if not (span[0] <= mention.start and mention.end <= span[1]):
            continue
        best = most_popular(mention, knowledge_base, settings)
        if best is None or best.qid is None:
            continue
        qids = _gold_qids(document, mention)
        if qids is None:
            counts["false"] += 1
        elif best.qid in qids:
            counts["right"] += 1
        elif any(qids):
            counts["wrong"] += 1


# --- fitting ----------------------------------------------------------------------------------


def candidate_rows(train: Sequence[ClusterExample]) -> tuple[list[dict], list[int]]:
    """Every candidate of the clusters with a gold QID or none to be found, and whether it is
    the gold entity."""
    rows, labels = [], []
    for example in train:
        if example.target is None and not example.spurious:
            continue
        rows.extend(example.features)
        labels.extend(example.labels)
    return rows, labels


def groups_of(train: Sequence[ClusterExample]) -> list[str]:
    """The document of each example (the unit of grouped cross-validation)."""
    return [f"{e.set_name}/{e.document}" for e in train]


def grouped_folds(train: Sequence[ClusterExample], folds: int) -> list[tuple[list[int], list[int]]]:
    """Grouped k-fold by document: (train indices, test indices) per fold, deterministic."""
    from sklearn.model_selection import GroupKFold

    groups = groups_of(train)
    n = min(folds, len(set(groups)))
    return [(list(a), list(b)) for a, b in GroupKFold(n_splits=n).split(list(range(len(train))), groups=groups)]


def scores(model: Logistic | Trees, example: ClusterExample) -> list[tuple[float, str | None]]:
    """The candidate model's (probability, QID) per candidate, best first."""
    return sorted(((model.probability(f), q) for f, q in zip(example.features, example.qids)),
                  key=lambda pair: (-pair[0], pair[1] or ""))


def confidence_row(ranked: list[tuple[float, str | None]]) -> dict[str, float]:
    """The confidence model's features for a cluster's ranked candidates."""
    return confidence_features(ranked[0][0], ranked[1][0] if len(ranked) > 1 else None, len(ranked))


@dataclass(frozen=True)
class Config:
    """What cross-validation selects: the candidate model's family and size (a logistic
    regression of inverse regularisation strength ``c``, or ``rounds`` boosted trees of
    ``depth`` levels when ``depth`` is set), and which examples the models learn from (the gold
    spans' clusters, the recognised mentions' clusters, or both)."""

    c: float
    views: tuple[str, ...]
    depth: int = 0
    rounds: int = 0

    def fit(self, rows: Sequence[dict], labels: Sequence[int], names: Sequence[str]) -> dict:
        """The candidate model of this configuration fitted on ``rows``."""
        if self.depth:
            return fit_trees(rows, labels, names, self.depth, self.rounds)
        return fit_logistic(rows, labels, names, self.c)


VIEWS = (("given",), ("recognised",), ("given", "recognised"))
DEPTHS = (2, 3)
ROUNDS = (50, 100, 200)
CONFIGS = (
    *(Config(c, views) for views in VIEWS for c in C_GRID),
    *(Config(0.0, views, depth, rounds) for views in VIEWS[1:] for depth in DEPTHS for rounds in ROUNDS),
)


def config_of(model: dict) -> Config:
    """The configuration a trained model (``kb/data/ranker.json``) was selected with."""
    return Config(model["C"], tuple(model["views"]), model.get("depth", 0), model.get("rounds", 0))


def fit_ranker(examples_: Sequence[ClusterExample], config: Config, names: Sequence[str]) -> dict:
    """The candidate model on the examples of the configured views; the confidence model on
    candidate scores predicted out of fold (grouped by document) for the examples of the test
    view (:func:`test_view`), one row per mention right and one per mention wrong: calibrated
    on names the candidate model has not seen, as ``kb eval`` counts links."""
    everything = list(examples_)
    calibrate_on = test_view(everything)

    def fit(indices) -> dict:
        chosen = [everything[i] for i in indices if everything[i].view in config.views]
        return config.fit(*candidate_rows(chosen), names)

    conf_rows, conf_labels, weights = [], [], []
    for inner_train, inner_test in grouped_folds(everything, FOLDS):
        inner = candidate_model_from_dict(fit(inner_train), "inner")
        for i in inner_test:
            example = everything[i]
            if example.view != calibrate_on or not example.qids:
                continue
            ranked = scores(inner, example)
            right = example.gold.get(ranked[0][1], 0)
            wrong = sum(example.gold.values()) - right + example.spurious
            for label, weight in ((1, right), (0, wrong)):
                if weight:
                    conf_rows.append(confidence_row(ranked))
                    conf_labels.append(label)
                    weights.append(weight)
    confidence = fit_logistic(conf_rows, conf_labels, CONFIDENCE_FEATURES, 1.0, weights)
    return {"candidate": fit(range(len(everything))), "confidence": confidence}


def predict(model: dict, test: Sequence[ClusterExample]) -> list[Prediction]:
    """The best candidate and the confidence for each test cluster (0 when it has none)."""
    ranker = ranker_from_dict({**model, "nil_threshold": 0.0})
    found = []
    for example in test:
        if not example.qids:
            found.append(Prediction(example, None, 0.0))
            continue
        ranked = scores(ranker.candidate, example)
        runner = ranked[1][0] if len(ranked) > 1 else None
        found.append(Prediction(example, ranked[0][1], ranker.confident(ranked[0][0], runner, len(ranked))))
    return found


def cross_validate(
    examples_: Sequence[ClusterExample], splits: list[tuple[list[int], list[int]]], c: Config, names: Sequence[str]
) -> list[Prediction]:
    """Predictions for every example of the test view (:func:`test_view`) from the ranker
    fitted on the other part of its split."""
    view = test_view(examples_)
    found = []
    for (_, test), model in zip(splits, fold_models(examples_, splits, c, names)):
        found.extend(predict(model, [examples_[i] for i in test if examples_[i].view == view]))
    return found


def test_view(examples_: Sequence[ClusterExample]) -> str:
    """What the figures are computed on: the recognised mentions' clusters when there are
    any (what ``kb eval`` scores end to end), else the gold spans'."""
    return "recognised" if any(e.view == "recognised" for e in examples_) else "given"


def fold_models(
    examples_: Sequence[ClusterExample], splits: list[tuple[list[int], list[int]]], c: Config, names: Sequence[str]
) -> list[dict]:
    """The ranker fitted on the training part of each split."""
    return [fit_ranker([examples_[i] for i in train], c, names) for train, _ in splits]


def set_splits(examples_: Sequence[ClusterExample]) -> list[tuple[list[int], list[int]]]:
    """Leave one set out: train on the other sets, test on it."""
    names = sorted({e.set_name for e in examples_})
    return [
        ([i for i, e in enumerate(examples_) if e.set_name != name], [i for i, e in enumerate(examples_) if e.set_name == name])
        for name in names
    ]


@dataclass
class Training:
    """The examples of all dev sets, the baseline's counts per set and the feature names."""

    examples: list[ClusterExample]
    baseline: dict[str, Counter]
    names: list[str]

    def splits(self) -> dict[str, list[tuple[list[int], list[int]]]]:
        """The two cross-validation protocols: grouped k-fold by document, leave one set out."""
        return {"grouped_kfold": grouped_folds(self.examples, FOLDS), "leave_one_set_out": set_splits(self.examples)}


def training_data(
    dev_sets: Sequence[DevSet], settings: Settings, log: Callable[[str], None] = lambda _: None,
    recognised: dict[str, dict[str, list[Mention]]] | None = None,
) -> Training:
    """The cluster examples of every dev set (see :func:`examples`; ``recognised`` maps a set's
    name to its recognised mentions per document)."""
    all_examples: list[ClusterExample] = []
    baseline: dict[str, Counter] = {}
    for dev in dev_sets:
        found, counts = examples(dev, settings, (recognised or {}).get(dev.name))
        all_examples.extend(found)
        baseline[dev.name] = counts
        log(f"{dev.name}: {len(found)} clusters, {sum(len(e.qids) for e in found)} candidates")
    names = sorted({name for e in all_examples for row in e.features for name in row})
    return Training(all_examples, baseline, names)


def train(training: Training, log: Callable[[str], None] = lambda _: None) -> tuple[dict, dict]:
    """Select, fit and return the ranker (the JSON structure of ``kb/data/ranker.json``) and
    the cross-validation summary (per-set figures, calibration, the threshold curve).

    The configuration is the one with the best mean F0.5 among those whose links of confidence
    0.9 or more are at least 90% right under both protocols (all of them if none is)."""
    splits = training.splits()
    selection, calibrated = {}, {}
    for config in CONFIGS:
        found = [cross_validate(training.examples, split, config, training.names) for split in splits.values()]
        selection[config] = sum(selection_score(f, training.baseline) for f in found) / len(found)
        calibrated[config] = all(high_confidence_right(f) >= CALIBRATION for f in found)
        log(f"{config}: mean F0.5 (grouped k-fold, leave-one-set-out) {selection[config]:.4f}"
            f"{'' if calibrated[config] else ' (not calibrated)'}")
    config = max(CONFIGS, key=lambda value: (
        calibrated[value], round(selection[value], 4), -value.depth, -value.rounds, -value.c, -len(value.views)))
    predictions = {
        name: cross_validate(training.examples, split, config, training.names) for name, split in splits.items()
    }
    threshold = settle_threshold(predictions["grouped_kfold"], training.baseline, seed=SEED)
    model = {
        **fit_ranker(training.examples, config, training.names), "nil_threshold": threshold,
        "C": config.c, "views": list(config.views), "depth": config.depth, "rounds": config.rounds, "seed": SEED,
    }
    summary = {
        "config": str(config), "nil_threshold": threshold, "selection": {str(k): v for k, v in selection.items()},
        **{name: figures(found, threshold) for name, found in predictions.items()},
        "baseline": {name: rates(counts) for name, counts in training.baseline.items()},
        "calibration": reliability(predictions["grouped_kfold"]),
        "curve": {t: figures(predictions["grouped_kfold"], t) for t in THRESHOLDS},
    }
    return model, summary
