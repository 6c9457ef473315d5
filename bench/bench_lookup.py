"""Benchmark candidate lookup (KnowledgeBase.candidates) per mention over a large knowledge base.

Targets: median under 100 µs per mention, process RSS under 500 MB, with the knowledge base on
disk (SQLite), not in a Python dict. Builds a synthetic knowledge base of ``--entities`` entities
(default 1,000,000) in a temporary directory, or reuses one with ``--kb`` (for instance the one
``bench_import.py --keep`` left).

    python bench/bench_lookup.py --entities 100000
    python bench/bench_lookup.py --kb /tmp/bench-1m.db
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import peak_rss_mb, rss_mb, synthetic_items  # noqa: E402

from kb.kbase import KnowledgeBase, write_entities  # noqa: E402
from kb.wikidata.entity import entity_from_json  # noqa: E402


def build(path: Path, count: int, batch: int = 20_000) -> KnowledgeBase:
    """A knowledge base of ``count`` synthetic entities at ``path``."""
    kb = KnowledgeBase.open(path)
    kb.db.execute("PRAGMA synchronous = OFF")
    pending = []
    for data in synthetic_items(count):
        pending.append(entity_from_json(data))
        if len(pending) >= batch:
            with kb.db.conn:
                write_entities(kb.db, pending)
            pending.clear()
    with kb.db.conn:
        write_entities(kb.db, pending)
        kb.db.execute("ANALYZE")
    return kb


def mentions(kb: KnowledgeBase, count: int, seed: int = 11) -> list[str]:
    """Surfaces to look up: half exact aliases, a quarter plural/possessive variants, a quarter
    unknown names (which fall through every tier down to the fuzzy scan)."""
    rng = random.Random(seed)
    (total,) = kb.db.execute("SELECT max(rowid) FROM aliases").fetchone()
    surfaces = []
    while len(surfaces) < count:
        row = kb.db.execute("SELECT alias FROM aliases WHERE rowid = ?", (rng.randint(1, total),)).fetchone()
        if row is None:
            continue
        alias = row[0]
        kind = rng.random()
        if kind < 0.5:
            surfaces.append(alias)
        elif kind < 0.75:
            surfaces.append(alias + rng.choice(["s", "'s", "’s"]))
        else:
            surfaces.append("Xq" + alias[::-1].lower())
    return surfaces


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(kb: KnowledgeBase, count: int) -> None:
    """Time ``count`` lookups and print median/p95 per mention and memory."""
    (entities,) = kb.db.execute("SELECT count(*) FROM entities").fetchone()
    surfaces = mentions(kb, count)
    for surface in surfaces[:200]:  # warm SQLite's page cache
        kb.candidates(surface)
    timings, found = [], 0
    for surface in surfaces:
        started = time.perf_counter_ns()
        result = kb.candidates(surface)
        timings.append((time.perf_counter_ns() - started) / 1000)
        found += bool(result)
    print(f"{entities:,} entities, {len(surfaces):,} mentions ({found:,} with candidates)")
    print(f"  candidate lookup per mention: median {statistics.median(timings):.0f} µs,"
          f" p95 {percentile(timings, 95):.0f} µs, p99 {percentile(timings, 99):.0f} µs,"
          f" mean {statistics.fmean(timings):.0f} µs")
    print(f"  RSS {rss_mb():.0f} MB (peak {peak_rss_mb():.0f} MB)")


def main() -> None:
    """Build or open the knowledge base, then time lookups."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1_000_000, help="synthetic knowledge-base size")
    parser.add_argument("--mentions", type=int, default=20_000, help="lookups to time")
    parser.add_argument("--kb", help="use this existing knowledge base instead of building one")
    args = parser.parse_args()
    if args.kb:
        if not Path(args.kb).exists():
            sys.exit(f"{args.kb}: no such knowledge base")
        run(KnowledgeBase.open(args.kb), args.mentions)
        return
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        kb = build(Path(workdir) / "kb.db", args.entities)
        print(f"built in {time.perf_counter() - started:.0f} s")
        run(kb, args.mentions)


if __name__ == "__main__":
    main()
