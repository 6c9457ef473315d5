"""Where a `kb build` spends its time, sampled by py-spy: a flame graph's content as a table.

    python bench/profile_build.py [--documents 200] [--components lean|full] [--svg flame.svg]

Builds the first N press releases of ../shared/corpus (read at run time, never copied) under
``py-spy record`` (``pip install py-spy``), then prints the share of samples by stage of the
build (the kb function a sample is inside: reading, model load, spaCy, span repair, linking,
writing) and the functions that were running most often (the flame graph's widest leaves).
``--svg`` also writes py-spy's own flame graph of a second, identical build.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.__main__ import CORPUS, write_corpus  # noqa: E402

#: A sample belongs to the first of these kb frames found from the innermost one outwards.
STAGES = (
    ("write (store, search index, co-mentions)", ("kb/store.py",)),
    ("link", ("kb/link/",)),
    ("span repair and mentions (kb)", ("mentions_of (kb/recognise",)),
    ("spaCy model and EntityRulers", ("Language.pipe (spacy",)),
    ("model load and ruler cache", ("make_nlp (kb/pipeline.py",)),
    ("reading inputs", ("kb/ingest/",)),
)


def stage_of(stack: list[str]) -> str:
    """The build stage a sampled stack (outermost frame first) was in."""
    for frame in reversed(stack):
        for stage, marks in STAGES:
            if any(mark in frame for mark in marks):
                return stage
    return "other (start-up, imports, opening the database)"


def summarise(raw: str) -> tuple[Counter, Counter, int]:
    """Samples by stage and by innermost function, from py-spy's raw (collapsed) output."""
    stages: Counter = Counter()
    leaves: Counter = Counter()
    total = 0
    for line in raw.splitlines():
        stack_text, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        stack = stack_text.split(";")
        stages[stage_of(stack)] += int(count)
        leaves[stack[-1]] += int(count)
        total += int(count)
    return stages, leaves, total


def record(source: Path, folder: Path, components: str, output: Path, form: str) -> None:
    """``py-spy record`` of one fresh ``kb build`` of ``source``."""
    db = folder / f"profile-{form}.db"
    command = [
        "py-spy", "record", "--rate", "100", "--format", form, "--output", str(output), "--",
        sys.executable, "-m", "kb", "build", str(source), "--db", str(db), "--components", components,
        "--no-progress",
    ]
    subprocess.run(command, check=True, capture_output=True, cwd=BENCH.parent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--components", choices=("full", "lean"), default="lean")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--svg", type=Path, help="also write py-spy's flame graph (SVG) here")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    if shutil.which("py-spy") is None:
        parser.error("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = write_corpus(args.corpus, folder, args.documents)
        record(source, folder, args.components, folder / "raw.txt", "raw")
        stages, leaves, total = summarise((folder / "raw.txt").read_text(encoding="utf-8"))
        if args.svg:
            record(source, folder, args.components, args.svg.resolve(), "flamegraph")
    print(f"kb build of {args.documents} documents, components = {args.components}: {total} samples at 100/s")
    print("\n| stage | share of samples |\n| --- | --- |")
    for stage, count in stages.most_common():
        print(f"| {stage} | {100 * count / total:.1f}% |")
    print("\n| running function (flame graph leaf) | share |\n| --- | --- |")
    for leaf, count in leaves.most_common(args.top):
        print(f"| `{leaf}` | {100 * count / total:.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
