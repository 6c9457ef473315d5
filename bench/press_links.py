"""A review sheet of kb's links on press releases it was never tuned on, for judging by hand.

Draws N press releases (default 40) from ../shared/corpus/press-releases.jsonl.gz with a fixed
seed, leaving out every release kb may have been tuned on:

- any release that overlaps a text of ../shared/eval/dev-domain.jsonl (the whole text, or any
  200-character piece of it, occurs in the release; or the release has the eval document's id);
- the releases of the hand-annotated development sample (bench/press-sample/annotations.jsonl);
- with ``--exclude SHEET.tsv`` (repeatable), the releases of sheets judged before, so that a new
  sample is unseen by the changes those judgements led to.

It builds them with kb's default settings (the starter knowledge base, ``kb.pipeline.build``
into a temporary database) and writes a TSV with one row per stored mention linked to a
knowledge-base entity (unresolved ``nil:`` entities left out): document id, start, end,
mention text, label, entity id, QID, the entity's label and description, the link's score and
the mention's sentence, plus empty columns for the reviewer: ``verdict`` (right, wrong or unsure),
``error_class`` and ``should_be`` (for a wrong link) and ``note``. With ``--keep-db`` the database
is kept, to read whole documents while judging. ``--score JUDGED.tsv`` prints the figures of a
judged sheet: precision over all links and outside the most frequent entities, errors by class.

The texts are third-party: they are read from ../shared at run time, and the sheet (which holds
sentences of them) belongs outside the repository (the default is under /tmp).

Usage: python bench/press_links.py [--documents 40] [--seed N] [--exclude OLD.tsv] [-o SHEET.tsv] [--keep-db DB]
       python bench/press_links.py --score JUDGED.tsv [--top 3]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"
SEED = 20261129
PIECE = 200  # the length of a shared piece of text that counts as overlap
COLUMNS = ("document_id", "start", "end", "mention", "label", "entity_id", "qid", "entity_label",
           "entity_description", "score", "sentence", "verdict", "error_class", "should_be", "note")


def read_jsonl(path: Path) -> list[dict]:
    """The JSON objects of a JSON-lines file, gzipped or not (blank lines skipped)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def overlaps(release: str, text: str, piece: int = PIECE) -> bool:
    """Whether ``release`` contains ``text`` whole or shares any ``piece``-character substring
    with it. Any shared substring of ``piece`` characters holds one of the text's aligned pieces
    of half that length, so those find the candidates cheaply before the exact test."""
    if not text or text in release:
        return bool(text)
    if len(text) < piece:
        return False
    half = piece // 2
    if not any(text[i:i + half] in release for i in range(0, len(text) - half + 1, half)):
        return False
    return any(text[i:i + piece] in release for i in range(len(text) - piece + 1))


def excluded(release: dict, tuned: list[dict], sample_ids: set[str]) -> bool:
    """Whether kb may have been tuned on ``release``: it is in the development sample, or it has
    the id of a tuning document, or it overlaps one's text."""
    if release["id"] in sample_ids:
        return True
    return any(doc.get("id") == release["id"] or overlaps(release["text"], doc.get("text") or "") for doc in tuned)


def pick(shared: Path, documents: int, seed: int, judged: tuple[Path, ...] = ()) -> list[dict]:
    """``documents`` releases drawn with ``seed`` from those kb was never tuned on (nor judged
    in one of the ``judged`` sheets)."""
    releases = read_jsonl(shared / "corpus" / "press-releases.jsonl.gz")
    tuned = read_jsonl(shared / "eval" / "dev-domain.jsonl")
    sample = REPO / "bench" / "press-sample" / "annotations.jsonl"
    sample_ids = {doc["id"] for doc in read_jsonl(sample)} if sample.exists() else set()
    sample_ids |= {row["document_id"] for sheet in judged for row in read_sheet(sheet)}
    unseen = [r for r in releases if not excluded(r, tuned, sample_ids)]
    return random.Random(seed).sample(unseen, documents)


