"""Choose the press releases of the hand-annotated development sample (bench/press-sample/).

Reads ../shared at run time (the texts are third-party and are not copied into the repository):
the corpus ``corpus/press-releases.jsonl.gz`` and every gold file ``eval/*.jsonl``. A release is a
candidate when it has at least MIN_CHARS characters and is not already in an eval file — neither by
id, nor by the number at the end of its URL (eval ids such as ``pr-kremlin-NNNNN``), nor by
containing the text of an eval document. SAMPLE_SIZE candidates are drawn with a fixed seed, so
the choice can be re-made and checked.

Usage: python bench/press-sample/select.py [--shared ../shared]   (prints one id a line)
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

SEED = 20261129
SAMPLE_SIZE = 15
MIN_CHARS = 1500
#: The number at the end of an eval id such as "pr-kremlin-68252" or "pr-zelenskyy-72921".
_EVAL_NUMBER = re.compile(r"^pr-[a-z]+-(\d+)$")


def read_jsonl(path: Path) -> list[dict]:
    """The JSON objects of a JSON-lines file, gzipped or not (blank lines skipped)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def eval_documents(shared: Path) -> list[dict]:
    """Every document of every gold file in ``shared/eval``."""
    return [doc for path in sorted((shared / "eval").glob("*.jsonl")) for doc in read_jsonl(path)]


def _url_number(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def is_in_eval(release: dict, evals: list[dict]) -> bool:
    """Whether a release is already (part of) an eval document: same id, URL number or text."""
    for doc in evals:
        doc_id = str(doc.get("id", ""))
        match = _EVAL_NUMBER.match(doc_id)
        if doc_id == release["id"] or (match and match.group(1) == _url_number(release.get("url", ""))):
            return True
        text = (doc.get("text") or "").strip()
        if len(text) >= 200 and text in release["text"]:
            return True
    return False


def candidates(releases: list[dict], evals: list[dict]) -> list[dict]:
    """Releases long enough and not in an eval file, in corpus order."""
    return [r for r in releases if len(r["text"]) >= MIN_CHARS and not is_in_eval(r, evals)]


def select(shared: Path) -> list[dict]:
    """The sample: SAMPLE_SIZE candidates drawn with the fixed seed."""
    releases = read_jsonl(shared / "corpus" / "press-releases.jsonl.gz")
    return random.Random(SEED).sample(candidates(releases, eval_documents(shared)), SAMPLE_SIZE)


def main() -> None:
    """Print the chosen ids, one a line (with source and title when --verbose)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[3] / "shared")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    for release in select(args.shared):
        print(f"{release['id']}\t{release['source']}\t{release['title']}" if args.verbose else release["id"])


if __name__ == "__main__":
    main()
