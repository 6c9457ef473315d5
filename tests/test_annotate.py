import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.annotate import annotate_texts, read_annotate_input
from kb.cli import cli
from kb.kbase import KnowledgeBase, read_entities_file
from kb.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def test_jsonl_input_gives_id_and_text_pairs():
    lines = ['{"id": "a", "text": "NATO met."}\n', "\n", '{"text": "no id", "x": 1}\n']
    assert list(read_annotate_input(lines)) == [("a", "NATO met.", None), ("3", "no id", None)]


def test_a_url_or_source_comes_along_as_the_publisher():
    lines = [
        '{"id": "a", "text": "t", "url": "https://example.no/a", "source": "x"}\n',
        '{"id": "b", "text": "t", "source": "example.se"}\n',
        '{"id": "c", "text": "t", "url": null}\n',
        '{"id": "d", "text": "t", "url": "", "source": "example.dk"}\n',
    ]
    assert list(read_annotate_input(lines)) == [
        ("a", "t", "https://example.no/a"), ("b", "t", "example.se"), ("c", "t", None), ("d", "t", "example.dk"),
    ]


def test_plain_text_input_is_one_document():
    lines = ["Jens Stoltenberg spoke.\n", "He left.\n"]
    assert list(read_annotate_input(lines, source="note.txt")) == [
        ("note.txt", "Jens Stoltenberg spoke.\nHe left.\n", None)
    ]


@pytest.mark.parametrize(
    "bad, message",
    [('{"id": 1, "text": "ok"}\n{broken\n', "in.jsonl:2: not valid JSON"), ('{"id": 1}\n', "in.jsonl:1: expected")],
)
def test_malformed_jsonl_names_the_line(bad, message):
    with pytest.raises(ValueError, match=message):
        list(read_annotate_input(bad.splitlines(keepends=True), source="in.jsonl"))


@pytest.mark.slow
def test_annotate_output_format_and_offsets(mini_kb):
    text = "NATO Secretary-General Jens Stoltenberg said Stoltenberg’s allies sent ATACMS."
    [record] = annotate_texts([("doc-1", text)], settings=Settings(), knowledge_base=mini_kb)
    assert record["id"] == "doc-1"
    by_text = {m["text"]: m for m in record["mentions"]}
    assert set(by_text["Jens Stoltenberg"]) == {"start", "end", "text", "label", "qid", "name", "score"}
    assert by_text["Stoltenberg"]["qid"] == by_text["Jens Stoltenberg"]["qid"] == "Q57665"
    assert by_text["ATACMS"] == {**by_text["ATACMS"], "label": "WEAPON", "qid": None, "name": "MGM-140 ATACMS"}
    for m in record["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"]


@pytest.mark.slow
def test_annotate_command_reads_jsonl_and_writes_jsonl(tmp_path):
    kb_path = tmp_path / "kb.db"
    KnowledgeBase.open(kb_path).add(read_entities_file(FIXTURES / "mini_kb.yaml", origin="starter"))
    stdin = '{"id": "x", "text": "Reuters quoted Vladimir Putin in Moscow."}\n'
    result = CliRunner().invoke(cli, ["annotate", "--kb", str(kb_path)], input=stdin)
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    record = json.loads(line)
    assert record["id"] == "x"
    assert {m["qid"] for m in record["mentions"]} == {"Q130879", "Q7747", "Q649"}


def test_annotate_command_reports_bad_input_clearly(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\n{oops\n')
    result = CliRunner().invoke(cli, ["annotate", str(bad)])
    assert result.exit_code != 0
    assert "bad.jsonl:2: not valid JSON" in result.output


def test_annotate_command_names_a_file_that_is_not_utf8(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 in Kyiv".encode("latin-1"))
    result = CliRunner().invoke(cli, ["annotate", str(bad)])
    assert result.exit_code == 1
    assert "latin1.txt: not valid UTF-8" in result.output


def test_input_is_read_lazily_and_empty_input_gives_nothing():
    def lines():
        yield '{"id": "a", "text": "first"}\n'
        raise AssertionError("read past the first document")

    reader = read_annotate_input(lines())
    assert next(reader) == ("a", "first", None)
    assert list(read_annotate_input([])) == []
    assert list(read_annotate_input(["\n", "  \n"])) == [("-", "\n  \n", None)]


@pytest.mark.slow
def test_annotating_with_the_imported_wikidata_sample_links_nato_and_belgium(tmp_path, shared):
    from kb.wikidata.dump import import_dump

    knowledge_base = KnowledgeBase.open(tmp_path / "sample.db")
    import_dump(knowledge_base, shared / "wikidata" / "wikidata-sample.json.gz", progress=False)
    text = "NATO foreign ministers met in Belgium on Tuesday."
    [record] = annotate_texts([("n", text)], settings=Settings(), knowledge_base=knowledge_base)
    qids = {m["text"]: m["qid"] for m in record["mentions"]}
    assert qids["NATO"] == "Q7184"
    assert qids["Belgium"] == "Q31"


def test_annotation_links_with_the_publishers_country():
    from kb.kbase import open_knowledge_base

    text = "The Defence Minister praised the Armed Forces. The Ukrainian Armed Forces withdrew."
    items = [("ru", text, "https://news.example.ru/1"), ("none", text)]
    records = annotate_texts(items, settings=Settings(), knowledge_base=open_knowledge_base(None))
    names = {r["id"]: [m["name"] for m in r["mentions"] if m["text"] == "Armed Forces"] for r in records}
    assert names == {"ru": ["Russian Armed Forces"], "none": ["Armed Forces of Ukraine"]}
