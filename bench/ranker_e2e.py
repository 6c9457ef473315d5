"""Cross-validated end-to-end figures of the learned ranker: spaCy's mentions, kb's scoring.

    python bench/ranker_e2e.py [--shared ../shared]

Trains the fold models of bench/train_ranker.py (grouped k-fold by document, leave one set out),
links each held-out document's recognised mentions with the model that did not see it, and scores
the result as ``kb eval`` does, with the max-prior baseline on the same mentions beside it. Also
prints the calibration of the links made (cross-validated) and the min-confidence curve.
Recognised mentions are cached in --cache (spaCy runs once per set).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from train_ranker import dev_sets, recognised  # noqa: E402

from kb.annotate import mention_records  # noqa: E402
from kb.evaluate import kb_qid_checker, score  # noqa: E402
from kb.link import link_document  # noqa: E402
from kb.link.document import assemble, prepare_document  # noqa: E402
from kb.link.model import ranker_from_dict  # noqa: E402
from kb.link.ranking import decide_learned  # noqa: E402
from kb.link.train import config_of, fold_models, groups_of, train, training_data  # noqa: E402
from kb.settings import Settings  # noqa: E402

CURVE = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 1.01)


def link_judgements(gold_document, records) -> list[tuple[float, bool]]:
    """(confidence, right) of each link with a QID that the gold judges (neutral ones left out)."""
    span = gold_document.evaluation_span
    judged = []
    for record in records:
        if record["qid"] is None or (span and not (span[0] <= record["start"] and record["end"] <= span[1])):
            continue
        overlapping = [m for m in gold_document.mentions if m.start < record["end"] and record["start"] < m.end]
        if any(m.qid == record["qid"] for m in overlapping):
            judged.append((record["score"], True))
        elif not overlapping or any(m.qid for m in overlapping):
            judged.append((record["score"], False))
    return judged


def cross_validated(shared: Path, cache: Path):
    """Everything the end-to-end figures need: the settings, the dev sets, the shipped-config
    model, each set's documents prepared once (clusters, candidates, features) with their
    recognised mentions, and per protocol the fold model that did not see each document."""
    settings = Settings()
    sets = dev_sets(shared, cache)
    mentions_by_set = {dev.name: recognised(dev, settings, cache) for dev in sets}
    training = training_data(sets, settings, recognised=mentions_by_set)
    model, _ = train(training)
    prepared_sets = {}
    for dev in sets:
        mentions = mentions_by_set[dev.name]
        prepared_sets[dev.name] = {
            d.id: (prepare_document(d.id, d.text, mentions[d.id], dev.knowledge_base, settings), mentions[d.id])
            for d in dev.gold.documents
        }
    owners = {}
    for protocol, splits in training.splits().items():
        models = fold_models(training.examples, splits, config_of(model), training.names)
        owner = {}
        for (_, test), fold in zip(splits, models):
            for key in {groups_of([training.examples[i]])[0] for i in test}:
                owner[key] = fold
        owners[protocol] = owner
    return settings, sets, model, prepared_sets, owners


def fold_ranker(owner: dict, model: dict, set_name: str, document_id: str):
    """The ranker of the fold that held a document out (the shipped NIL threshold)."""
    fold = owner.get(f"{set_name}/{document_id}", model)
    return ranker_from_dict({**fold, "nil_threshold": model["nil_threshold"]})


def cross_validated_from_command_line(description: str):
    """:func:`cross_validated` with ``--shared`` and ``--cache`` from the command line (the
    scripts that report on the cross-validated models share these options)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/kb-ranker-cache"))
    args = parser.parse_args()
    return cross_validated(args.shared, args.cache)


def main() -> None:
    settings, sets, model, prepared_sets, owners = cross_validated_from_command_line(__doc__)
    print(f"C={model['C']} views={model['views']} nil_threshold={model['nil_threshold']}")
    for protocol, owner in owners.items():
        report(protocol, sets, prepared_sets, owner, model, settings)


def report(protocol, sets, prepared_sets, owner, model, settings) -> None:
    print(f"\n== {protocol} (end to end, spaCy mentions) ==")
    judged_all = []
    curve = {m: Counter() for m in CURVE}
    for dev in sets:
        kb = dev.knowledge_base
        docs = list(dev.gold.documents)
        predicted, base = {}, {}
        for minimum in CURVE:
            for d in docs:
                prepared, mentions = prepared_sets[dev.name][d.id]
                ranker = fold_ranker(owner, model, dev.name, d.id)
                local = settings.with_overrides(min_confidence=minimum)
                decide_learned(prepared.clusters, ranker, local)
                predicted[d.id] = mention_records(assemble(prepared, kb, local))
                if minimum == 0.0:
                    base[d.id] = mention_records(link_document(d.id, d.text, mentions, kb,
                                                               settings.with_overrides(linker="prior")))
                    for judgement in link_judgements(d, predicted[d.id]):
                        judged_all.append(judgement)
            result = score(docs, predicted, kb_qid_checker(kb))
            curve[minimum][dev.name] = (result.linking.precision, result.linking.recall, result.wrong_qids)
            if minimum == 0.0:
                baseline = score(docs, base, kb_qid_checker(kb))
                line(dev.name, "kb", result)
                line(dev.name, "baseline", baseline)
    print("calibration of links (cross-validated): bin, links, share right")
    for low, high in zip(BINS, BINS[1:]):
        inside = [right for confidence, right in judged_all if low <= confidence < high]
        print(f"  [{low:.2f}, {min(high, 1):.2f}) {len(inside):4d} {sum(inside) / len(inside) if inside else float('nan'):.3f}")
    high = [right for confidence, right in judged_all if confidence >= 0.9]
    print(f"  confidence >= 0.9: {len(high)} links, {sum(high) / max(len(high), 1):.3f} right")
    print("min_confidence curve: per set precision / recall / wrong")
    for minimum, per_set in curve.items():
        cells = "  ".join(f"{name} {p or 0:.3f}/{r or 0:.3f}/{w}" for name, (p, r, w) in per_set.items())
        print(f"  {minimum:.2f}  {cells}")


def line(name, system, result) -> None:
    in_kb = result.in_kb_found / result.in_kb_gold if result.in_kb_gold else float("nan")
    p, r, f = (v or 0.0 for v in (result.linking.precision, result.linking.recall, result.linking.f1))
    print(f"  {name:15s} {system:8s} in-KB {in_kb:.3f}  links P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}"
          f"  wrong QIDs {result.wrong_qids}")


if __name__ == "__main__":
    main()
