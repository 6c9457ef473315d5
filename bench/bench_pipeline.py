"""Benchmark: build throughput on the shared press-release corpus, and the cost of a rebuild.

Prints documents/second, characters/second, mentions, peak resident memory, and how long an
unchanged rebuild takes compared with the first build (the incremental path should be a small
fraction). Reads ../shared/corpus/press-releases.jsonl.gz at run time (never copied).

    python bench/bench_pipeline.py --documents 300 [--processes 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kb.pipeline import build  # noqa: E402
from kb.settings import Settings  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "press-releases.jsonl.gz"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_sample(folder: Path, documents: int) -> int:
    """Write the first ``documents`` corpus records as one JSONL file; returns total characters."""
    characters = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as source, open(folder / "corpus.jsonl", "w") as out:
        for number, line in enumerate(source):
            if number >= documents:
                break
            out.write(line)
            characters += len(json.loads(line)["text"])
    return characters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=300, help="how many corpus documents (max 1796)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--processes", type=int, default=1, help="spaCy worker processes")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} not found: this benchmark reads the shared corpus")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        characters = write_sample(folder, args.documents)
        settings = Settings(batch_size=args.batch_size, processes=args.processes)
        first = build([folder / "corpus.jsonl"], folder / "kb.db", settings, progress=False)
        again = build([folder / "corpus.jsonl"], folder / "kb.db", settings, progress=False)
    print(f"documents            {first.processed}")
    print(f"characters           {characters:,}")
    print(f"first build          {first.seconds:.1f} s  ({first.processed / first.seconds:.1f} docs/s, "
          f"{characters / first.seconds:,.0f} chars/s, model load included)")
    print(f"mentions             {first.mentions:,} ({first.linked:,} with a QID, {first.unresolved:,} unresolved)")
    print(f"unchanged rebuild    {again.seconds:.3f} s  ({again.seconds / first.seconds:.4f} of the first build, "
          f"{again.processed} documents processed)")
    print(f"peak RSS             {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
