"""The knowledge base's EntityRulers, built once and reused across runs from a cache file.

Most of the cost of building a ruler is spaCy tokenising every pattern and making a Doc of it,
with a new lexeme for each new word. With many imported names this costs much more than loading
the model (``python bench/bench_ruler.py``). Matching needs less than that: the PhraseMatcher
keeps only the hashes of each pattern's tokens (spaCy unpickles a PhraseMatcher from those
hashes too). So the cache file keeps each ruler's patterns and their tokens. A cached ruler is an
ordinary spaCy EntityRuler filled from them, with the same keys, entity ids and PhraseMatcher
insertion order as :meth:`EntityRuler.add_patterns` gives, so it matches exactly as a freshly
built ruler does.

There is one file for each knowledge-base file, model and set of ruler settings, replaced when
it goes stale. It is keyed by everything the rulers are built from: the knowledge base's
fingerprint, the model's name and version, spaCy's version, the ruler settings, kb's version and
the source of the code that makes the patterns. A missing, stale, corrupt or unreadable file is
ignored, and the rulers are built and written anew. A file is written under a temporary name and
then renamed into place, so a reader never sees half of one. A file that cannot be written is
only logged.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from itertools import chain
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import spacy
import srsly
from spacy.language import Language

from .model import CURATED, IMPORTED, RULER_CONFIG, add_entity_ruler, add_rulers, build_pipeline, load_model, ruler_patterns

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger(__name__)

#: The cache file's layout; raise it when the layout changes (older files then count as stale).
FORMAT = 1
#: The cache folder's name beside the knowledge-base file when no ``cache_dir`` is set.
CACHE_FOLDER = ".kb-cache"
#: The code that turns a knowledge base into ruler patterns: a change to any of it makes old
#: cache files stale even before kb's version changes.
_SOURCES = ("kb.recognise.model", "kb.recognise.ruler_cache", "kb.names", "kb.kbase.lookup")

Names = list[tuple[str, str, str]]


@dataclass(frozen=True)
class RulerState:
    """One EntityRuler's phrase patterns in the order they are added (``{"label", "pattern",
    "id"}`` dicts, as :func:`kb.recognise.model.ruler_patterns` makes them), each with the
    tokens the model's tokenizer splits its text into: all a ruler needs to match."""

    patterns: list[dict]
    tokens: list[list[str]]


class PhraseText(NamedTuple):
    """A cached ruler's phrase pattern where a built ruler keeps the pattern's Doc. The ruler
    reads only its text (``EntityRuler.patterns``, ``to_bytes``), and making tens of thousands
    of Docs is most of the cost the cache saves."""

    text: str


@dataclass(frozen=True)
class RulerCache:
    """Where a pipeline's rulers are cached (``path``), and ``key``: everything they are built
    from except the model's version and spaCy's, added once the model is loaded."""

    path: Path
    key: str


def ruler_cache_for(settings: Settings, kb_path: str, fingerprint: str) -> RulerCache | None:
    """The ruler cache of the knowledge-base file ``kb_path`` at ``fingerprint``
    (:meth:`KnowledgeBase.fingerprint`) with these settings.

    Returns None when ``settings.ruler_cache`` is off or the knowledge base is in memory (its
    fingerprint changes every run, so there is nothing to reuse). The folder is
    ``settings.cache_dir``, or ``.kb-cache`` beside the knowledge-base file."""
    if not settings.ruler_cache or not kb_path:
        return None
    kb_file = Path(kb_path).resolve()
    folder = Path(settings.cache_dir).expanduser() if settings.cache_dir else kb_file.parent / CACHE_FOLDER
    place = [str(kb_file), settings.model, settings.ruler_imported, list(settings.linked_labels)]
    key = [*place, fingerprint, _kb_version(), _code_digest(), RULER_CONFIG, FORMAT]
    return RulerCache(folder / f"rulers-{_digest(place)[:24]}.msgpack", _digest(key))


def cached_pipeline(
    model: str, names: Callable[[], tuple[Names, Names]], cache: RulerCache | None, components: str = "full"
) -> Language:
    """``build_pipeline(model, *names(), components=components)`` (the curated names, then the
    imported ones), with its rulers read from ``cache`` when the file holds them for this key.
    Otherwise the rulers are built and written to the cache. ``names`` is called only when the
    rulers are built (the rulers depend on the tokenizer only, not on ``components``)."""
    if cache is None:
        return build_pipeline(model, *names(), components=components)
    nlp = load_model(model, components)
    key = f"{cache.key}|{nlp.lang}_{nlp.meta.get('name')}-{nlp.meta.get('version')}|spacy-{spacy.__version__}"
    states = read_states(cache.path, key)
    if states is None:
        curated, imported = names()
        states = {CURATED: ruler_state(nlp, ruler_patterns(curated)), IMPORTED: ruler_state(nlp, ruler_patterns(imported))}
        write_states(cache.path, key, states)
    return add_rulers(nlp, states, install_ruler)


