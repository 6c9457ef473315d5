"""End-to-end builds on small inputs (load the spaCy model: marked slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from kb import pipeline, store
from kb.kbase import KnowledgeBase, read_entities_file
from kb.pipeline import build
from kb.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.slow


@pytest.fixture
def kb_file(tmp_path):
    path = tmp_path / "mini-kb.db"
    KnowledgeBase.open(path).add(read_entities_file(FIXTURES / "mini_kb.yaml", origin="starter"))
    return path


@pytest.fixture
def articles(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Jens Stoltenberg visited Kyiv. Stoltenberg met Zelensky.\n")
    (folder / "b.txt").write_text("Reuters reported that the Kremlin rejected the NATO plan.\n")
    return folder


def rows(db_path, sql):
    return sqlite_utils.Database(db_path).execute(sql).fetchall()


def test_build_stores_documents_mentions_and_links(tmp_path, articles, kb_file):
    db_path = tmp_path / "kb.db"
    report = build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (report.documents, report.processed, report.problems) == (2, 2, [])
    linked = dict(rows(db_path, "SELECT m.text, e.qid FROM mentions m JOIN entities e ON e.id = m.entity_id"))
    assert linked["Jens Stoltenberg"] == linked["Stoltenberg"] == "Q57665"
    assert linked["Kremlin"] == "Q133274"
    for doc_text, start, end, surface in rows(
        db_path, "SELECT d.text, m.start, m.\"end\", m.text FROM mentions m JOIN documents d ON d.id = m.document_id"
    ):
        assert doc_text[start:end] == surface
    pairs = rows(db_path, "SELECT entity_id, other_id FROM co_mentions")
    assert ("jens-stoltenberg", "kyiv") in pairs


def test_second_build_does_no_ner_work_and_changes_nothing(tmp_path, articles, kb_file, monkeypatch):
    db_path = tmp_path / "kb.db"
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    before = rows(db_path, "SELECT * FROM mentions ORDER BY id")

    def no_model(*args, **kwargs):
        raise AssertionError("the NER model was loaded for unchanged inputs")

    monkeypatch.setattr(pipeline, "make_nlp", no_model)
    report = build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (report.processed, report.unchanged) == (0, 2)
    assert rows(db_path, "SELECT * FROM mentions ORDER BY id") == before


def test_another_version_of_the_linking_code_relinks_everything(tmp_path, articles, kb_file, monkeypatch):
    """Documents stored by another kb version (its recogniser, linker, ranker or starter data)
    are processed again, not kept with that version's links."""
    from kb import settings as settings_module

    db_path = tmp_path / "kb.db"
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    monkeypatch.setattr(settings_module, "linking_code", lambda: "another-version")
    report = build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (report.processed, report.unchanged) == (2, 0)
    signatures = {s for (s,) in rows(db_path, "SELECT linked_with FROM documents")}
    assert len(signatures) == 1 and "code=another-version" in signatures.pop()


def test_changed_document_replaces_its_old_mentions(tmp_path, articles, kb_file):
    db_path = tmp_path / "kb.db"
    (articles / "a.jsonl").write_text('{"id": "fixed", "text": "Putin spoke in Moscow."}\n')
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    (articles / "a.jsonl").write_text('{"id": "fixed", "text": "Reuters spoke to TASS."}\n')
    report = build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (report.processed, report.unchanged) == (1, 2)
    texts = [t for (t,) in rows(db_path, "SELECT text FROM mentions WHERE document_id = 'fixed' ORDER BY start")]
    assert texts == ["Reuters", "TASS"]
    assert not rows(db_path, "SELECT id FROM entities WHERE id LIKE 'nil:%' AND id NOT IN (SELECT entity_id FROM mentions WHERE entity_id IS NOT NULL)")


def test_bad_inputs_are_reported_and_the_rest_is_built(tmp_path, articles, kb_file):
    (articles / "broken.jsonl").write_text('{"id": "ok", "text": "NATO met."}\n{not json\n')
    (articles / "latin1.txt").write_bytes("Caf\xe9 in Kyiv".encode("latin-1"))
    (articles / "empty.txt").write_text("   \n")
    db_path = tmp_path / "kb.db"
    report = build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    messages = [str(p) for p in report.problems]
    assert any("broken.jsonl:2" in m for m in messages)
    assert any("latin1.txt" in m and "UTF-8" in m for m in messages)
    assert any("empty.txt" in m for m in messages)
    ids = {i for (i,) in rows(db_path, "SELECT id FROM documents")}
    assert "ok" in ids and len(ids) == 3


