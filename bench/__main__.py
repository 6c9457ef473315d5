"""kb's throughput benchmark: one run, one table (``python -m bench``, ``make bench``).

Builds the first N press releases of ../shared/corpus/press-releases.jsonl.gz (read at run time,
never copied) and measures, all in this one run:

- bare spaCy: ``nlp.pipe`` with the same model, three times: the NER alone over the whole texts
  (what a user of bare spaCy runs: the floor of any NER-based tool); the NER alone over the
  pieces kb feeds it (long documents cut at ``max_chunk_chars``; spaCy is faster on those, so
  this floor is the stricter one); and the components kb runs with ``--components`` (``full``:
  tagger, parser, NER; ``lean``: senter, NER) over kb's pieces, without kb's rulers;
- ``kb build`` end to end with one process (``--components``, default kb's default), its time split by stage (read, spaCy model,
  EntityRulers, span repair, link, write; the FTS index measured after as a rebuild), its
  linking time per mention, peak RSS and database size;
- the same two as whole processes, start-up and imports included (how the issue measured):
  bare spaCy NER over the whole texts, and the ``kb build`` command;
- an unchanged re-run of that build (should cost a few per cent of it);
- ``kb build -j 2`` (fresh database), its speed-up over one process and whether its rows equal.

Each measurement runs in a forked child so its peak RSS is its own. ``--smoke`` builds the
repository's examples/ instead (CI: checks the benchmark runs and both builds agree; no timing
is asserted anywhere). The machine may be shared: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.stages import Clock, instrument  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "press-releases.jsonl.gz"
EXAMPLES = REPO / "examples"


def write_corpus(corpus: Path, folder: Path, documents: int) -> Path:
    """The first ``documents`` records of ``corpus``, as one JSONL file in ``folder``."""
    path = folder / "corpus.jsonl"
    with gzip.open(corpus, "rt", encoding="utf-8") as source, open(path, "w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number >= documents:
                break
            out.write(line)
    return path


def read_texts(path: Path) -> list[str]:
    """The texts kb reads from ``path`` (a file or folder), for the bare-spaCy run."""
    from kb.ingest import read_inputs
    from kb.records import Document

    return [item.text for item in read_inputs([path]) if isinstance(item, Document)]


def in_child(function, *args) -> dict:
    """Run ``function(*args)`` (returning a dict) in a forked child; its result, with the
    child's peak RSS in MiB as ``rss`` and the cores it and its own children kept busy as
    ``busy`` (CPU seconds per second of wall time)."""
    parent, child = multiprocessing.Pipe(duplex=False)

    def run() -> None:
        started = time.perf_counter()
        result = function(*args)
        wall = time.perf_counter() - started
        own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        result["rss"] = own.ru_maxrss / 1024
        # cores kept busy: this process, and its worker processes (-j N, once ended)
        result["busy"] = ((own.ru_utime + own.ru_stime) / wall, (workers.ru_utime + workers.ru_stime) / wall)
        child.send(result)

    process = multiprocessing.get_context("fork").Process(target=run)
    process.start()
    child.close()
    try:
        result = parent.recv()
    except EOFError:  # the child died without an answer (its traceback is on stderr)
        raise SystemExit(f"bench: {function.__name__} failed") from None
    process.join()
    return result


def bare_spacy(texts: list[str], batch_size: int, components: str, whole: bool = False) -> dict:
    """``nlp.pipe`` over the texts with kb's model: ``components`` "ner" loads the NER alone (the
    floor of any NER-based tool), otherwise the components kb runs with that setting (see
    :func:`kb.recognise.model.load_model`), without kb's rulers. The texts go in as kb's pieces,
    or ``whole``, as a user of bare spaCy would pass them."""
    import spacy

    from kb.recognise.chunks import chunk_spans
    from kb.recognise.model import UNUSED_COMPONENTS, load_model
    from kb.settings import Settings

    model = Settings().model
    others = [name for name in spacy.load(model).component_names if name != "ner"] if components == "ner" else []
    started = time.perf_counter()
    nlp = spacy.load(model, exclude=others) if others else load_model(model, components)
    loaded = time.perf_counter()
    # the pieces kb feeds spaCy (long documents cut at Settings.max_chunk_chars), so both do the same work
    limit = max(Settings().max_chunk_chars, *map(len, texts)) if whole else Settings().max_chunk_chars
    nlp.max_length = max(nlp.max_length, limit)
    pieces = (text[start:end] for text in texts for start, end in chunk_spans(text, limit))
    entities = sum(len(doc.ents) for doc in nlp.pipe(pieces, batch_size=batch_size))
    done = time.perf_counter()
    assert not set(UNUSED_COMPONENTS) & set(nlp.pipe_names)
    return {"seconds": done - started, "load": loaded - started, "entities": entities, "pipes": list(nlp.pipe_names)}


#: Bare spaCy as its own process, as a user runs it: the texts of a JSON-lines file (argv[2])
#: through ``nlp.pipe`` with the NER alone of the model (argv[1]), spaCy's default batch size.
_BARE_SCRIPT = """
import json, sys, spacy
nlp = spacy.load(sys.argv[1])
nlp = spacy.load(sys.argv[1], exclude=[n for n in nlp.component_names if n != "ner"])
nlp.max_length = 10**8
with open(sys.argv[2], encoding="utf-8") as lines:
    texts = [json.loads(line)["text"] for line in lines]
