"""Benchmark `kb wikidata import`: entities per second and memory, on the shared sample and on a
synthetic dump (default 1,000,000 entities) generated in a temporary directory.

Memory must stay flat while importing: resident memory is printed at 10 %, 50 % and 100 % of the
dump. Each part runs in its own process so its peak RSS is its own.

    python bench/bench_import.py                    # sample + 1,000,000 synthetic entities
    python bench/bench_import.py --entities 50000   # a quick run
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.kbase import KnowledgeBase  # noqa: E402
from kb.wikidata.dump import import_dump  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "wikidata" / "wikidata-sample.json.gz"
FAKE_BASE = 999_000_000  # synthetic QIDs stay in the fake range Q999000000–Q999999999
CLASSES = ("Q5", "Q43229", "Q515", "Q6256", "Q11424")  # human, organization, city, country, film
SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ya", "ov", "in")]


def synthetic_name(rng: random.Random) -> str:
    """A pronounceable made-up name of one or two words."""
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
             for _ in range(rng.randint(1, 2))]
    return " ".join(words)


def synthetic_items(count: int, seed: int = 7) -> Iterator[dict]:
    """``count`` Wikidata-JSON items with fake QIDs, a label, an alias, P31, P17 and sitelinks."""
    if count > 1_000_000_000 - FAKE_BASE:
        raise ValueError("too many synthetic entities for the fake QID range")
    rng = random.Random(seed)
    for n in range(count):
        qid = f"Q{FAKE_BASE + n}"
        label, alias = synthetic_name(rng), synthetic_name(rng)
        p31 = rng.choice(CLASSES)
        country = f"Q{FAKE_BASE + rng.randrange(max(1, n))}"

        def snak(prop: str, value: str) -> dict:
            return {"mainsnak": {"snaktype": "value", "property": prop, "datatype": "wikibase-item",
                                 "datavalue": {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": value}}},
                    "type": "statement", "rank": "normal"}

        yield {
            "type": "item", "id": qid,
            "labels": {"en": {"language": "en", "value": label}},
            "descriptions": {"en": {"language": "en", "value": f"synthetic test entity {n}"}},
            "aliases": {"en": [{"language": "en", "value": alias}]},
            "claims": {"P31": [snak("P31", p31)], "P17": [snak("P17", country)]},
            "sitelinks": {f"wiki{k}": {"site": f"wiki{k}", "title": label} for k in range(rng.randint(0, 5))},
        }


def write_dump(path: Path, count: int) -> Path:
    """Write a gzip dump of ``count`` synthetic items, streaming."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write("[\n")
        for n, data in enumerate(synthetic_items(count)):
            out.write((",\n" if n else "") + json.dumps(data, separators=(",", ":")))
        out.write("\n]\n")
    return path


def rss_mb() -> float:
    """Current resident memory of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(dump: Path, db: Path) -> None:
    """Import ``dump`` into a fresh knowledge base at ``db`` and print the figures."""
    marks = [0.1, 0.5, 1.0]
    seen: list[str] = []

    def on_batch(done: int, total: int) -> None:
        while marks and done >= marks[0] * total:
            seen.append(f"{int(marks.pop(0) * 100)}%: {rss_mb():.0f} MB")

    kb = KnowledgeBase.open(db)
    before = rss_mb()
    started = time.perf_counter()
    report = import_dump(kb, dump, progress=False, on_batch=on_batch)
    seconds = time.perf_counter() - started
    size_mb = db.stat().st_size / 1e6
    print(f"  {report.written:,} entities in {seconds:.1f} s = {report.written / seconds:,.0f} entities/s"
          f" ({report.malformed} malformed)")
    print(f"  RSS before {before:.0f} MB; during import {'; '.join(seen)}; peak {peak_rss_mb():.0f} MB")
    print(f"  knowledge base {size_mb:,.0f} MB on disk")


def main() -> None:
    """Run the sample and synthetic parts, each in a child process."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1_000_000, help="synthetic dump size")
    parser.add_argument("--part", choices=["sample", "synthetic"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--keep", metavar="DB", help="keep the synthetic knowledge base at this path")
    args = parser.parse_args()

    if args.part == "sample":
        measure(SAMPLE, Path(args.workdir) / "sample.db")
        return
    if args.part == "synthetic":
        dump = Path(args.workdir) / "synthetic.json.gz"
        started = time.perf_counter()
        write_dump(dump, args.entities)
        print(f"  generated {args.entities:,} entities ({dump.stat().st_size / 1e6:,.0f} MB gzip)"
              f" in {time.perf_counter() - started:.0f} s")
        measure(dump, Path(args.keep) if args.keep else Path(args.workdir) / "synthetic.db")
        return

    with tempfile.TemporaryDirectory() as workdir:
        if SAMPLE.exists():
            print(f"shared sample ({SAMPLE.name}):", flush=True)
            subprocess.run([sys.executable, __file__, "--part", "sample", "--workdir", workdir], check=True)
        else:
            print(f"shared sample: skipped ({SAMPLE} not found)")
        print(f"synthetic dump ({args.entities:,} entities):", flush=True)
        command = [sys.executable, __file__, "--part", "synthetic", "--workdir", workdir,
                   "--entities", str(args.entities)]
        if args.keep:
            command += ["--keep", args.keep]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
