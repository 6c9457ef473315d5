"""Train kb's learned ranker on the dev gold sets and write kb/data/ranker.json.

    pip install -e '.[train]'
    python bench/train_ranker.py                 # ../shared next to the repository
    python bench/train_ranker.py --end-to-end    # also the cross-validated figures with spaCy's mentions

Everything the ranker decides with (its coefficients, its NIL threshold) comes out of this script:
the model and its regularisation are selected by cross-validation across documents (grouped
k-fold) and across sets (leave one set out), with a fixed seed, so that a rerun reproduces the
shipped file (tests/test_link_train.py checks it). See README, "How linking decides".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.kbase import KnowledgeBase, open_knowledge_base  # noqa: E402
from kb.evaluate import read_gold_set  # noqa: E402
from kb.link.train import DevSet, train, training_data  # noqa: E402
from kb.settings import Settings  # noqa: E402

MODEL_PATH = ROOT / "kb" / "data" / "ranker.json"
#: The dev sets: file in shared/eval, and whether it is scored with the Wikidata sample KB.
SETS = (("dev-domain", False), ("dev-msnbc", True), ("dev-reuters128", True))


def sample_kb(shared: Path, cache: Path) -> KnowledgeBase:
    """The Wikidata sample imported into a cached knowledge-base file."""
    from kb.wikidata.dump import import_dump

    path = cache / "sample-kb.db"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        import_dump(open_knowledge_base(partial, seed=False), shared / "wikidata" / "wikidata-sample.json.gz",
                    progress=False)
        partial.rename(path)
    return open_knowledge_base(path, seed=False)


def dev_sets(shared: Path, cache: Path) -> list[DevSet]:
    """The three dev sets with their knowledge bases (starter KB for the domain set)."""
    sample = sample_kb(shared, cache)
    return [
        DevSet(name, read_gold_set(shared / "eval" / f"{name}.jsonl"),
               sample if uses_sample else open_knowledge_base(None))
        for name, uses_sample in SETS
    ]


def _recognition_code() -> bytes:
    """The source of kb/recognise and kb/names.py: a change there changes the mentions."""
    files = sorted((ROOT / "kb" / "recognise").glob("*.py")) + [ROOT / "kb" / "names.py"]
    return b"".join(path.read_bytes() for path in files)


def _knowledge_base_key(knowledge_base: KnowledgeBase) -> bytes:
    """What identifies a knowledge base's contents across runs: a file's fingerprint; for the
    in-memory starter knowledge base (whose fingerprint is new every run), the starter file."""
    if knowledge_base.path:
        return knowledge_base.fingerprint().encode()
    return (ROOT / "kb" / "data" / "starter.yaml").read_bytes()


def recognised(dev: DevSet, settings: Settings, cache: Path) -> dict[str, list]:
    """kb's recognised mentions of every document of a dev set (spaCy and the knowledge base's
    EntityRuler), cached in ``cache`` by texts, knowledge base, model, components and the
    recognition code itself."""
    from kb.pipeline import make_nlp
    from kb.recognise import recognise

    documents = list(dev.gold.documents)
    key = hashlib.sha1(
        "".join(d.text for d in documents).encode() + _knowledge_base_key(dev.knowledge_base)
        + settings.model.encode() + settings.components.encode() + _recognition_code()
    ).hexdigest()[:16]
    path = cache / f"mentions-{dev.name}-{key}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    nlp = make_nlp(settings, dev.knowledge_base)
    texts = (d.text for d in documents)
    found = dict(zip(
        (d.id for d in documents),
        recognise(nlp, texts, dev.knowledge_base.keeps_article, settings.batch_size, 1, settings.sentence_limit),
    ))
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(found))
    return found


def trained(shared: Path, cache: Path, log=lambda _: None) -> tuple[dict, dict]:
    """The ranker structure and the cross-validation summary (what tests compare)."""
    settings = Settings()
    sets = dev_sets(shared, cache)
    mentions = {dev.name: recognised(dev, settings, cache) for dev in sets}
    return train(training_data(sets, settings, log, recognised=mentions), log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/kb-ranker-cache"))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--summary", type=Path, default=None, help="Write the CV summary as JSON here.")
    parser.add_argument("--end-to-end", action="store_true", help="Cross-validate with spaCy's mentions too.")
    args = parser.parse_args()
    log = lambda line: print(line, file=sys.stderr)  # noqa: E731
    model, summary = trained(args.shared, args.cache, log)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=1, default=str) + "\n", encoding="utf-8")
    print(json.dumps({k: summary[k] for k in ("config", "nil_threshold", "grouped_kfold", "leave_one_set_out",
                                              "baseline", "calibration")}, indent=1, default=str))


if __name__ == "__main__":
    main()
