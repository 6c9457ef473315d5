"""Tests for kb.ingest: every input format, every kind of bad input, order and id stability."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from kb.ingest import SUPPORTED_SUFFIXES, content_hash, document_id, read_inputs
from kb.records import Document, Problem

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
CORPUS = FIXTURES / "corpus"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def read(*paths: str | Path) -> list[Document | Problem]:
    return list(read_inputs(paths))


def documents(items: list[Document | Problem]) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


def problems(items: list[Document | Problem]) -> list[Problem]:
    return [item for item in items if isinstance(item, Problem)]


def only_document(*paths: str | Path) -> Document:
    items = read(*paths)
    assert problems(items) == []
    (document,) = items
    return document


def only_problem(*paths: str | Path) -> Problem:
    items = read(*paths)
    assert documents(items) == []
    (problem,) = items
    return problem


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# --- ids and hashes -------------------------------------------------------------------------


def test_content_hash_is_sha256_of_utf8_text():
    assert content_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert content_hash("Київ") == hashlib.sha256("Київ".encode()).hexdigest()


def test_document_id_is_given_id_else_hash_prefix():
    assert document_id("some text", "reuters-42") == "reuters-42"
    assert document_id("abc") == "ba7816bf8f01cfea"
    assert document_id("abc", None) == document_id("abc", "") == document_id("abc", "  ")
    assert document_id("abc") != document_id("abd")


def test_same_text_gets_the_same_id_in_every_run(tmp_path):
    # A fixed expected value, not just two calls in one process: ids must not depend on
    # Python's per-process hash seed, the path or the time.
    first = write(tmp_path / "one" / "a.txt", "Kyiv said on Monday that drones hit a depot.\n")
    expected = hashlib.sha256(first.read_bytes()).hexdigest()
    assert only_document(first).id == expected[:16]
    assert only_document(first).content_hash == expected
    moved = write(tmp_path / "two" / "renamed.md", first.read_bytes())
    assert only_document(moved).id == expected[:16]


def test_given_ids_are_kept_as_strings(tmp_path):
    path = write(
        tmp_path / "a.jsonl",
        '{"id": "wire-7", "text": "First."}\n{"id": 42, "text": "Second."}\n',
    )
    assert [d.id for d in documents(read(path))] == ["wire-7", "42"]


# --- formats --------------------------------------------------------------------------------


def test_txt_keeps_text_and_takes_first_non_empty_line_as_title():
    document = only_document(CORPUS / "a-brief.txt")
    raw = (CORPUS / "a-brief.txt").read_text(encoding="utf-8")
    assert document.text == raw
    assert document.title == "Drone strike reported near fuel depot"
    assert document.path == str(CORPUS / "a-brief.txt")
    assert document.content_hash == content_hash(raw)
    assert (document.url, document.published, document.source) == (None, None, None)


def test_md_title_drops_leading_hashes_but_text_keeps_them():
    document = only_document(CORPUS / "b-analysis.md")
    assert document.title == "Air defence: what the alliance is sending"
    assert document.text.startswith("## Air defence")
    assert "*air defence*" in document.text


def test_html_main_text_without_boilerplate_and_with_metadata():
    document = only_document(CORPUS / "c-page.html")
    assert "pledged two more air defence systems" in document.text
    assert "further pledges were expected before the summit" in document.text
    for boilerplate in ("Markets", "Copyright", "Cookie", "newsletter", "Reader comment", "<p>"):
        assert boilerplate not in document.text
    assert document.title == "Ministers pledge more air defence"
    assert document.url == "https://wire.example.org/2024/06/13/air-defence"
    assert document.published == "2024-06-13"
    assert document.source == "Example Wire"
    assert document.id == content_hash(document.text)[:16]


def test_html_falls_back_to_plain_text_when_trafilatura_finds_no_main_text(tmp_path):
    # trafilatura drops text in a "comments" block as boilerplate, leaving nothing.
    page = write(
        tmp_path / "p.htm",
        '<html><head><title>Depot hit</title></head><body>'
        '<div class="comments"><p>Kyiv said drones hit a depot.</p></div></body></html>',
    )
    document = only_document(page)
    assert document.text == "Kyiv said drones hit a depot."
    assert document.title == "Depot hit"


def test_jsonl_one_article_per_line_with_metadata_and_line_paths():
    path = CORPUS / "nested" / "d-records.jsonl"
    first, second = documents(read(path))
    assert first == Document(
        id="wire-001",
        text="Negotiators left Geneva on Friday without an agreement.",
        title="Talks end without deal",
        url="https://wire.example.org/talks",
        published="2024-06-14",
        source="Example Wire",
        path=f"{path}:1",
        content_hash=content_hash(
            "Negotiators left Geneva on Friday without an agreement.", "https://wire.example.org/talks"
        ),
    )
    # line 2 is blank and skipped; the unknown key "section" was ignored
    assert second.path == f"{path}:3"
    assert (second.id, second.title) == ("1002", None)


def test_the_content_hash_covers_where_the_text_was_published():
    """A new or corrected URL can change the links (the publisher's country): the build must
    see the document as changed."""
    text = "The Armed Forces held drills."
    assert content_hash(text) == content_hash(text, None) == content_hash(text, "")
    assert len({content_hash(text), content_hash(text, "https://a.example.ru/1"), content_hash(text, "b.example.ua")}) == 3


def test_json_single_object_and_list():
    single = only_document(CORPUS / "nested" / "deeper" / "f-one.json")
    assert (single.id, single.title, single.source) == ("json-1", "Single object", "Example Desk")
    assert single.path == str(CORPUS / "nested" / "deeper" / "f-one.json")
    listed = documents(read(CORPUS / "nested" / "deeper" / "g-list.json"))
    assert [d.id for d in listed] == [
        content_hash("First article of a JSON list, without an id.")[:16],
        "json-list-2",
    ]
    assert listed[1].path.endswith("g-list.json[1]")
    assert listed[1].url == "https://desk.example.org/2"


def test_csv_header_row_quoted_newlines_and_start_lines():
    path = CORPUS / "nested" / "e-records.csv"
    first, second = documents(read(path))
    assert (first.id, first.title, first.published) == ("csv-1", "Port reopens", "2024-06-10")
    assert first.text == "The port reopened on Monday after repairs, officials said."
    assert first.path == f"{path}:2"
    # empty cells are missing values; the quoted text spans lines 3-4
    assert (second.title, second.published, second.path) == (None, None, f"{path}:3")
    assert second.text == "A record whose text spans\ntwo lines inside quotes."


def test_gzipped_inputs_are_read_like_plain_ones(tmp_path):
    lines = '{"id": "z1", "text": "Compressed one."}\n{"id": "z2", "text": "Compressed two."}\n'
    path = write(tmp_path / "batch.JSONL.gz", gzip.compress(lines.encode()))
    items = read(path)
    assert [d.id for d in documents(items)] == ["z1", "z2"]
    assert documents(items)[1].path == f"{path}:2"
    assert ".jsonl.gz" in SUPPORTED_SUFFIXES


def test_suffixes_are_case_insensitive(tmp_path):
    assert only_document(write(tmp_path / "UPPER.TXT", "Loud title\nBody.")).title == "Loud title"


# --- text normalisation and offsets ---------------------------------------------------------


def test_bom_stripped_and_crlf_converted_nothing_else(tmp_path):
    raw = "Title\r\n\r\n  Two  spaces,\ttab, lone\rCR, e\u0301 decomposed, “quotes”.\r\n"
    document = only_document(write(tmp_path / "a.txt", b"\xef\xbb\xbf" + raw.encode()))
    expected = raw.replace("\r\n", "\n")
    assert document.text == expected
    assert "\r" in document.text  # a lone CR is not a line ending we touch
    assert document.content_hash == content_hash(expected)
    # offsets found in the source (after normalisation) index the stored text unchanged
    for piece in ("e\u0301 decomposed", "\ttab", "“quotes”"):
        start = expected.index(piece)
        assert document.text[start : start + len(piece)] == piece


def test_crlf_and_bom_in_records_are_normalised_the_same_way(tmp_path):
    record = {"id": "r1", "text": "\ufeffLine one\r\nLine two\r\n"}
    path = write(tmp_path / "a.jsonl", b"\xef\xbb\xbf" + json.dumps(record).encode() + b"\r\n")
    assert only_document(path).text == "Line one\nLine two\n"
    csv_path = write(tmp_path / "a.csv", b'\xef\xbb\xbfid,text\r\nc1,"Line one\r\nLine two"\r\n')
    document = only_document(csv_path)
    assert (document.id, document.text) == ("c1", "Line one\nLine two")


def test_offsets_into_record_text_survive_ingest(tmp_path):
    text = "NATO’s Jens Stoltenberg spoke to The Times.\nКремль ответил."
    path = write(tmp_path / "a.jsonl", json.dumps({"text": text}, ensure_ascii=False) + "\n")
    stored = only_document(path).text
    for name in ("Stoltenberg", "The Times", "Кремль"):
        start = text.index(name)
        assert stored[start : start + len(name)] == name


# --- directories ----------------------------------------------------------------------------


EXPECTED_ORDER = [
    "a-brief.txt",
    "b-analysis.md",
    "c-page.html",
    "nested/d-records.jsonl:1",
    "nested/d-records.jsonl:3",
    "nested/deeper/f-one.json",
    "nested/deeper/g-list.json[0]",
    "nested/deeper/g-list.json[1]",
    "nested/e-records.csv:2",
    "nested/e-records.csv:3",
]


def test_directory_is_walked_recursively_in_sorted_order_skipping_hidden_and_unknown():
    items = read(CORPUS)
    assert problems(items) == []
    assert [d.path for d in documents(items)] == [f"{CORPUS}/{p}" for p in EXPECTED_ORDER]
    texts = " ".join(d.text for d in documents(items))
    assert "hidden" not in texts and "unsupported suffix" not in texts


def test_reading_is_deterministic():
    assert read(CORPUS) == read(CORPUS)


def test_explicitly_named_hidden_file_is_read():
    assert "hidden file" in only_document(CORPUS / ".hidden-note.txt").text


def test_a_file_named_twice_is_read_once():
    items = read(CORPUS / "a-brief.txt", CORPUS)
    assert problems(items) == []
    assert len(documents(items)) == len(EXPECTED_ORDER)


def test_a_single_path_string_is_accepted():
    assert list(read_inputs(str(CORPUS / "a-brief.txt"))) == read(CORPUS / "a-brief.txt")


def test_symlinked_directories_are_not_followed(tmp_path):
    write(tmp_path / "real" / "a.txt", "Inside.")
    (tmp_path / "walk").mkdir()
    (tmp_path / "walk" / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    write(tmp_path / "walk" / "b.txt", "Outside.")
    assert [d.text for d in documents(read(tmp_path / "walk"))] == ["Outside."]


# --- problems -------------------------------------------------------------------------------


def test_missing_path(tmp_path):
    problem = only_problem(tmp_path / "nowhere.txt")
    assert problem.path == str(tmp_path / "nowhere.txt")
    assert "No such file" in problem.message


def test_unreadable_file(tmp_path):
    path = write(tmp_path / "secret.txt", "Cannot be read.")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user (root) that can read a chmod 000 file")
        problem = only_problem(path)
        assert problem.path == str(path)
        assert "cannot read" in problem.message and "Permission denied" in problem.message
    finally:
        path.chmod(0o644)


def test_unreadable_directory_is_a_problem_and_the_walk_goes_on(tmp_path):
    write(tmp_path / "a.txt", "Readable.")
    locked = tmp_path / "b-locked"
    write(locked / "inside.txt", "Cannot be listed.")
    write(tmp_path / "c.txt", "Also readable.")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user (root) that can list a chmod 000 directory")
        items = read(tmp_path)
        assert [type(i).__name__ for i in items] == ["Document", "Problem", "Document"]
        assert items[1].path == str(locked) and "cannot read directory" in items[1].message
    finally:
        locked.chmod(0o755)


def test_invalid_utf8_names_the_byte_offset_and_line(tmp_path):
    path = write(tmp_path / "bad.txt", b"Good line\nBad \xff byte\n")
    problem = only_problem(path)
    assert "invalid UTF-8 at byte offset 14" in problem.message
    assert problem.line == 2


def test_invalid_utf8_in_one_jsonl_line_spares_the_others(tmp_path):
    data = b'{"text": "Fine."}\n{"text": "Bro\xc3ken."}\n{"text": "Also fine."}\n'
    items = read(write(tmp_path / "a.jsonl", data))
    assert [d.text for d in documents(items)] == ["Fine.", "Also fine."]
    (problem,) = problems(items)
    offset = data.index(b"\xc3")
    assert problem.line == 2
    assert f"byte offset {offset}" in problem.message


def test_malformed_json_line_names_the_line_and_reading_goes_on(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"text": "One."}\n{"text": "Two.",\n{"text": "Three."}\n')
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Document", "Problem", "Document"]
    assert items[1].line == 2 and "malformed JSON" in items[1].message
    assert str(items[1]).startswith(f"{path}:2: malformed JSON")


def test_malformed_json_file(tmp_path):
    problem = only_problem(write(tmp_path / "a.json", '{\n  "text": "x"\n  "id": 1\n}'))
    assert "malformed JSON" in problem.message and problem.line == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"title": "No text"}', "record has no 'text' field"),
        ('{"text": 17}', "'text' must be a string, got a number"),
        ('{"text": null}', "'text' must be a string, got null"),
        ('["text", "in a list"]', "expected an object with a 'text' field, got a list"),
        ('"just a string"', "expected an object with a 'text' field, got a string"),
        ('{"text": "   \\n\\t"}', "empty document"),
        ('{"text": "ok", "id": ["a"]}', "'id' must be a string or an integer, got a list"),
        ('{"text": "ok", "id": true}', "'id' must be a string or an integer, got a boolean"),
        ('{"text": "ok", "title": {"en": "x"}}', "'title' must be a string, got an object"),
        ('{"text": "bad \\ud800 half"}', "'text' is not valid Unicode: lone surrogate"),
    ],
)
def test_bad_records_become_problems_with_their_line(tmp_path, line, message):
    path = write(tmp_path / "a.jsonl", '{"text": "Good."}\n' + line + "\n")
    items = read(path)
    assert [d.text for d in documents(items)] == ["Good."]
    (problem,) = problems(items)
    assert problem.path == str(path) and problem.line == 2
    assert message in problem.message


def test_bad_item_in_json_list_is_named_by_index(tmp_path):
    path = write(tmp_path / "a.json", '[{"text": "Good."}, {"text": 3}]')
    items = read(path)
    assert len(documents(items)) == 1
    (problem,) = problems(items)
    assert problem.message == "item 1: 'text' must be a string, got a number"


@pytest.mark.parametrize("content", ["", "   \n\t\r\n", "\ufeff\n"])
def test_empty_or_whitespace_only_text_file(tmp_path, content):
    problem = only_problem(write(tmp_path / "empty.md", content))
    assert "empty document" in problem.message


def test_html_without_text(tmp_path):
    page = write(tmp_path / "blank.html", "<html><body><script>var x = 1;</script></body></html>")
    assert "no text could be extracted" in only_problem(page).message


@pytest.mark.parametrize(("name", "content"), [("a.jsonl", "\n\n"), ("a.json", "[]")])
def test_file_without_articles(tmp_path, name, content):
    assert "no articles found" in only_problem(write(tmp_path / name, content)).message


def test_csv_without_text_column(tmp_path):
    problem = only_problem(write(tmp_path / "a.csv", "id,body\n1,Some words.\n"))
    assert "no 'text' column" in problem.message and problem.line == 1


def test_csv_row_with_wrong_number_of_fields(tmp_path):
    path = write(tmp_path / "a.csv", "id,text\n1,Fine.\n2,Unquoted, comma.\n3,Also fine.\n")
    items = read(path)
    assert [d.id for d in documents(items)] == ["1", "3"]
    (problem,) = problems(items)
    assert problem.line == 3 and "3 fields but the header has 2" in problem.message


def test_invalid_gzip(tmp_path):
    problem = only_problem(write(tmp_path / "a.jsonl.gz", b"not gzip at all"))
    assert "not a valid gzip file" in problem.message


def test_explicit_unsupported_suffix_is_a_problem_but_skipped_in_directories(tmp_path):
    problem = only_problem(CORPUS / "skip-me.rst")
    assert "unsupported file type '.rst'" in problem.message and ".jsonl" in problem.message
    assert "no suffix" in only_problem(write(tmp_path / "README", "Words.")).message


def test_duplicate_ids_name_both_places(tmp_path):
    first = write(tmp_path / "a.jsonl", '{"id": "x1", "text": "One."}\n')
    second = write(tmp_path / "b.csv", "id,text\nx2,Two.\nx1,Three.\n")
    items = read(first, second)
    assert [d.id for d in documents(items)] == ["x1", "x2"]
    (problem,) = problems(items)
    assert (problem.path, problem.line) == (str(second), 3)
    assert f"{first}:1" in problem.message and f"{second}:3" in problem.message


def test_same_text_in_two_files_is_a_duplicate(tmp_path):
    write(tmp_path / "a.txt", "Identical article.")
    write(tmp_path / "b.txt", "Identical article.")
    items = read(tmp_path)
    assert len(documents(items)) == 1
    assert "duplicate document id" in problems(items)[0].message


def test_problems_never_stop_the_run(tmp_path):
    write(tmp_path / "1.txt", b"\xff\xfe broken")
    write(tmp_path / "2.json", "{ nope")
    write(tmp_path / "3.csv", "title\nNo text column.\n")
    write(tmp_path / "4.txt", "Still read.")
    write(tmp_path / "5.pdf", "Skipped silently in the directory, a Problem when named.")
    items = read(tmp_path / "missing", tmp_path, tmp_path / "5.pdf")
    assert [type(i).__name__ for i in items] == ["Problem"] * 4 + ["Document", "Problem"]
    assert documents(items)[0].text == "Still read."
    assert "unsupported file type '.pdf'" in items[-1].message


# --- the shared corpus (slow) ---------------------------------------------------------------


@pytest.mark.slow
def test_reads_the_shared_press_release_corpus():
    corpus = SHARED / "corpus" / "press-releases.jsonl.gz"
    if not corpus.exists():
        pytest.skip(f"shared reference data not found at {corpus}")
    started = time.perf_counter()
    items = read(corpus)
    elapsed = time.perf_counter() - started
    assert problems(items) == []
    docs = documents(items)
    assert len(docs) == 1796
    assert len({d.id for d in docs}) == 1796
    assert all(d.text.strip() and d.url and d.source and d.published for d in docs)
    assert docs[0].path == f"{corpus}:1"
    assert elapsed < 30, f"reading the corpus took {elapsed:.1f} s"


def test_text_title_skips_page_furniture(tmp_path):
    from kb.ingest import read_inputs

    path = tmp_path / "scraped.txt"
    path.write_text("Search\nClose this search box.\n\nKremlin reacts to remarks\n\nBody text here.\n")
    [document] = list(read_inputs([path]))
    assert document.title == "Kremlin reacts to remarks"


# --- hostile inputs (see also tests/test_reliability_inputs.py) -------------------------------


def test_a_fifo_is_a_problem_not_a_hang(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for items in (read(fifo), read(tmp_path)):
        (problem,) = problems(items)
        assert problem.path == str(fifo) and "FIFO" in problem.message


def test_utf16_with_a_byte_order_mark_is_read_and_without_one_refused(tmp_path):
    text = "Kyiv said on Monday.\n"
    assert only_document(write(tmp_path / "bom.txt", text.encode("utf-16"))).text == text
    problem = only_problem(write(tmp_path / "nobom.txt", text.encode("utf-16-le")))
    assert "NUL byte at byte offset 1" in problem.message and "UTF-16" in problem.message


def test_nul_characters_in_record_text_are_refused(tmp_path):
    problem = only_problem(write(tmp_path / "a.jsonl", '{"text": "Kyiv\\u0000said"}\n'))
    assert "'text' contains a NUL character at character 4" in problem.message


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_deeply_nested_json_is_a_problem(tmp_path, suffix):
    problem = only_problem(write(tmp_path / f"deep{suffix}", "[" * 100_000 + "]" * 100_000 + "\n"))
    assert problem.message == "malformed JSON: nested too deeply"


def test_giant_integer_ids_are_problems(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"id": %s, "text": "A."}\n{"id": %s, "text": "B."}\n' % ("9" * 5000, "9" * 1500))
    first, second = problems(read(path))
    assert first.line == 1 and "Exceeds the limit (4300 digits)" in first.message
    assert second.line == 2 and "'id' is too long" in second.message


def test_csv_with_an_unterminated_quote_is_a_problem_not_a_merged_row(tmp_path):
    path = write(tmp_path / "a.csv", 'id,text\n1,Fine.\n2,"Never closed\n3,Swallowed.\n')
    items = read(path)
    assert [d.id for d in documents(items)] == ["1"]
    (problem,) = problems(items)
    assert problem.line == 3 and "unterminated quoted field" in problem.message


def test_csv_with_a_very_wide_header_and_a_long_field(tmp_path):
    header = "text," + ",".join(f"c{i}" for i in range(60_000))
    long_text = "Kyiv said. " * 20_000  # over the csv module's default 128 KiB field limit
    row = f'"{long_text}",' + ",".join("x" for _ in range(60_000))
    document = only_document(write(tmp_path / "wide.csv", header + "\n" + row + "\n"))
    assert document.text == long_text
    import csv

    assert csv.field_size_limit() == 131072  # restored after reading
    problem = only_problem(write(tmp_path / "notext.csv", ",".join(f"c{i}" for i in range(60_000)) + "\n1\n"))
    assert "no 'text' column (columns: c0, c1" in problem.message and "and 59990 more" in problem.message


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path):
    path = write(tmp_path / os.fsdecode(b"r\xe9sum\xe9.txt"), "Kyiv said on Monday.\n")
    document = only_document(path)
    assert document.path == f"{tmp_path}/r\\xe9sum\\xe9.txt"
    document.path.encode("utf-8")


@pytest.mark.parametrize("text", ["\u200b\u200b", "\U0001f600 \U0001f525", "\u202e\u202c", "-- !!"])
def test_text_without_letters_or_digits_is_not_an_article(tmp_path, text):
    assert "no letters or digits" in only_problem(write(tmp_path / "a.txt", text)).message


def test_html_is_read_without_importing_trafilatura_until_needed():
    import subprocess
    import sys

    code = "import kb.pipeline, sys; print('trafilatura' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert result.stdout.strip() == "False", result.stderr
