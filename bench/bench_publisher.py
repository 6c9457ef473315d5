"""What the publisher's country (kb/link/home.py) costs linking: the same recognised releases
linked with and without their URLs, in one run.

    python bench/bench_publisher.py [--documents 300] [--shared ../shared] [--repeats 3]

Recognises the first N releases of ``../shared/corpus`` once (capturing the mentions the build
links), then links them again and again, alternating: without a publisher, then with each
release's URL. Prints seconds and microseconds per mention for each pass.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kb.pipeline  # noqa: E402
from kb.kbase import open_knowledge_base  # noqa: E402
from kb.link import link_document  # noqa: E402
from kb.records import Document  # noqa: E402
from kb.settings import Settings  # noqa: E402


def recognised(documents: list[Document], settings: Settings, knowledge_base) -> list[tuple]:
    """(id, text, mentions, publisher) of each document, as the build hands them to linking."""
    captured = []
    original = kb.pipeline.link_document

    def capture(document_id, text, mentions, knowledge_base_, settings_, publisher=None):
        captured.append((document_id, text, mentions, publisher))
        return original(document_id, text, mentions, knowledge_base_, settings_, publisher)

    kb.pipeline.link_document = capture
    try:
        nlp = kb.pipeline.make_nlp(settings, knowledge_base)
        for _ in kb.pipeline.link_batches(nlp, documents, knowledge_base, settings):
            pass
    finally:
        kb.pipeline.link_document = original
    return captured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with gzip.open(args.shared / "corpus" / "press-releases.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in islice(lines, args.documents)]
    documents = [Document(id=r["id"], text=r["text"], url=r.get("url"), source=r.get("source")) for r in records]
    settings, knowledge_base = Settings(), open_knowledge_base(None)
    found = recognised(documents, settings, knowledge_base)
    mentions = sum(len(m) for _, _, m, _ in found)
    print(f"{len(found)} releases, {mentions:,} mentions")
    for repeat in range(args.repeats):
        for with_publisher in (False, True):
            start = time.perf_counter()
            for document_id, text, recognised_mentions, publisher in found:
                link_document(
                    document_id, text, recognised_mentions, knowledge_base, settings,
                    publisher if with_publisher else None,
                )
            seconds = time.perf_counter() - start
            print(f"pass {repeat + 1}, {'with' if with_publisher else 'without'} publisher: "
                  f"{seconds:.2f} s, {seconds / mentions * 1e6:.0f} µs per mention")


if __name__ == "__main__":
    main()