def build(releases: list[dict], db: Path) -> None:
    """Build ``releases`` into ``db`` with kb's default settings (starter knowledge base)."""
    from kb.pipeline import build as kb_build
    from kb.settings import Settings

    source = db.parent / "releases.jsonl"
    with open(source, "w", encoding="utf-8") as out:
        for release in releases:
            out.write(json.dumps(release, ensure_ascii=False) + "\n")
    kb_build([source], db, Settings(), progress=False)
    source.unlink()


def linked_rows(db: Path) -> list[dict]:
    """Every stored mention linked to a knowledge-base entity, in document and text order."""
    query = """SELECT m.document_id, m.start, m."end", m.text AS mention, m.label, m.entity_id,
                      e.qid, e.label AS entity_label, e.description AS entity_description,
                      round(m.score, 3) AS score, m.sentence
               FROM mentions m JOIN entities e ON e.id = m.entity_id
               WHERE m.entity_id IS NOT NULL AND m.entity_id NOT LIKE 'nil:%'
               ORDER BY m.document_id, m.start"""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(query)]


def write_sheet(rows: list[dict], path: Path) -> None:
    """The review sheet: one TSV row a link, whitespace inside cells flattened to spaces."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([" ".join(str(row.get(c) if row.get(c) is not None else "").split()) for c in COLUMNS])


def score(rows: list[dict], top: int = 3) -> dict:
    """The figures of a judged sheet: links judged, right, wrong, unsure and precision
    (right / (right + wrong)), the same without the ``top`` most frequent entities (which
    dominate the count), and the wrong links by ``error_class``."""
    def figures(judged: list[dict]) -> dict:
        counts = Counter(row["verdict"] for row in judged)
        decided = counts["right"] + counts["wrong"]
        return {"links": len(judged), "right": counts["right"], "wrong": counts["wrong"],
                "unsure": counts["unsure"], "precision": round(counts["right"] / decided, 3) if decided else None}

    unjudged = [row for row in rows if row["verdict"] not in ("right", "wrong", "unsure")]
    if unjudged:
        raise SystemExit(f"Error: {len(unjudged)} rows have no verdict (right, wrong or unsure)")
    frequent = [entity for entity, _ in Counter(row["entity_id"] for row in rows).most_common(top)]
    rest = [row for row in rows if row["entity_id"] not in frequent]
    classes = Counter(row["error_class"] for row in rows if row["verdict"] == "wrong")
    return {"all": figures(rows), "frequent": frequent, "rest": figures(rest), "classes": dict(classes.most_common())}


def read_sheet(path: Path) -> list[dict]:
    """The rows of a review sheet (TSV with the header :data:`COLUMNS`)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def main() -> None:
    """Pick, build, and write the sheet; print where it is and how many links it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--exclude", type=Path, action="append", default=[],
                        help="a sheet judged before: its releases are not drawn again (repeatable)")
    parser.add_argument("-o", "--output", type=Path, default=Path(tempfile.gettempdir()) / "press-links.tsv")
    parser.add_argument("--keep-db", type=Path, help="build into this database and keep it")
    parser.add_argument("--score", type=Path, help="print the figures of this judged sheet instead")
    parser.add_argument("--top", type=int, default=3, help="most frequent entities left out of the second figure")
    args = parser.parse_args()
    if args.score:
        print(json.dumps(score(read_sheet(args.score), args.top), indent=2))
        return
    releases = pick(args.shared, args.documents, args.seed, tuple(args.exclude))
    with tempfile.TemporaryDirectory() as folder:
        db = args.keep_db or Path(folder) / "press.db"
        if args.keep_db and db.exists():
            raise SystemExit(f"Error: {db}: already exists; give a new path")
        build(releases, db)
        rows = linked_rows(db)
    write_sheet(rows, args.output)
    chars = sum(len(r["text"]) for r in releases)
    print(f"{len(releases)} releases ({chars:,} characters), {len(rows)} links -> {args.output}")


if __name__ == "__main__":
    main()
