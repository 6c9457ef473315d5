"""A generated corpus of over 200 malformed inputs and some good ones: one build reads it all.

Every bad input is generated here at run time (nothing checked in) and is made to be exactly one
problem, so the test can check that each is reported once, on one line naming the file (and the
line for record formats) and the reason, and counted; and that the good inputs are stored.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlite_utils

from kb.ingest import read_inputs
from kb.records import Document, Problem

REPO = Path(__file__).resolve().parents[1]
GOOD_TEXT = "Olena Examplenko met Jens Stoltenberg in Kyiv on {day}, officials said."
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass
class Corpus:
    root: Path
    bad: list[Path] = field(default_factory=list)
    good: int = 0
    good_ids: list[str] = field(default_factory=list)

    def add_bad(self, name: str | bytes, content: bytes | str) -> Path:
        path = self._write(name, content)
        self.bad.append(path)
        return path

    def add_good(self, name: str | bytes, content: bytes | str, ids: tuple[str, ...] = ()) -> Path:
        path = self._write(name, content)
        self.good += max(1, len(ids))
        self.good_ids.extend(ids)
        return path

    def _write(self, name: str | bytes, content: bytes | str) -> Path:
        path = self.root / (os.fsdecode(name) if isinstance(name, bytes) else name)
        assert not path.exists(), path
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path


def shown(path: Path) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def good_texts(corpus: Corpus) -> None:
    """About twenty good inputs in every format, some of them odd but valid."""
    c = corpus
    for index, suffix in enumerate([".txt", ".md", ".TXT"]):
        c.add_good(f"good-{index}{suffix}", f"Report {index}\n\n" + GOOD_TEXT.format(day=DAYS[index]) + "\n")
    c.add_good("good.html", f"<html><head><title>Depot</title></head><body><article><p>{GOOD_TEXT.format(day='Monday')} "
               "The regional governor said the fire was out by the evening.</p></article></body></html>")
    c.add_good("good.jsonl", "".join(json.dumps({"id": f"g-{i}", "text": GOOD_TEXT.format(day=d)}) + "\n" for i, d in enumerate(DAYS[:3])), ("g-0", "g-1", "g-2"))
    c.add_good("good.json", json.dumps([{"id": "gj-1", "text": "NATO ministers met in Brussels."}]), ("gj-1",))
    c.add_good("good.csv", "id,text\ngc-1,Reuters reported from Warsaw on Friday.\n", ("gc-1",))
    c.add_good("good.jsonl.gz", gzip.compress(b'{"id": "gz-1", "text": "Talks in Geneva ended early."}\n'), ("gz-1",))
    c.add_good("utf16-bom.txt", "\ufeffKyiv and Kharkiv were quiet overnight, the army said.\n".encode("utf-16"))
    c.add_good("crlf.txt", b"Line one about Odesa.\r\nLine two about Lviv.\r\n")
    c.add_good("zero-width-inside.txt", "Olena\u200b Examplenko visited Kyiv\u200d on Monday.\n")
    c.add_good("rtl-inside.txt", "The minister met \u202eEXAMPLE\u202c officials and said \u05e9\u05dc\u05d5\u05dd.\n")
    c.add_good("emoji-inside.txt", "Drones \U0001f6f8 hit a depot near Kharkiv \U0001f525 overnight.\n")
    c.add_good("long-name.txt", " ".join(f"Name{chr(65 + i % 26)}" for i in range(3000)) + " said nothing.\n")
    c.add_good("x" * 200 + ".txt", "A file whose name is two hundred characters long, about Kyiv.\n")
    c.add_good(b"caf\xe9-latin1-name.txt", "A file name that is not UTF-8, about a cafe in Lviv.\n")
    long_text = "".join(f"Paragraph {i}: {GOOD_TEXT.format(day=DAYS[i % 7])}\n\n" for i in range(400))
    c.add_good("long-article.txt", long_text)  # ~33,000 characters: recognised in pieces


def binary_inputs(c: Corpus) -> None:
    rng = random.Random(7)
    for seed in range(6):
        for suffix in (".txt", ".md", ".html", ".json", ".csv", ".jsonl"):
            data = bytes(rng.randrange(128, 256) for _ in range(600))  # never a newline, never UTF-8
            c.add_bad(f"binary-{seed}{suffix}", data)


def encoding_inputs(c: Corpus) -> None:
    sample = "Caf\u00e9 owner in Kyiv said \u201cno\u201d to the \u00fcber plan."
    encodings = {
        "latin1": sample.encode("latin-1", "replace"),
        "cp1252": sample.encode("cp1252"),
        "utf16le-nobom": sample.encode("utf-16-le"),
        "utf16be-nobom": sample.encode("utf-16-be"),
        "utf32-nobom": sample.encode("utf-32-le"),
        "shiftjis": "\u6771\u4eac\u306e\u8a18\u4e8b".encode("shift_jis"),
        "mixed": sample.encode("utf-8") + " and ".encode() + sample.encode("latin-1", "replace"),
        "bad-utf16-bom": b"\xff\xfe" + b"K\x00y\x00\x00\xd8",  # lone surrogate in UTF-16
    }
    for name, data in encodings.items():
        c.add_bad(f"enc-{name}.txt", data)
        c.add_bad(f"enc-{name}.md", data)
        c.add_bad(f"enc-{name}.html", b"<html><body><p>" + data + b"</p></body></html>")
        c.add_bad(f"enc-{name}.csv", b"id,text\n" + f"e-{name}".encode() + b"," + data.replace(b"\n", b" ").replace(b",", b";").replace(b'"', b"'") + b"\n")
    for name in ("latin1", "cp1252", "mixed", "shiftjis"):
        c.add_bad(f"enc-{name}.jsonl", b'{"text": "' + encodings[name] + b'"}\n')
        c.add_bad(f"enc-{name}.json", b'{"text": "' + encodings[name] + b'"}')


def nul_inputs(c: Corpus) -> None:
    for index, data in enumerate([b"\x00", b"Kyiv\x00said", b"\x00" * 1000, b"Words\n\x00\nMore words"]):
        c.add_bad(f"nul-{index}.txt", data)
        c.add_bad(f"nul-{index}.md", data)
    c.add_bad("nul-escaped.jsonl", '{"text": "Kyiv\\u0000said"}\n')
    c.add_bad("nul-raw.jsonl", b'{"text": "Kyiv\x00said"}\n')
    c.add_bad("nul-escaped.json", '{"text": "\\u0000 Kyiv"}')
    c.add_bad("nul.csv", b"id,text\nn1,Kyiv\x00said\n")
    c.add_bad("nul-title.jsonl", '{"text": "Kyiv said.", "title": "a\\u0000b"}\n')


def empty_inputs(c: Corpus) -> None:
    for suffix in (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv"):
        c.add_bad(f"empty{suffix}", b"")
        c.add_bad(f"blank{suffix}", b"  \n\t\n  ")
    for suffix in (".txt", ".jsonl", ".csv"):
        c.add_bad(f"empty{suffix}.gz", gzip.compress(b""))
    for index, text in enumerate(["\u200b\u200b\u200b", "\u202e\u202c\u200f", "\U0001f600\U0001f525\U0001f6f8", "... --- !!!"]):
        c.add_bad(f"no-letters-{index}.txt", text)
        c.add_bad(f"no-letters-{index}.jsonl", json.dumps({"text": text}) + "\n")


def json_type_inputs(c: Corpus) -> None:
    records = [
        '"just a string"', "42", "null", "true", '["text", "in a list"]', "{}", '{"title": "no text"}',
        '{"text": 17}', '{"text": null}', '{"text": ["a"]}', '{"text": {"en": "x"}}', '{"text": false}',
        '{"text": "ok", "id": ["a"]}', '{"text": "ok", "id": {"a": 1}}', '{"text": "ok", "id": true}',
        '{"text": "ok", "id": 1.5}', '{"text": "ok", "title": ["a"]}', '{"text": "ok", "url": {"a": 1}}',
        '{"text": "ok", "published": true}', '{"text": "ok", "source": []}', '{"text": "bad \\ud800 half"}',
    ]
    for index, record in enumerate(records):
        c.add_bad(f"types-{index:02d}.jsonl", record + "\n")
        as_json = {"null": '{"text": 1.0}', '["text", "in a list"]': '[["text"]]'}.get(record, record)
        c.add_bad(f"types-{index:02d}.json", as_json)


def malformed_json_inputs(c: Corpus) -> None:
    texts = ['{"text": "unterminated', '{"text": "a",}', "{'text': 'single quotes'}", '{"text" "no colon"}',
             '{"text": "a"} trailing', "[1, 2", "{", "}", '{"text": "a"}{"text": "b"}', "\x7f"]
    for index, text in enumerate(texts):
        c.add_bad(f"malformed-{index}.json", text)
        c.add_bad(f"malformed-{index}.jsonl", text.replace("\n", " ") + "\n")


def nesting_and_number_inputs(c: Corpus) -> None:
    for depth in (2_000, 100_000):
        c.add_bad(f"nested-list-{depth}.json", "[" * depth + "]" * depth)
        c.add_bad(f"nested-list-{depth}.jsonl", "[" * depth + "]" * depth + "\n")
        c.add_bad(f"nested-text-{depth}.json", '{"text": ' + '{"a": ' * depth + "1" + "}" * depth + "}")
        c.add_bad(f"nested-text-{depth}.jsonl", '{"text": ' + "[" * depth + "]" * depth + "}\n")
    for digits in (1_100, 4_300, 5_000, 100_000):
        number = "9" * digits
        c.add_bad(f"huge-id-{digits}.jsonl", f'{{"id": {number}, "text": "Kyiv said."}}\n')
        c.add_bad(f"huge-id-{digits}.json", f'{{"id": -{number}, "text": "Kyiv said."}}')
    c.add_bad("huge-published.jsonl", '{"text": "Kyiv said.", "published": ' + "7" * 5000 + "}\n")
    c.add_bad("long-string-id.jsonl", json.dumps({"id": "i" * 5000, "text": "Kyiv said."}) + "\n")


def csv_inputs(c: Corpus) -> None:
    c.add_bad("csv-ragged-short.csv", "id,text,title\nr2,Lviv said.\n")
    c.add_bad("csv-ragged-long.csv", "id,text\nr4,Lviv,said,more\n")
    c.add_bad("csv-unterminated.csv", 'id,text\nu1,"Kyiv said\nu2,Lviv said\nu3,Odesa said\n')
    c.add_bad("csv-quote-in-field.csv", 'id,text\nq1,"Kyiv "said" this"\n')
    c.add_bad("csv-no-text-column.csv", "id,body\n1,Kyiv said.\n")
    c.add_bad("csv-repeated-header.csv", "id,text,text\n1,a,b\n")
    c.add_bad("csv-header-only.csv", "id,text\n")
    wide = ",".join(f"c{i}" for i in range(60_000))
    c.add_bad("csv-60000-columns-no-text.csv", wide + "\n" + ",".join("x" for _ in range(60_000)) + "\n")
    c.add_bad("csv-60000-columns-ragged.csv", "text," + wide + "\nKyiv said.," + ",".join("x" for _ in range(59_000)) + "\n")
    c.add_bad("csv-binary-header.csv", b"\x00\x01,\x02\n")
    c.add_bad("csv-only-blank-rows.csv", ",,,\n,,\n")


def html_inputs(c: Corpus) -> None:
    c.add_bad("html-no-body.html", "<html><head><title>Only a title</title></head></html>")
    c.add_bad("html-script-only.html", "<html><body><script>var x = 1;</script></body></html>")
    c.add_bad("html-comment-only.htm", "<html><body><!-- nothing --></body></html>")
    c.add_bad("html-tags-only.html", "<div><span></span><br/><img src=x></div>")
    c.add_bad("html-deep-divs.html", "<html><body>" + "<div>" * 100_000 + "<p>Deep.</p>" + "</div>" * 100_000 + "</body></html>")
    c.add_bad("html-deep-unclosed.html", "<html><body>" + "<b>" * 50_000 + "</body></html>")
    c.add_bad("html-zero-width.html", "<html><body><p>\u200b\u200c\u200d</p></body></html>")
    c.add_bad("html-emoji-only.html", "<html><body><p>\U0001f600 \U0001f600</p></body></html>")


def gzip_inputs(c: Corpus) -> None:
    for suffix in (".txt", ".md", ".html", ".json", ".jsonl", ".csv"):
        c.add_bad(f"not-gzip{suffix}.gz", b"plain text, not gzip at all")
    good = gzip.compress(b'{"id": "never", "text": "Kyiv said."}\n' * 50)
    c.add_bad("truncated.jsonl.gz", good[: len(good) // 2])
    c.add_bad("gzip-of-binary.txt.gz", gzip.compress(bytes(range(128, 256))))


def special_files(c: Corpus) -> None:
    for name in ("fifo.txt", "fifo.jsonl", "fifo.html"):
        os.mkfifo(c.root / name)
        c.bad.append(c.root / name)
    dangling = c.root / "dangling.txt"
    dangling.symlink_to(c.root / "no-such-target.txt")
    loop = c.root / "loop.md"
    loop.symlink_to(loop)
    c.bad += [dangling, loop]
    c.add_bad(b"bad-name-\xff\xfe.txt", b"")
    c.add_bad(b"bad-name-\xe9.jsonl", b'{"text": 3}\n')
    if os.geteuid() != 0:  # root reads chmod 000 files: only an unprivileged run can test them
        for name in ("locked.txt", "locked.jsonl"):
            c.add_bad(name, "Kyiv said.").chmod(0)


def duplicate_inputs(c: Corpus) -> None:
    for index in range(3):
        c.add_bad(f"zz-duplicate-{index}.jsonl", '{"id": "g-0", "text": "Another text with a used id."}\n')


def make_corpus(root: Path) -> Corpus:
    """Write the whole corpus under ``root``: every bad file is exactly one problem."""
    root.mkdir()
    corpus = Corpus(root)
    for part in (good_texts, binary_inputs, encoding_inputs, nul_inputs, empty_inputs, json_type_inputs,
                 malformed_json_inputs, nesting_and_number_inputs, csv_inputs, html_inputs, gzip_inputs,
                 special_files, duplicate_inputs):
        part(corpus)
    return corpus


def unlock(corpus: Corpus) -> None:
    for path in corpus.bad:
        if path.name.startswith("locked"):
            path.chmod(0o644)


@pytest.fixture
def corpus(tmp_path):
    made = make_corpus(tmp_path / "corpus")
    yield made
    unlock(made)


WARNING = re.compile(r"^warning: (?P<path>.+?)(?::(?P<line>\d+))?: (?P<reason>.+)$")


def test_the_corpus_is_big_enough(corpus):
    assert len(corpus.bad) >= 200
    assert corpus.good >= 15


def test_reading_the_corpus_gives_one_problem_per_bad_file_and_every_good_document(corpus):
    items = list(read_inputs([corpus.root]))
    problems = [item for item in items if isinstance(item, Problem)]
    documents = [item for item in items if isinstance(item, Document)]
    by_path = {}
    for problem in problems:
        by_path.setdefault(problem.path, []).append(problem)
    assert sorted(by_path) == sorted(shown(path) for path in corpus.bad)
    assert all(len(found) == 1 for found in by_path.values()), [f for f in by_path.values() if len(f) > 1]
    assert len(documents) == corpus.good
    assert {d.id for d in documents} >= set(corpus.good_ids)
    for document in documents:
        assert "\x00" not in document.text and document.text.strip()
        document.path.encode("utf-8")  # printable and storable


@pytest.mark.slow
def test_one_build_over_the_corpus_skips_each_bad_input_on_one_line_and_stores_the_good(corpus, tmp_path):
    db_path = tmp_path / "kb.db"
    config = tmp_path / "kb.toml"
    config.write_text("max_chunk_chars = 2000\n")  # the long article goes through in pieces
    command = [sys.executable, "-c", "from kb.cli import cli; cli()", "build", str(corpus.root),
               "--db", str(db_path), "--config", str(config), "--no-progress", "--json"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, timeout=600)
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    assert result.returncode == 3, stderr  # built, but inputs were skipped
    lines = stderr.splitlines()
    assert len(lines) == len(corpus.bad)
    matches = [WARNING.match(line) for line in lines]
    assert all(matches), [line for line, match in zip(lines, matches) if not match]
    assert sorted(m["path"] for m in matches) == sorted(shown(path) for path in corpus.bad)
    record_formats = (".jsonl", ".jsonl.gz", ".csv")
    for match in matches:
        if match["path"].endswith(record_formats) and "gzip" not in match["reason"] and "cannot read" not in match["reason"]:
            assert match["line"] is not None or "no articles" in match["reason"], match.string
    summary = json.loads(result.stdout)
    assert summary["skipped"] == len(corpus.bad) == len(summary["problems"])
    assert summary["documents"] == summary["processed"] == corpus.good
    buckets = summary["linked"] + summary["local"] + summary["unresolved"] + sum(summary["not_linked"].values())
    assert buckets == summary["mentions"] > 0
    db = sqlite_utils.Database(db_path)
    assert db["documents"].count == corpus.good
    stored = {row["id"] for row in db.query("SELECT id FROM documents")}
    assert stored >= set(corpus.good_ids)
    assert db.execute("SELECT count(*) FROM mentions").fetchone()[0] == summary["mentions"]
    for text, start, end, surface in db.execute(
        'SELECT d.text, m.start, m."end", m.text FROM mentions m JOIN documents d ON d.id = m.document_id'
    ):
        assert text[start:end] == surface
    long_doc = db.execute("SELECT id, length(text) FROM documents WHERE path LIKE '%long-article.txt'").fetchone()
    assert long_doc[1] > 30_000
    names = db.execute("SELECT count(*) FROM mentions WHERE document_id = ? AND text = 'Jens Stoltenberg'", [long_doc[0]]).fetchone()[0]
    assert names == 400  # one per paragraph: none lost where the article was cut into pieces


@pytest.mark.slow
def test_fifty_megabyte_single_lines_are_skipped_without_harm(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    pad = "a" * 50_000_000
    (folder / "never-closed.jsonl").write_text('{"text": "' + pad + "\n")
    (folder / "wrong-type.jsonl").write_text('{"text": 5, "pad": "' + pad + '"}\n')
    (folder / "binary.txt").write_bytes(b"\xff" * 50_000_000)
    (folder / "good.txt").write_text("Olena Examplenko spoke in Kyiv on Monday.\n")
    del pad
    command = [sys.executable, "-c", "from kb.cli import cli; cli()", "build", str(folder),
               "--db", str(tmp_path / "kb.db"), "--no-progress", "--json"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, timeout=600)
    assert result.returncode == 3, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["documents"], summary["skipped"]) == (1, 3)
    reasons = {Path(p["path"]).name: p["message"] for p in summary["problems"]}
    assert reasons["never-closed.jsonl"].startswith("malformed JSON: Unterminated string")
    assert reasons["wrong-type.jsonl"] == "'text' must be a string, got a number"
    assert reasons["binary.txt"].startswith("invalid UTF-8 at byte offset 0")
    assert max(len(line) for line in result.stderr.decode().splitlines()) < 500  # no data echoed
