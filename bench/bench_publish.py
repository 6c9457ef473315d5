"""Page times of the published site on a database built from the press-release corpus.

    python bench/bench_publish.py [--db /tmp/kb-press.db] [--documents 1000] [--runs 20]

Builds the database with `kb build` from the first N press releases of
../shared/corpus/press-releases.jsonl.gz (read at run time; nothing is copied into the repo)
unless --db already exists, then times the pages through Datasette's in-process client: the
entity page of the most mentioned entity, of a median one and of an unresolved one, a document
page, JSON-LD, a reconciliation batch and the canned queries. Prints the median and the slowest
of --runs requests for each.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from click.testing import CliRunner  # noqa: E402

from kb.cli import cli  # noqa: E402
from kb.publish import database_name, make_datasette  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "press-releases.jsonl.gz"


def build(db_path: Path, documents: int) -> None:
    """`kb build` the first ``documents`` press releases into ``db_path``."""
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "press-releases.jsonl"
        with gzip.open(CORPUS, "rt", encoding="utf-8") as source, sample.open("w", encoding="utf-8") as out:
            out.writelines(itertools.islice(source, documents))
        started = time.perf_counter()
        result = CliRunner().invoke(cli, ["build", str(sample), "--db", str(db_path), "--no-progress"])
        if result.exit_code != 0:
            raise SystemExit(result.output)
        print(result.output.strip(), f"(wall {time.perf_counter() - started:.0f} s)")


def pick(db_path: Path) -> dict[str, str]:
    """Entities and a document worth timing: the most mentioned, a median one, an unresolved one."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    counts = conn.execute(
        "SELECT entity_id, count(*) AS n FROM mentions WHERE entity_id IS NOT NULL"
        " GROUP BY entity_id ORDER BY n DESC"
    ).fetchall()
    unresolved = next(e for e, _ in counts if e.startswith("nil:"))
    document = conn.execute(
        "SELECT document_id FROM mentions GROUP BY document_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()
    return {"top": counts[0][0], "top_mentions": str(counts[0][1]), "median": counts[len(counts) // 2][0],
            "unresolved": unresolved, "document": document}


def pages(db: str, chosen: dict[str, str]) -> dict[str, str]:
    """The URLs to time, by name."""
    from datasette.utils import tilde_encode

    batch = quote('{"q0":{"query":"Putin"},"q1":{"query":"Zelensky","type":"PERSON"},"q2":{"query":"NATO"}}')
    return {
        f"entity page, most mentioned ({chosen['top']}, {chosen['top_mentions']} mentions)":
            f"/{db}/entities/{tilde_encode(chosen['top'])}",
        f"entity page, median ({chosen['median']})": f"/{db}/entities/{tilde_encode(chosen['median'])}",
        f"entity page, unresolved ({chosen['unresolved']})": f"/{db}/entities/{tilde_encode(chosen['unresolved'])}",
        "entity JSON-LD, most mentioned": f"/{db}/entities/{tilde_encode(chosen['top'])}.jsonld",
        "document page, most mentions": f"/{db}/documents/{tilde_encode(chosen['document'])}",
        "front page": "/",
        "reconcile, batch of 3": f"/{db}/entities/-/reconcile?queries={batch}",
        "find_entity Putin": f"/{db}/find_entity?entity=Putin",
        "documents_mentioning_both Putin, Macron": f"/{db}/documents_mentioning_both?entity1=Putin&entity2=Macron",
        "weapons_per_month": f"/{db}/weapons_per_month",
        "entities_co_mentioned Putin": f"/{db}/entities_co_mentioned?entity=Putin",
        "entities full-text search": f"/{db}/entities?_search=president",
        "documents full-text search": f"/{db}/documents?_search=missile",
    }


async def measure(db_path: Path, runs: int) -> None:
    """Time each page ``runs`` times (after one warm-up request) and print the figures."""
    datasette = make_datasette(db_path)
    targets = pages(database_name(db_path), pick(db_path))
    print(f"{'page':<70} {'median ms':>9} {'max ms':>7} {'KB':>6}")
    for name, path in targets.items():
        first = await datasette.client.get(path)
        if first.status_code != 200:
            raise SystemExit(f"{path}: {first.status_code}")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            await datasette.client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:<70} {statistics.median(times):9.1f} {max(times):7.1f} {len(first.content) / 1024:6.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "kb-press.db")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if not args.db.exists():
        if not CORPUS.exists():
            raise SystemExit(f"{CORPUS}: corpus not found (../shared beside the repository)")
        build(args.db, args.documents)
    asyncio.run(measure(args.db, args.runs))


if __name__ == "__main__":
    main()