print(sum(len(doc.ents) for doc in nlp.pipe(texts)), nlp.batch_size)
"""


def whole_processes(source: Path, db: Path, components: str) -> dict:
    """Wall-clock seconds and peak RSS (MiB) of two whole processes, start-up and imports
    included (how the issue measured): bare spaCy NER with its defaults over the texts of
    ``source`` (a JSON-lines file), and ``kb build``."""
    from kb.settings import Settings

    figures = {}
    commands = {
        "bare": [sys.executable, "-c", _BARE_SCRIPT, Settings().model, str(source)],
        "kb": [sys.executable, "-m", "kb", "build", str(source), "--db", str(db), "--no-progress",
               "--components", components],
    }
    for name, command in commands.items():
        started = time.perf_counter()
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=errors)
            output = process.stdout.read()
            process.stdout.close()
            _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage (Popen's wait would drop it)
            process.returncode = status  # reaped here
            seconds = time.perf_counter() - started
            if status:
                errors.seek(0)
                raise SystemExit(f"bench: {name} process failed: {errors.read().decode(errors='replace')}")
        figures[name] = {"seconds": seconds, "rss": usage.ru_maxrss / 1024, "output": output.decode().split()}
    return figures


def kb_build(
    source: Path, db: Path, processes: int, batch_size: int, stages: bool, engine: str = "local", components: str = "full"
) -> dict:
    """``kb build`` of ``source`` into ``db`` (then once more, unchanged), timed by stage when
    ``stages``."""
    from kb.pipeline import build
    from kb.settings import Settings

    engine_setting = {} if engine == "local" else {"engine": engine}  # (kb before engines: no such setting)
    settings = Settings(processes=processes, batch_size=batch_size, components=components, **engine_setting)
    clock = Clock()
    restore = instrument(clock) if stages else (lambda: None)
    report = build([source], db, settings, progress=False)
    restore()
    if stages:
        clock.add("FTS (rebuild, after)", _rebuild_fts(db))
    again = build([source], db, settings, progress=False)
    return {
        "seconds": report.seconds, "documents": report.processed, "mentions": report.mentions,
        "stages": clock.totals, "rerun": again.seconds, "rerun_processed": again.processed,
        "problems": len(report.problems),
    }


def _rebuild_fts(db: Path) -> float:
    """Seconds to index every stored document's text for full-text search in one go: what the
    FTS triggers cost the build's writes, measured apart."""
    with sqlite3.connect(db) as conn:
        started = time.perf_counter()
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
        return time.perf_counter() - started