def test_failed_write_leaves_the_previous_database_intact(tmp_path, articles, kb_file, monkeypatch):
    db_path = tmp_path / "kb.db"
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    before = rows(db_path, "SELECT document_id, start, text, entity_id FROM mentions ORDER BY id")
    (articles / "a.txt").write_text("Completely new text about TASS.\n")
    (articles / "b.txt").write_text("Another new text about Reuters.\n")
    real_row = store.document_row
    calls = []

    def failing_row(document, *args, **kwargs):  # the second document of the batch fails
        calls.append(document.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_row(document, *args, **kwargs)

    monkeypatch.setattr(store, "document_row", failing_row)
    with pytest.raises(RuntimeError, match="disk full"):
        build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    after = rows(db_path, "SELECT document_id, start, text, entity_id FROM mentions ORDER BY id")
    assert after == before


def test_separate_kb_file_entities_are_copied_into_the_published_database(tmp_path, articles, kb_file):
    db_path = tmp_path / "kb.db"
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    assert rows(db_path, "SELECT qid FROM entities WHERE id = 'jens-stoltenberg'") == [("Q57665",)]
    # Entities no document mentions stay in the knowledge-base file only.
    assert rows(db_path, "SELECT count(*) FROM entities WHERE id = 'efe'") == [(0,)]


def test_resolve_relinks_documents_after_a_new_entity_is_added(tmp_path, articles, kb_file):
    from kb.pipeline import resolve
    from kb.records import Entity

    (articles / "c.txt").write_text("Olena Examplenko spoke in Kyiv.\n")
    db_path = tmp_path / "kb.db"
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    assert rows(db_path, "SELECT entity_id FROM mentions WHERE text = 'Olena Examplenko'") == [("nil:olena-examplenko",)]
    KnowledgeBase.open(kb_file).add(
        [Entity(id="olena-examplenko", label="Olena Examplenko", type="PERSON", qid="Q999000123", origin="custom")]
    )
    report = resolve(db_path, Settings(), kb_path=kb_file, progress=False)
    assert report.processed >= 1
    assert rows(db_path, "SELECT entity_id FROM mentions WHERE text = 'Olena Examplenko'") == [("olena-examplenko",)]
    assert rows(db_path, "SELECT count(*) FROM entities WHERE id = 'nil:olena-examplenko'") == [(0,)]


def test_online_build_resolves_unknown_names_then_works_offline(tmp_path, kb_file):
    from fake_wikidata import FakeWikidata, item

    person = item("Q999000321", "Olena Examplenko", "Ukrainian diplomat (test entity)", p31=("Q5",), sitelinks=3)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Jens Stoltenberg met Olena Examplenko in Kyiv.\n")
    db_path = tmp_path / "kb.db"
    with FakeWikidata([person]) as fake:
        online = Settings(
            online=True, api_endpoint=fake.api_url, sparql_endpoint=fake.sparql_url,
            timeout=1.0, retries=1, backoff=0.01,
        )
        report = build([folder], db_path, online, kb_path=kb_file, progress=False)
        assert not report.warnings
        searched = [r.params.get("search") for r in fake.requests if r.params.get("action") == "wbsearchentities"]
    assert "Olena Examplenko" in searched
    assert rows(db_path, "SELECT e.qid FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.text = 'Olena Examplenko'") == [("Q999000321",)]
    # The server is gone: a changed document still links from the cache, without warnings.
    (folder / "a.txt").write_text("Diplomat Olena Examplenko said she met Jens Stoltenberg.\n")
    report = build([folder], db_path, online, kb_path=kb_file, progress=False)
    assert not report.warnings
    assert rows(db_path, "SELECT e.qid FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.text = 'Olena Examplenko'") == [("Q999000321",)]


def test_online_build_with_the_network_down_warns_and_keeps_names_unresolved(tmp_path, kb_file):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Olena Examplenko met Jens Stoltenberg in Kyiv.\n")
    db_path = tmp_path / "kb.db"
    offline = Settings(online=True, api_endpoint="http://127.0.0.1:9/w/api.php", timeout=0.5, retries=1, backoff=0.01)
    report = build([folder], db_path, offline, kb_path=kb_file, progress=False)
    assert report.warnings and report.processed == 1
    assert rows(db_path, "SELECT entity_id FROM mentions WHERE text = 'Olena Examplenko'") == [("nil:olena-examplenko",)]
    assert rows(db_path, "SELECT e.qid FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.text = 'Jens Stoltenberg'") == [("Q57665",)]


def test_an_edited_file_replaces_its_old_version(tmp_path, articles, kb_file):
    db_path = tmp_path / "kb.db"
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    (articles / "a.txt").write_text("Reuters interviewed Vladimir Putin.\n")
    build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    paths = [p for (p,) in rows(db_path, "SELECT path FROM documents ORDER BY path")]
    assert len(paths) == 2 and paths[0].endswith("a.txt")
    texts = {t for (t,) in rows(db_path, "SELECT m.text FROM mentions m JOIN documents d ON d.id = m.document_id WHERE d.path LIKE '%a.txt'")}
    assert texts == {"Reuters", "Vladimir Putin"}


def test_two_worker_processes_give_the_same_mentions(tmp_path, articles, kb_file):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    build([articles], one, Settings(), kb_path=kb_file, progress=False)
    build([articles], two, Settings(processes=2, batch_size=1), kb_path=kb_file, progress=False)
    query = 'SELECT document_id, start, "end", label, entity_id FROM mentions ORDER BY document_id, start'
    assert rows(one, query) == rows(two, query)


def test_summary_buckets_add_up_to_every_stored_mention(tmp_path, articles, kb_file):
    (articles / "c.txt").write_text(
        "Ukrainian and Polish officials met Olena Examplenko near the Black Sea. Jens Stoltenberg spoke.\n"
    )
    db_path = tmp_path / "kb.db"
    report = build([articles], db_path, Settings(), kb_path=kb_file, progress=False)
    assert report.not_linked and report.linked and report.unresolved
    assert report.linked + report.local + report.unresolved + sum(report.not_linked.values()) == report.mentions
    assert rows(db_path, "SELECT count(*) FROM mentions") == [(report.mentions,)]
    by_label = dict(rows(db_path, "SELECT label, count(*) FROM mentions WHERE entity_id IS NULL GROUP BY label"))
    assert by_label == report.not_linked
    data = report.as_dict()
    assert (data["mentions"], data["not_linked"], data["skipped"]) == (report.mentions, report.not_linked, 0)


def test_a_document_over_spacys_length_limit_is_built_in_pieces(tmp_path, kb_file, monkeypatch):
    real_make_nlp = pipeline.make_nlp

    def small_limit(settings, knowledge_base):
        nlp = real_make_nlp(settings, knowledge_base)
        nlp.max_length = 3_000  # stands for spaCy's 1,000,000 characters
        return nlp

    monkeypatch.setattr(pipeline, "make_nlp", small_limit)
    folder = tmp_path / "in"
    folder.mkdir()
    paragraph = "Jens Stoltenberg visited Kyiv on Tuesday.\n\n"
    (folder / "long.txt").write_text(paragraph * 200)  # 8,600 characters
    (folder / "short.txt").write_text("Reuters reported from Kyiv.\n")
    db_path = tmp_path / "kb.db"
    report = build([folder], db_path, Settings(), kb_path=kb_file, progress=False)
    assert (report.processed, report.problems) == (2, [])
    starts = [s for (s,) in rows(db_path, "SELECT m.start FROM mentions m JOIN documents d ON d.id = m.document_id WHERE d.path LIKE '%long.txt' AND m.text = 'Jens Stoltenberg' ORDER BY m.start")]
    assert starts == [i * len(paragraph) for i in range(200)]


@pytest.mark.parametrize("stage", ["recognise", "link"])
def test_a_document_that_breaks_recognition_or_linking_is_skipped_and_the_rest_stored(tmp_path, kb_file, monkeypatch, stage):
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(5):
        (folder / f"{index}.txt").write_text(f"Jens Stoltenberg visited Kyiv on day {index}.\n")
    (folder / "2.txt").write_text("This one says BOOM in Kyiv.\n")
    if stage == "recognise":
        real = pipeline.recognise

        def fragile(nlp, texts, *args):
            # the text reaching spaCy raises, as a tokenizer or model bug would
            yield from real(nlp, (t if "BOOM" not in t else 1 / 0 for t in texts), *args)

        monkeypatch.setattr(pipeline, "recognise", fragile)
    else:
        real = pipeline.link_document

        def fragile(doc_id, text, *args):
            if "BOOM" in text:
                raise KeyError("a bug in linking")
            return real(doc_id, text, *args)

        monkeypatch.setattr(pipeline, "link_document", fragile)
    problems = []
    report = build([folder], tmp_path / "kb.db", Settings(batch_size=2), kb_path=kb_file, progress=False, on_problem=problems.append)
    assert (report.documents, report.processed) == (5, 4)
    [problem] = report.problems
    assert problems == [problem]
    assert problem.path.endswith("2.txt") and problem.message.startswith("cannot process: ")
    stored = sorted(p.rsplit("/", 1)[1] for (p,) in rows(tmp_path / "kb.db", "SELECT path FROM documents"))
    assert stored == ["0.txt", "1.txt", "3.txt", "4.txt"]


def test_a_build_holds_only_the_documents_in_flight_not_the_corpus(tmp_path, kb_file, monkeypatch):
    """The first reading keeps ids and hashes; texts are read again as batches need them."""
    import gc

    from kb.records import Document

    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(120):
        (folder / f"{number:02}.txt").write_text(f"Officials of Tallinn met Lotta Virtanen, number {number}.\n")
    real = pipeline.link_document
    calls: list[int] = []
    alive: list[int] = []

    def counting(*args, **kwargs):
        calls.append(1)
        if len(calls) % 10 == 0:  # every tenth document: gc.get_objects is slow
            gc.collect()
            alive.append(sum(isinstance(o, Document) for o in gc.get_objects()))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "link_document", counting)
    monkeypatch.setattr(pipeline, "HOLD_CHARS", 1_000)  # a "large" corpus: read again as needed
    report = build([folder], tmp_path / "kb.db", Settings(batch_size=4), kb_path=kb_file, progress=False)
    assert report.processed == 120 and len(alive) == 12
    assert max(alive) <= 16, alive  # a few batches in flight, never the corpus


