"""Where the learned linker loses, by error class, from cross-validated end-to-end predictions.

    python bench/ranker_errors.py [--shared ../shared] [--cache DIR]

Each document is linked with the fold model that did not see it (as ``bench/ranker_e2e.py``).
Every gold mention with a QID (inside the evaluation span) falls in exactly one class, in this
order: not recognised (no recognised mention overlaps it); recognised but of a label kb does not
link; no candidates at all; the gold QID not among the candidates (its entity in the knowledge
base or not); linked right; linked to another QID; left NIL although the gold QID was ranked
first; left NIL with the gold QID among the candidates but not first. Separately: how many of
the recognised, linkable mentions have another span than the gold mention they overlap, and
the links on spans the gold does not count (no gold mention, or one with a null QID).
Aggregated counts only: nothing of an evaluation file is printed.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ranker_e2e import cross_validated_from_command_line, fold_ranker  # noqa: E402

from kb.link.ranking import decide_learned  # noqa: E402

CLASSES = (
    "right", "wrong link", "NIL, gold ranked 1st", "NIL, gold ranked lower", "gold not candidate (in KB)",
    "gold not candidate (not in KB)", "no candidates (in KB)", "no candidates (not in KB)",
    "label not linked (in KB)", "label not linked (not in KB)", "not recognised (in KB)",
    "not recognised (not in KB)",
)


def overlaps(a, b) -> bool:
    """Whether two spans overlap."""
    return a.start < b.end and b.start < a.end


def classify(gold, clusters, unlinked, in_kb: bool) -> str:
    """The error class of one gold mention with a QID (see the module docstring)."""
    where = " (in KB)" if in_kb else " (not in KB)"
    hit = [c for c in clusters if any(overlaps(gold, m) for m in c.mentions)]
    if not hit:
        return ("label not linked" if any(overlaps(gold, m) for m in unlinked) else "not recognised") + where
    cluster = hit[0]
    if not cluster.candidates:
        return "no candidates" + where
    qids = [c.qid for c in cluster.candidates]
    decision = cluster.decision
    winner = decision.winner.candidate.qid if decision and decision.winner else None
    if winner == gold.qid:
        return "right"
    if winner is not None and gold.qid in qids:
        return "wrong link"
    if gold.qid not in qids:
        return "gold not candidate" + where
    ranked = [s.candidate.qid for s in decision.ranked] if decision else qids
    return "NIL, gold ranked 1st" if ranked[0] == gold.qid else "NIL, gold ranked lower"


def breakdown(dev, prepared_sets, owner, model, settings) -> tuple[Counter, Counter]:
    """(error classes of the gold mentions, other counts) of one set under one protocol."""
    classes, other = Counter(), Counter()
    kb = dev.knowledge_base
    for document in dev.gold.documents:
        prepared, _ = prepared_sets[dev.name][document.id]
        decide_learned(prepared.clusters, fold_ranker(owner, model, dev.name, document.id), settings)
        span = document.evaluation_span or (0, len(document.text))
        golds = [g for g in document.mentions if span[0] <= g.start and g.end <= span[1]]
        for gold in golds:
            if not gold.qid:
                continue
            in_kb = kb.has_qid(gold.qid)
            found = classify(gold, prepared.clusters, prepared.unlinked, in_kb)
            classes[found] += 1
            classes["gold QIDs"] += 1
            classes["in KB"] += in_kb
            if found in ("wrong link", "gold not candidate (not in KB)", "gold not candidate (in KB)"):
                cluster = next(c for c in prepared.clusters if any(overlaps(gold, m) for m in c.mentions))
                linked = cluster.decision and cluster.decision.winner
                if found != "wrong link":
                    other["of which linked (wrong QID)" if linked else "of which NIL"] += 1
        for cluster in prepared.clusters:
            for mention in cluster.mentions:
                if not (span[0] <= mention.start and mention.end <= span[1]):
                    continue
                under = [g for g in golds if overlaps(g, mention)]
                linked = cluster.decision is not None and cluster.decision.winner is not None
                if under and not any((g.start, g.end) == (mention.start, mention.end) for g in under):
                    other["span mismatch (recognised, linkable)"] += 1
                    other["span mismatch and linked"] += linked
                if linked and not under:
                    other["link on span without gold (false)"] += 1
                if linked and under and not any(g.qid for g in under):
                    other["link on gold with null QID (neutral)"] += 1
    return classes, other


def main() -> None:
    settings, sets, model, prepared_sets, owners = cross_validated_from_command_line(__doc__)
    for protocol, owner in owners.items():
        tables = {dev.name: breakdown(dev, prepared_sets, owner, model, settings) for dev in sets}
        print(f"\n== {protocol}: gold mentions with a QID, by class ==")
        print("| class | " + " | ".join(tables) + " |")
        print("|---|" + "---|" * len(tables))
        for name in ("gold QIDs", "in KB", *CLASSES):
            print(f"| {name} | " + " | ".join(str(t[0][name]) for t in tables.values()) + " |")
        keys = sorted({k for t in tables.values() for k in t[1]})
        for name in keys:
            print(f"| {name} | " + " | ".join(str(t[1][name]) for t in tables.values()) + " |")


if __name__ == "__main__":
    main()