def database_size(db: Path) -> int:
    """The database's size in bytes once its write-ahead log is folded in (the log's size
    depends on when SQLite last checkpointed, not on what is stored)."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.stat().st_size


def table_rows(db: Path) -> dict[str, list[tuple]]:
    """Every document and mention row, ordered, with the knowledge-base version uid (which
    differs between databases) left out of ``linked_with``."""
    with sqlite3.connect(db) as conn:
        (uid,) = conn.execute("SELECT uid FROM kb_version").fetchone()
        documents = [
            (row[0], row[1].replace(uid, "<kb>"))
            for row in conn.execute("SELECT id, linked_with FROM documents ORDER BY id")
        ]
        mentions = conn.execute(
            'SELECT document_id, start, "end", text, label, entity_id, score, sentence, source'
            ' FROM mentions ORDER BY document_id, start, "end"'
        ).fetchall()
    return {"documents": documents, "mentions": mentions}


def measure(source: Path, folder: Path, args: argparse.Namespace) -> dict:
    """Every figure of the table, from this one run."""
    texts = read_texts(source)
    words = sum(len(text.split()) for text in texts)
    characters = sum(len(text) for text in texts)
    whole = in_child(bare_spacy, texts, args.batch_size, "ner", True)
    floor = in_child(bare_spacy, texts, args.batch_size, "ner")
    bare = in_child(bare_spacy, texts, args.batch_size, args.components)
    one = in_child(kb_build, source, folder / "one.db", 1, args.batch_size, True, "local", args.components)
    two = in_child(kb_build, source, folder / "two.db", 2, args.batch_size, False, "local", args.components)
    processes = whole_processes(source, folder / "process.db", args.components) if source.is_file() else {}
    dask = {}
    for workers in (1, 2) if args.dask else ():
        dask[workers] = in_child(
            kb_build, source, folder / f"dask{workers}.db", workers, args.batch_size, False, "dask", args.components
        )
        dask[workers]["same_rows"] = table_rows(folder / f"dask{workers}.db") == table_rows(folder / "one.db")
    return {
        "documents": len(texts), "words": words, "characters": characters, "bare": bare, "floor": floor, "whole": whole, "dask": dask, "processes": processes,
        "components": args.components,
        "one": one, "two": two, "db_bytes": database_size(folder / "one.db"),
        "same_rows": table_rows(folder / "one.db") == table_rows(folder / "two.db"),
    }


def format_table(figures: dict) -> str:
    """The benchmark table (Markdown), from :func:`measure`'s figures."""
    docs, words = figures["documents"], figures["words"]
    bare, one, two, floor, whole = (figures[k] for k in ("bare", "one", "two", "floor", "whole"))

    def rate(seconds: float) -> str:
        return f"{docs / seconds:.2f} docs/s, {words / seconds:,.0f} words/s"

    lines = [
        f"{docs} documents, {words:,} words, {figures['characters']:,} characters",
        "",
        "| measure | figure |",
        "| --- | --- |",
        f"| bare spaCy, NER alone, whole texts (`nlp.pipe(texts)`), model load included | {whole['seconds']:.1f} s: {rate(whole['seconds'])} (load {whole['load']:.1f} s) |",
        f"| bare spaCy, NER alone ({', '.join(floor['pipes'])}), kb's pieces, model load included | {floor['seconds']:.1f} s: {rate(floor['seconds'])} (load {floor['load']:.1f} s) |",
        f"| bare spaCy, the components kb runs ({', '.join(bare['pipes'])}), model load included | {bare['seconds']:.1f} s: {rate(bare['seconds'])} (load {bare['load']:.1f} s) |",
        f"| kb build, 1 process, end to end (components = {figures['components']}) | {one['seconds']:.1f} s: {rate(one['seconds'])} |",
        f"| kb build / bare spaCy NER alone, whole texts, throughput | {whole['seconds'] / one['seconds']:.2f} |",
        f"| kb build / bare spaCy NER alone, kb's pieces, throughput | {floor['seconds'] / one['seconds']:.2f} |",
        f"| kb build / bare spaCy with the same components, throughput | {bare['seconds'] / one['seconds']:.2f} |",
        *_process_rows(figures["processes"]),
        f"| kb build -j 2 | {two['seconds']:.1f} s: {rate(two['seconds'])} |",
        f"| -j 2 / -j 1 throughput | {one['seconds'] / two['seconds']:.2f}x; same rows: {figures['same_rows']} |",
        f"| cores busy, -j 1: build process | {one['busy'][0]:.2f} |",
        f"| cores busy, -j 2: parent (writing) / workers (recognition and linking) | {two['busy'][0]:.2f} / {two['busy'][1]:.2f} |",
        f"| unchanged re-run | {one['rerun']:.3f} s = {100 * one['rerun'] / one['seconds']:.2f}% of the build ({one['rerun_processed']} processed) |",
        f"| mentions | {one['mentions']:,} |",
        f"| linking time per mention | {1e6 * one['stages'].get('link', 0.0) / max(one['mentions'], 1):.0f} µs |",
        f"| peak RSS: bare spaCy (kb's components) / kb build / kb build -j 2 (parent) | {bare['rss']:.0f} / {one['rss']:.0f} / {two['rss']:.0f} MiB |",
        f"| database size | {figures['db_bytes'] / 2**20:.1f} MiB ({figures['db_bytes'] / 2**20 * 1000 / docs:.1f} MiB per 1,000 documents) |",
    ]
    for workers, run in figures["dask"].items():
        lines.append(
            f"| kb build --engine dask, local cluster of {workers} worker{'s' if workers > 1 else ''} (start-up included) |"
            f" {run['seconds']:.1f} s: {rate(run['seconds'])}; same rows: {run['same_rows']} |"
        )
    total = one["seconds"]
    accounted = sum(seconds for stage, seconds in one["stages"].items() if not stage.startswith("FTS"))
    for stage, seconds in one["stages"].items():
        lines.append(f"| stage: {stage} | {seconds:.2f} s ({100 * seconds / total:.1f}%) |")
    lines.append(f"| stage: other (opening the database, chunking, batching) | {total - accounted:.2f} s ({100 * (total - accounted) / total:.1f}%) |")
    return "\n".join(lines)


