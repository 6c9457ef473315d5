"""Benchmark the knowledge base's EntityRulers: built afresh against read from the ruler cache.

    python bench/bench_ruler.py                      # starter KB, + Wikidata sample, + synthetic
    python bench/bench_ruler.py --synthetic 0        # without the synthetic knowledge base

All figures come from one run, in one process, after one warm-up model load. They cover three
knowledge bases built in a temporary folder: the starter one, the starter plus the shared
Wikidata sample (when ../shared is there), and that plus ``--synthetic`` made-up entities (fake
QIDs) so that the imported names reach ``ruler_imported`` (50,000). For each one the table gives:

- what :func:`kb.pipeline.make_nlp` does, step by step: reading the names (SQL), making the
  patterns, loading the model, filling the rulers with ``EntityRuler.add_patterns`` (no cache),
  tokenising the patterns for the cache, writing the cache file, reading it, filling the rulers
  from it;
- ``make_nlp`` end to end (median of ``--repeat`` runs): with the cache off, on its first run
  (it builds the rulers and writes the file), and cached;
- whether the cached pipeline's entities (offsets, labels, entity ids), ruler patterns and known
  names are the same as the uncached pipeline's, on sentences made from the rulers' own names.

Timings are printed, never asserted; the machine may be shared, so compare within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kb.kbase import KnowledgeBase  # noqa: E402
from kb.pipeline import make_nlp  # noqa: E402
from kb.recognise import model  # noqa: E402
from kb.recognise import ruler_cache as cache  # noqa: E402
from kb.settings import Settings  # noqa: E402

SAMPLE = REPO.parent / "shared" / "wikidata" / "wikidata-sample.json.gz"
#: Sentences the rulers' names are put into for the equality check (written for this bench).
FRAMES = (
    "On Monday {0} said that {1} would send a delegation to {2}.",
    "{0} and {1} signed the agreement, a spokesman for {2} told reporters.",
    "Officials from {0} met {1} in the morning; {2} did not comment.",
)


def timed(function: Callable, *args, **kwargs) -> tuple[float, object]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def make_knowledge_bases(folder: Path, synthetic: int) -> list[tuple[str, KnowledgeBase]]:
    """The knowledge bases to measure, each in its own file in ``folder``."""
    from kb.wikidata.dump import import_dump

    bases = [("starter", KnowledgeBase.open(folder / "starter.db", seed=True))]
    if not SAMPLE.exists():
        print(f"(Wikidata sample not found at {SAMPLE}: measuring the starter knowledge base only)")
        return bases
    sample = KnowledgeBase.open(folder / "sample.db", seed=True)
    import_dump(sample, SAMPLE, progress=False)
    bases.append(("starter + Wikidata sample", sample))
    if synthetic:
        from bench.bench_import import write_dump

        big = KnowledgeBase.open(folder / "big.db", seed=True)
        import_dump(big, SAMPLE, progress=False)
        import_dump(big, write_dump(folder / "synthetic.json.gz", synthetic), progress=False)
        bases.append((f"+ {synthetic:,} synthetic entities", big))
    return bases


def steps(knowledge_base: KnowledgeBase, settings: Settings, folder: Path) -> dict[str, object]:
    """make_nlp's steps one by one, uncached and cached, and the pipelines each gives."""
    figures: dict[str, object] = {}
    figures["names (SQL)"], (curated, imported) = timed(
        lambda: (knowledge_base.ruler_names(), knowledge_base.popular_names(settings.ruler_imported, settings.linked_labels))
    )
    figures["patterns (ruler_patterns)"], patterns = timed(
        lambda: {model.CURATED: model.ruler_patterns(curated), model.IMPORTED: model.ruler_patterns(imported)}
    )
    figures["patterns: curated / imported"] = f"{len(patterns[model.CURATED]):,} / {len(patterns[model.IMPORTED]):,}"
    figures["model load"], plain = timed(model.load_model, settings.model)
    figures["rulers: EntityRuler.add_patterns (no cache)"], _ = timed(
        model.add_rulers, plain, patterns, model._add_ruler  # noqa: SLF001 - the uncached path, measured alone
    )
    cached = model.load_model(settings.model)
    figures["cache: tokenise the patterns"], states = timed(
        lambda: {name: cache.ruler_state(cached, found) for name, found in patterns.items()}
    )
    path = folder / "bench-rulers.msgpack"
    figures["cache: write the file"], _ = timed(cache.write_states, path, "bench", states)
    figures["cache file size"] = f"{path.stat().st_size / 2**20:.1f} MiB"
    figures["cache: read the file"], states = timed(cache.read_states, path, "bench")
    figures["rulers: filled from the cache"], _ = timed(model.add_rulers, cached, states, cache.install_ruler)
    figures["same entities, patterns and known names"] = "yes" if same_pipelines(plain, cached, patterns) else "NO"
    return figures


def end_to_end(knowledge_base: KnowledgeBase, settings: Settings, repeat: int) -> dict[str, float]:
    """make_nlp end to end: cache off, first run with the cache (it writes the file), cached."""
    off = settings.with_overrides(ruler_cache=False)
    where = cache.ruler_cache_for(settings, knowledge_base.path, knowledge_base.fingerprint())
    first = []
    for _ in range(repeat):
        where.path.unlink(missing_ok=True)
        first.append(timed(make_nlp, settings, knowledge_base)[0])
    return {
        "make_nlp, cache off": statistics.median(timed(make_nlp, off, knowledge_base)[0] for _ in range(repeat)),
        "make_nlp, first run (builds, writes the cache)": statistics.median(first),
        "make_nlp, cached": statistics.median(timed(make_nlp, settings, knowledge_base)[0] for _ in range(repeat)),
    }


def same_pipelines(plain, cached, patterns: dict[str, list[dict]]) -> bool:
    """Whether both pipelines find the same entities in sentences made of the rulers' names,
    and their rulers report the same patterns and known names."""
    names = [p["pattern"] for found in patterns.values() for p in found]
    picked = names[:: max(1, len(names) // 120)]
    texts = [FRAMES[n % len(FRAMES)].format(*picked[n : n + 3]) for n in range(0, len(picked) - 2, 3)]

    def entities(nlp) -> list:
        return [[(e.start_char, e.end_char, e.label_, e.ent_id_) for e in doc.ents] for doc in nlp.pipe(texts)]

    rulers_agree = all(
        plain.get_pipe(name).patterns == cached.get_pipe(name).patterns
        for name in (model.CURATED, model.IMPORTED) if name in plain.pipe_names
    )
    same = plain.pipe_names == cached.pipe_names and rulers_agree
    return same and model.known_names(plain) == model.known_names(cached) and entities(plain) == entities(cached)


def show(value: object) -> str:
    return f"{value:.3f} s" if isinstance(value, float) else str(value)


def main() -> None:
    """Build the knowledge bases, measure each, print one table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=80_000, help="synthetic entities added (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each end-to-end figure (median)")
    args = parser.parse_args()
    settings = Settings()
    model.load_model(settings.model)  # warm-up: the first load also imports and reads from disk
    with tempfile.TemporaryDirectory() as workdir:
        folder = Path(workdir)
        columns = []
        for label, knowledge_base in make_knowledge_bases(folder, args.synthetic):
            figures = steps(knowledge_base, settings, folder)
            figures.update(end_to_end(knowledge_base, settings, args.repeat))
            columns.append((label, figures))
    print("| step | " + " | ".join(label for label, _ in columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for row in columns[0][1]:
        print(f"| {row} | " + " | ".join(show(figures[row]) for _, figures in columns) + " |")


if __name__ == "__main__":
    main()