def ruler_state(nlp: Language, patterns: Iterable[dict]) -> RulerState:
    """Phrase ``patterns`` with the tokens ``nlp``'s tokenizer splits their texts into (as
    :meth:`EntityRuler.add_patterns` tokenises them for a PhraseMatcher on ORTH)."""
    patterns = list(patterns)
    if any(not isinstance(pattern["pattern"], str) for pattern in patterns):
        raise TypeError("a cached ruler holds phrase patterns only")
    docs = nlp.tokenizer.pipe(pattern["pattern"] for pattern in patterns)
    return RulerState(patterns, [[token.text for token in doc] for doc in docs])


def install_ruler(nlp: Language, name: str, state: RulerState, **where: str | None) -> None:
    """Add the EntityRuler ``name`` (``before``/``after`` a component) holding ``state``'s
    patterns as :meth:`EntityRuler.add_patterns` would hold them: the same match keys and
    entity ids, added to its PhraseMatcher in the same order. Nothing is tokenised and no Doc is
    made. Like :func:`kb.recognise.model.build_pipeline`, adds no ruler when there are no patterns."""
    if not state.patterns:
        return
    ruler = add_entity_ruler(nlp, name, **where)
    strings = nlp.vocab.strings
    for pattern, tokens in zip(state.patterns, state.tokens, strict=True):
        label, entity_id = pattern["label"], pattern.get("id")
        key = ruler._create_label(label, entity_id) if entity_id else label  # noqa: SLF001 - add_patterns' key
        if entity_id:
            ruler._ent_ids[strings.add(key)] = (label, entity_id)  # noqa: SLF001
        ruler.phrase_patterns[key].append(PhraseText(pattern["pattern"]))
        ruler.phrase_matcher.add(key, [[strings.add(token) for token in tokens]])


def read_states(path: Path, key: str) -> dict[str, RulerState] | None:
    """The rulers' states cached in ``path`` for ``key``, or None when the file is missing,
    stale (another key or layout), corrupt or unreadable: the caller then builds them anew."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("%s: cannot read the ruler cache, building the rulers: %s", path, error)
        return None
    try:
        return _decode(data, key)
    except _Stale as stale:
        log.info("%s: the ruler cache is stale (%s), building the rulers", path, stale)
    except Exception as error:  # noqa: BLE001 - whatever is wrong with the file, it is rebuilt
        log.warning("%s: the ruler cache is corrupt, building the rulers: %s: %s", path, type(error).__name__, error)
    return None


def write_states(path: Path, key: str, states: dict[str, RulerState]) -> bool:
    """Write the rulers' states for ``key`` to ``path``, atomically: a temporary file in the
    same folder renamed over it. Returns whether it was written. A failure is logged and
    leaves no temporary file behind."""
    rulers = {name: dict(zip(_COLUMNS, _columns(state), strict=True)) for name, state in states.items()}
    payload = srsly.msgpack_dumps(rulers)
    data = srsly.msgpack_dumps({"format": FORMAT, "key": key, "sha256": _sha256(payload), "rulers": payload})
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
        return True
    except OSError as error:
        log.warning("%s: cannot write the ruler cache (the rulers are built again next run): %s", path, error)
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)
        return False


#: A ruler's state in the file, column by column.
_COLUMNS = ("labels", "texts", "ids", "tokens")


def _columns(state: RulerState) -> tuple[list, ...]:
    patterns = state.patterns
    return [p["label"] for p in patterns], [p["pattern"] for p in patterns], [p.get("id") for p in patterns], state.tokens


class _Stale(Exception):
    """A readable cache file made for another key or in another layout."""


def _decode(data: bytes, key: str) -> dict[str, RulerState]:
    """The states in a cache file's bytes; _Stale or another exception when they cannot be used."""
    outer = srsly.msgpack_loads(data)
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise _Stale("another layout")
    if outer.get("key") != key:
        raise _Stale("built from another knowledge base, model or settings")
    payload = outer["rulers"]
    if not isinstance(payload, bytes) or _sha256(payload) != outer.get("sha256"):
        raise ValueError("checksum mismatch")
    rulers = srsly.msgpack_loads(payload)
    return {name: _state(rulers[name]) for name in (CURATED, IMPORTED)}


def _state(data: dict) -> RulerState:
    """One ruler's state from its decoded columns, their types checked (ValueError when
    wrong): column by column, which takes milliseconds for 50,000 patterns."""
    labels, texts, ids, tokens = (data[column] for column in _COLUMNS)
    if not all(isinstance(column, list) and len(column) == len(labels) for column in (labels, texts, ids, tokens)):
        raise ValueError("the pattern columns are not lists of one length")
    if not set(map(type, labels + texts)) <= {str} or not set(map(type, ids)) <= {str, type(None)}:
        raise ValueError("a pattern's label, text or id is not text")
    if not set(map(type, tokens)) <= {list} or not set(map(type, chain.from_iterable(tokens))) <= {str}:
        raise ValueError("a pattern's tokens are not texts")
    patterns = [{"label": label, "pattern": text, "id": entity_id} for label, text, entity_id in zip(labels, texts, ids)]
    return RulerState(patterns, tokens)


def _kb_version() -> str:
    try:
        return importlib.metadata.version("kb")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _code_digest() -> str:
    """A digest of the source of the code that makes ruler patterns (:data:`_SOURCES`)."""
    digest = hashlib.sha256()
    for module in _SOURCES:
        digest.update(Path(importlib.util.find_spec(module).origin).read_bytes())
    return digest.hexdigest()


def _digest(parts: list) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
