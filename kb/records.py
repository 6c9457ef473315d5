"""Plain records that cross stage boundaries (ingest → recognise → link → store).

Every stage takes and returns these dataclasses, never spaCy objects or database rows, so
each stage can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Entity and mention types kb links. Others (DATE, NORP …) may be recognised but are not linked.
LINKED_LABELS = ("PERSON", "ORG", "WEAPON", "GPE")


@dataclass(frozen=True)
class Document:
    """One article: its stable id, its text and whatever metadata the input carried."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    source: str | None = None
    path: str | None = None
    content_hash: str = ""

    @property
    def publisher(self) -> str | None:
        """Where it was published: its URL, else its source (a host name gives the publisher's
        country, :mod:`kb.link.home`)."""
        return self.url or self.source


@dataclass(frozen=True)
class Problem:
    """An input that could not be read: where it was and what was wrong with it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Mention:
    """A recognised name in a document: character offsets into the document text and the text
    there; ``name`` is the name it stands for when the text writes that only in part (the head
    word several names share, written once: "Alpha region" for "Alpha" in "the Alpha and Beta
    regions"), empty otherwise."""

    start: int
    end: int
    text: str
    label: str
    sentence: str = ""
    source: str = "ner"  # "ner" (statistical model) or "ruler" (knowledge-base names)
    name: str = ""

    @property
    def meant(self) -> str:
        """The name linking looks up and clusters by: ``name`` when there is one, else the text."""
        return self.name or self.text


@dataclass(frozen=True)
class Entity:
    """An entity of the knowledge base; `qid` is None until verified against Wikidata."""

    id: str
    label: str
    type: str
    description: str = ""
    qid: str | None = None
    aliases: tuple[str, ...] = ()
    popularity: float = 0.0
    origin: str = "starter"  # starter | custom | wikidata | online | unresolved
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Claim:
    """One statement about an entity, e.g. (P27, Q159, "Russia")."""

    property: str
    value: str
    value_label: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An entity that a mention's name may refer to, with how the name matched."""

    entity_id: str
    qid: str | None
    label: str
    type: str
    description: str
    popularity: float
    matched_alias: str
    match: str  # "exact", "variant", "fuzzy"
    similarity: float = 1.0
    origin: str = ""
    statements: int = 0  # how many claims the knowledge base holds about it


@dataclass(frozen=True)
class Link:
    """A mention resolved to an entity (or to an unresolved name when entity has no QID)."""

    mention: Mention
    entity_id: str
    qid: str | None
    name: str
    type: str
    score: float
    runner_up_id: str | None = None
    runner_up_score: float | None = None
    features: dict[str, float] = field(default_factory=dict, compare=False)