def test_a_small_build_reads_its_inputs_once(tmp_path, articles, kb_file, monkeypatch):
    """Under HOLD_CHARS of text the documents are kept from the first reading (an HTML page is
    extracted once); the rows are the same as when they are read again."""
    calls = []
    real = pipeline.read_inputs
    monkeypatch.setattr(pipeline, "read_inputs", lambda paths: (calls.append(1), real(paths))[1])
    build([articles], tmp_path / "once.db", Settings(), kb_path=kb_file, progress=False)
    assert len(calls) == 1
    monkeypatch.setattr(pipeline, "HOLD_CHARS", 0)
    build([articles], tmp_path / "twice.db", Settings(), kb_path=kb_file, progress=False)
    assert len(calls) == 3
    query = 'SELECT document_id, start, "end", label, entity_id FROM mentions ORDER BY 1, 2'
    assert rows(tmp_path / "once.db", query) == rows(tmp_path / "twice.db", query)


def test_the_publishers_country_decides_a_shared_name(tmp_path):
    """The starter knowledge base knows two armies as "Armed Forces"; each build's URL says
    which country published the text (kb/link/home.py)."""
    text = (
        "The Defence Minister reported to the President on exercises of the Armed Forces. "
        "He said the Ukrainian Armed Forces had moved units east."
    )
    source = tmp_path / "releases.jsonl"
    source.write_text(
        "\n".join(
            f'{{"id": "{key}", "url": "https://news.example.{key}/1", "text": "{text}"}}' for key in ("ru", "ua", "com")
        ) + "\n"
    )
    db_path = tmp_path / "kb.db"
    build([source], db_path, Settings(), progress=False)
    linked = dict(rows(
        db_path,
        "SELECT m.document_id, m.entity_id FROM mentions m WHERE m.text = 'Armed Forces'",
    ))
    assert linked["ru"] == "russian-armed-forces"
    assert linked["ua"] == "armed-forces-of-ukraine"
    # without a country the short form joins the full name written after it, as before
    assert linked["com"] == "armed-forces-of-ukraine"


def test_a_new_url_relinks_the_document(tmp_path):
    """The same text, now with the URL of a Russian publisher: no longer unchanged."""
    text = "The Defence Minister praised the Armed Forces. The Ukrainian Armed Forces withdrew."
    source = tmp_path / "release.jsonl"
    source.write_text(f'{{"id": "r1", "text": "{text}"}}\n')
    db_path = tmp_path / "kb.db"
    build([source], db_path, Settings(), progress=False)
    query = "SELECT entity_id FROM mentions WHERE text = 'Armed Forces'"
    assert rows(db_path, query) == [("armed-forces-of-ukraine",)]
    source.write_text(f'{{"id": "r1", "url": "https://news.example.ru/r1", "text": "{text}"}}\n')
    report = build([source], db_path, Settings(), progress=False)
    assert (report.processed, report.unchanged) == (1, 0)
    assert rows(db_path, query) == [("russian-armed-forces",)]
    assert rows(db_path, "SELECT url FROM documents") == [("https://news.example.ru/r1",)]
