"""Entity files: YAML, CSV or JSON lists of entities, validated into :class:`kb.records.Entity`.

The curated starter knowledge base (``kb/data/starter.yaml``) is one such file.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from importlib import resources
from pathlib import Path

import yaml

from ..records import Claim, Entity
from .qids import is_qid

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
ENTITY_TYPES = ("PERSON", "ORG", "WEAPON", "GPE", "LOC", "PRODUCT", "WORK", "EVENT", "OTHER")
STARTER_FILE = "starter.yaml"


def _check(data: dict, where: str) -> tuple[str, str | None]:
    """The entity's type (upper-cased) and QID, or ValueError naming ``where``."""
    missing = [key for key in ("id", "label", "type") if not data.get(key)]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    entity_type = str(data["type"]).upper()
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"{where}: type {data['type']!r} is not one of {', '.join(ENTITY_TYPES)}")
    qid = data.get("qid") or None
    if qid is not None and not is_qid(str(qid)):
        raise ValueError(f"{where}: {qid!r} is not a Wikidata QID")
    return entity_type, str(qid) if qid is not None else None


def parse_entity(data: dict, origin: str, where: str) -> Entity:
    """Turn one entity mapping (from YAML, CSV or JSON) into an Entity, validating it.

    Raises ValueError naming ``where`` when a field is missing or wrong.
    """
    entity_type, qid = _check(data, where)
    aliases = data.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [a.strip() for a in aliases.split("|")]
    claims = tuple(
        Claim(str(c["property"]), str(c["value"]), c.get("value_label"))
        for c in data.get("claims") or ()
    )
    return Entity(
        id=str(data["id"]),
        qid=qid,
        label=str(data["label"]),
        type=entity_type,
        description=str(data.get("description") or ""),
        aliases=tuple(str(a) for a in aliases if a),
        popularity=float(data.get("popularity") or 0.0),
        origin=origin,
        claims=claims,
    )


def _rows(path: Path, text: str) -> tuple[list, list[str]]:
    """The raw entries of an entity file and, for each, where it is (for error messages)."""
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        return rows, [f"{path}:{n + 2}" for n in range(len(rows))]
    try:
        rows = json.loads(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=_YAML_LOADER)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {error}") from error
    if isinstance(rows, dict) and "entities" in rows:
        rows = rows["entities"]
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a list of entities")
    return rows, [f"{path}: entry {n + 1}" for n in range(len(rows))]


def read_entities_file(path: str | Path, origin: str = "custom") -> list[Entity]:
    """Read entities from a YAML list, a CSV (aliases separated by ``|``) or a JSON list.

    Raises ValueError naming the file and the entry when the file is malformed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read: {error}") from error
    rows, places = _rows(path, text)
    entities = []
    for row, place in zip(rows, places):
        if not isinstance(row, dict):
            raise ValueError(f"{place}: expected a mapping, got {type(row).__name__}")
        entities.append(parse_entity(row, origin, place))
    duplicates = sorted(i for i, n in Counter(e.id for e in entities).items() if n > 1)
    if duplicates:
        raise ValueError(f"{path}: duplicate ids: {', '.join(duplicates)}")
    return entities


def starter_entities() -> list[Entity]:
    """The curated starter knowledge base shipped with kb (``kb/data/starter.yaml``)."""
    with resources.as_file(resources.files("kb") / "data" / STARTER_FILE) as path:
        return read_entities_file(path, origin="starter")