def _process_rows(figures: dict) -> list[str]:
    """The rows of :func:`whole_processes`' figures (none for a folder of examples)."""
    if not figures:
        return []
    bare, kb = figures["bare"], figures["kb"]
    return [
        "| whole processes, start-up included: bare spaCy NER with its defaults (`nlp.pipe(texts)`,"
        f" whole texts, batches of {bare['output'][-1]}) / `kb build` | {bare['seconds']:.1f} s / {kb['seconds']:.1f} s;"
        f" peak RSS {bare['rss']:,.0f} / {kb['rss']:,.0f} MiB |",
        f"| kb build / bare spaCy, whole processes, throughput | {bare['seconds'] / kb['seconds']:.2f} |",
    ]


def machine() -> str:
    """What the figures ran on."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; exit 1 when -j 2 stored other rows than -j 1."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200, help="how many corpus documents (at most 1,796)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="gzipped JSONL of articles")
    parser.add_argument("--dask", action="store_true", help="also build on a local Dask cluster of 1 and 2 workers")
    parser.add_argument("--smoke", action="store_true", help="build examples/ only: a quick check for CI")
    parser.add_argument("--components", choices=("full", "lean"), default=None,
                        help="the components setting of the kb builds (default: kb's default)")
    args = parser.parse_args(argv)
    if args.components is None:
        from kb.settings import Settings

        args.components = Settings().components
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.smoke:
            source = EXAMPLES
        elif args.corpus.exists():
            source = write_corpus(args.corpus, folder, args.documents)
        else:
            parser.error(f"{args.corpus} not found: the benchmark reads the shared corpus (or use --smoke)")
        figures = measure(source, folder, args)
    print(f"kb bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine()}")
    print(format_table(figures))
    same = figures["same_rows"] and all(run["same_rows"] for run in figures["dask"].values())
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
