"""Streaming import of Wikidata JSON dumps into the knowledge base."""

from __future__ import annotations

import bz2
import gzip
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.wikidata.dump import import_dump, iter_dump, parse_languages, parse_types, subclass_edges

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"
SMALL = FIXTURES / "small-dump.json"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def kb():
    return KnowledgeBase(sqlite_utils.Database(memory=True))


def test_import_writes_items_with_types_claims_and_value_labels(kb):
    report = import_dump(kb, SMALL, progress=False)
    assert (report.lines, report.written, report.filtered, report.malformed) == (9, 8, 1, 0)
    testville = kb.get("Q999000002")
    assert (testville.label, testville.type, testville.origin) == ("Testville", "GPE", "wikidata")
    assert ("P17", "Q999000001", "Testland") in {(c.property, c.value, c.value_label) for c in testville.claims}
    ann = kb.get("Q999000003")
    assert (ann.type, ann.popularity) == ("PERSON", 2.0)
    assert {(c.property, c.value_label) for c in ann.claims if c.property == "P106"} == {("P106", None)}
    assert kb.get("Q999000005").type == "WEAPON"  # test launcher class → gun, through P279
    assert kb.get("Q999000004").type == "ORG"
    assert [c.entity_id for c in kb.candidates("EXA")] == ["Q999000004"]
    assert report.types["GPE"] == 2
    assert kb.db.execute("SELECT lines, written, languages FROM imports").fetchall() == [(9, 8, "en")]


def test_languages_choose_labels_and_aliases(kb):
    import_dump(kb, SMALL, languages=("en", "ru"), progress=False)
    assert set(kb.get("Q999000001").aliases) == {"Testland", "Тестландия", "Republic of Testland", "Республика Тестландия"}
    assert kb.candidates("Тестландия")[0].entity_id == "Q999000001"
    assert kb.candidates("Тестланд") == [] or kb.candidates("Тестланд")[0].match == "fuzzy"


def test_types_filter_follows_subclass_chains_in_the_dump(kb):
    report = import_dump(kb, SMALL, types=["Q515"], progress=False)
    assert report.written == 1 and report.filtered == 8
    assert kb.get("Q999000002") is not None and kb.get("Q999000001") is None


def test_types_filter_with_several_classes(kb):
    report = import_dump(kb, SMALL, types=("Q5", "Q6256"), progress=False)
    assert {r[0] for r in kb.db.execute("SELECT id FROM entities")} == {"Q999000001", "Q999000003"}
    assert report.written == 2


def test_reimport_updates_in_place(kb, tmp_path):
    import_dump(kb, SMALL, progress=False)
    changed = tmp_path / "changed.json"
    changed.write_text(SMALL.read_text(encoding="utf-8").replace("Ann Example", "Ann B. Example"), encoding="utf-8")
    import_dump(kb, changed, progress=False)
    assert kb.db.execute("SELECT count(*) FROM entities").fetchone()[0] == 8
    assert kb.get("Q999000003").label == "Ann B. Example"
    assert kb.candidates("Ann Example") == [] or kb.candidates("Ann Example")[0].match != "exact"


@pytest.mark.parametrize("compress", [gzip.open, bz2.open])
def test_compressed_dumps_are_detected_by_content(kb, tmp_path, compress):
    target = tmp_path / "dump.data"  # no telling suffix
    with SMALL.open("rb") as source, compress(target, "wb") as out:
        shutil.copyfileobj(source, out)
    assert import_dump(kb, target, progress=False).written == 8


def test_malformed_lines_are_reported_with_line_numbers_and_skipped(kb):
    report = import_dump(kb, FIXTURES / "malformed-dump.json", progress=False)
    assert report.written == 2
    assert report.malformed == 3
    assert [p.line for p in report.problems] == [3, 4, 5]
    assert "malformed JSON" in report.problems[0].message
    assert str(report.problems[0]).startswith(str(FIXTURES / "malformed-dump.json") + ":3:")


def test_a_file_that_is_not_a_dump_is_a_clear_error(kb, tmp_path):
    with pytest.raises(ValueError, match=r"not-a-dump.json:1: not a Wikidata JSON dump"):
        import_dump(kb, FIXTURES / "not-a-dump.json", progress=False)
    binary = tmp_path / "random.gz"
    binary.write_bytes(b"\x1f\x8b" + bytes(range(256)))
    with pytest.raises(ValueError, match="cannot read dump"):
        import_dump(kb, binary, progress=False)
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty"):
        import_dump(kb, empty, progress=False)
    with pytest.raises(ValueError, match="no such dump"):
        import_dump(kb, tmp_path / "missing.json", progress=False)
    assert kb.is_empty()


def test_small_batches_commit_as_they_go(kb):
    seen = []
    import_dump(kb, SMALL, progress=False, batch_size=3, on_batch=lambda done, total: seen.append(done))
    assert len(seen) == 3  # 8 items in batches of 3, 3 and 2
    assert seen[-1] == SMALL.stat().st_size


def test_iter_dump_and_subclass_edges():
    items = list(iter_dump(SMALL))
    assert [n for n, _ in items] == list(range(2, 11))
    assert subclass_edges(SMALL) == {
        "Q999000010": ("Q999000011",), "Q999000011": ("Q515",), "Q999000012": ("Q12796",),
    }


def test_parse_options():
    assert parse_types("Q5, Q43229") == ("Q5", "Q43229")
    assert parse_types("") is None
    with pytest.raises(ValueError, match="human"):
        parse_types("Q5,human")
    assert parse_languages("en,uk, ru") == ("en", "uk", "ru")
    assert parse_languages(None) == ("en",)


@pytest.mark.slow
def test_shared_sample_import(tmp_path):
    sample = SHARED / "wikidata" / "wikidata-sample.json.gz"
    if not sample.exists():
        pytest.skip(f"shared reference data not found at {SHARED}")
    kb = KnowledgeBase.open(tmp_path / "kb.db")
    report = import_dump(kb, sample, progress=False)
    assert report.malformed == 0 and report.written > 17000
    assert report.seconds < 60
    assert "Q7184" in [c.qid for c in kb.candidates("NATO")]
    assert kb.candidates("Belgium")[0].qid == "Q31"
    assert kb.get("Q31").type == "GPE" and kb.get("Q7184").type == "ORG"
