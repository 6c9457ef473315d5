"""What the entity and document pages show, read from a kb database connection.

The functions here take a ``sqlite3.Connection`` (Datasette hands one to ``execute_fn``) and
return plain dicts, so the templates stay dumb and the tests can check the data directly.
Entities come through :class:`kb.kbase.KnowledgeBase` (the knowledge base owns those tables);
documents, mentions and co-mentions are the store's tables.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable

import sqlite_utils
from markupsafe import Markup, escape

from ..kbase import KnowledgeBase, wikidata_url
from ..records import Entity

#: Tables a database must have for kb's pages to apply to it.
KB_TABLES = frozenset({"entities", "documents", "mentions", "aliases"})
#: Most mentions listed in context on one entity page (the rest: the mentions table).
MENTIONS_SHOWN = 500
CO_MENTIONED_SHOWN = 15
#: Types with a colour and a legend entry on the document page.
TYPE_NAMES = {
    "PERSON": "Person",
    "ORG": "Organisation",
    "GPE": "Country, city or state",
    "LOC": "Place",
    "WEAPON": "Weapon system",
    "PRODUCT": "Product",
    "WORK": "Work",
    "EVENT": "Event",
    "OTHER": "Other",
    "NORP": "Nationality or group (not linked)",
}
#: Wikidata properties worth showing as key claims, in this order.
KEY_PROPERTIES = {
    "P31": "instance of",
    "P39": "position held",
    "P106": "occupation",
    "P27": "citizenship",
    "P102": "party",
    "P463": "member of",
    "P17": "country",
    "P131": "located in",
    "P36": "capital",
    "P159": "headquarters",
    "P495": "country of origin",
    "P279": "subclass of",
}
# Characters that reorder or hide text (bidirectional overrides and isolates, zero-width marks):
# shown as visible code points so a hostile text cannot disguise what it says.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def is_kb_database(table_names: Iterable[str]) -> bool:
    """Whether a database has kb's tables (the plugin leaves other databases alone)."""
    return KB_TABLES <= set(table_names)


def knowledge_base(conn: sqlite3.Connection) -> KnowledgeBase:
    """The knowledge base stored in the database behind ``conn`` (read-only use)."""
    return KnowledgeBase(sqlite_utils.Database(conn))


def visible_text(text: str) -> Markup:
    """HTML-escaped ``text`` with invisible and direction-changing characters shown as
    ``[U+202E]``, so what the page shows is what the text contains."""
    escaped = str(escape(text))
    return Markup(_INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", escaped))


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None (no ``javascript:`` links)."""
    if url and re.match(r"^https?://[^\s]+$", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def entity_summary(entity: Entity) -> dict:
    """The fields every view of an entity shows (page, JSON-LD, reconciliation)."""
    return {
        "id": entity.id,
        "label": entity.label,
        "type": entity.type,
        "type_name": TYPE_NAMES.get(entity.type, entity.type),
        "description": entity.description,
        "qid": entity.qid,
        "wikidata_url": wikidata_url(entity.qid),
        "origin": entity.origin,
        "unresolved": entity.origin == "unresolved" or entity.id.startswith("nil:"),
        "aliases": [alias for alias in entity.aliases if alias != entity.label],
    }


def key_claims(entity: Entity) -> list[dict]:
    """The entity's claims on :data:`KEY_PROPERTIES`, labelled, in that order."""
    order = list(KEY_PROPERTIES)
    claims = [c for c in entity.claims if c.property in KEY_PROPERTIES]
    claims.sort(key=lambda c: (order.index(c.property), c.value_label or c.value))
    return [
        {
            "property": KEY_PROPERTIES[c.property],
            "value": c.value_label or c.value,
            "qid": c.value if re.fullmatch(r"Q\d+", c.value) else None,
        }
        for c in claims
    ]


def highlight(sentence: str, surface: str, nth: int = 0) -> Markup:
    """The sentence, escaped, with the ``nth`` (0-based) occurrence of ``surface`` in
    ``<mark>`` (the first when there are fewer)."""
    at = sentence.find(surface) if surface else -1
    for _ in range(nth):
        following = sentence.find(surface, at + 1)
        if following < 0:
            break
        at = following
    if at < 0:
        return visible_text(sentence)
    end = at + len(surface)
    return Markup("{}<mark>{}</mark>{}").format(
        visible_text(sentence[:at]), visible_text(surface), visible_text(sentence[end:])
    )


def entity_page(conn: sqlite3.Connection, entity_id: str) -> dict | None:
    """Everything the entity page shows, or None when no entity has this id."""
    entity = knowledge_base(conn).get(entity_id)
    if entity is None:
        return None
    counts = conn.execute(
        "SELECT count(*), count(DISTINCT document_id) FROM mentions WHERE entity_id = ?",
        (entity.id,),
    ).fetchone()
    return {
        **entity_summary(entity),
        "claims": key_claims(entity),
        "mention_count": counts[0],
        "document_count": counts[1],
        "mentions": entity_mentions(conn, entity.id, MENTIONS_SHOWN),
        "co_mentioned": co_mentioned(conn, entity.id, CO_MENTIONED_SHOWN),
        "timeline": mentions_by_month(conn, entity.id),
    }


def entity_mentions(conn: sqlite3.Connection, entity_id: str, limit: int) -> list[dict]:
    """The entity's mentions, newest document first, each with its highlighted sentence."""
    rows = conn.execute(
        "SELECT m.id, m.document_id, m.text, coalesce(m.sentence, m.text), d.title, d.published"
        " FROM mentions m JOIN documents d ON d.id = m.document_id WHERE m.entity_id = ?"
        " ORDER BY d.published DESC, m.document_id, m.start LIMIT ?",
        (entity_id, limit),
    ).fetchall()
    seen: Counter = Counter()  # the k-th mention of a name in a sentence is its k-th occurrence
    found = []
    for mention_id, document_id, surface, sentence, title, published in rows:
        nth = seen[document_id, sentence, surface]
        seen[document_id, sentence, surface] += 1
        found.append({
            "id": mention_id,
            "document_id": document_id,
            "document_title": title or document_id,
            "published": published or "",
            "context": highlight(sentence, surface, nth),
        })
    return found


def co_mentioned(conn: sqlite3.Connection, entity_id: str, limit: int) -> list[dict]:
    """Entities sharing the most documents with this one, with their labels and types."""
    rows = conn.execute(
        "SELECT other_id, documents FROM co_mentions WHERE entity_id = ?"
        " ORDER BY documents DESC, other_id LIMIT ?",
        (entity_id, limit),
    ).fetchall()
    kb = knowledge_base(conn)
    found = []
    for other_id, documents in rows:
        other = kb.get(other_id)
        if other is not None:
            found.append({"id": other.id, "label": other.label, "type": other.type,
                          "documents": documents})
    return found


def mentions_by_month(conn: sqlite3.Connection, entity_id: str) -> list[dict]:
    """Mentions per publication month (YYYY-MM), oldest first, with a bar width in percent."""
    rows = conn.execute(
        "SELECT substr(d.published, 1, 7) AS month, count(*) FROM mentions m"
        " JOIN documents d ON d.id = m.document_id"
        " WHERE m.entity_id = ? AND d.published IS NOT NULL AND d.published != ''"
        " GROUP BY month ORDER BY month",
        (entity_id,),
    ).fetchall()
    top = max((count for _, count in rows), default=1)
    return [{"month": month, "count": count, "width": round(100 * count / top)} for month, count in rows]


def document_page(conn: sqlite3.Connection, document_id: str, entity_url) -> dict | None:
    """Everything the document page shows, or None when no document has this id.

    ``entity_url(entity_id)`` gives the link of an entity page.
    """
    row = conn.execute(
        "SELECT id, title, url, published, source, text FROM documents WHERE id = ?",
        (document_id,),
    ).fetchone()
    if row is None:
        return None
    doc_id, title, url, published, source, text = row
    mentions = conn.execute(
        'SELECT start, "end", label, entity_id FROM mentions WHERE document_id = ?'
        ' ORDER BY start, "end" DESC',
        (doc_id,),
    ).fetchall()
    types = sorted({label for _, _, label, _ in mentions})
    return {
        "id": doc_id,
        "title": title or doc_id,
        "url": url or "",
        "link": safe_url(url),
        "published": published or "",
        "source": source or "",
        "body": marked_text(text, mentions, entity_url),
        "mention_count": len(mentions),
        "legend": [{"type": t, "name": TYPE_NAMES.get(t, t)} for t in types],
    }


def marked_text(text: str, mentions: Iterable[tuple], entity_url) -> Markup:
    """The document text, escaped, each mention wrapped in a link to its entity (or a mark for
    names that are not linked), classed by type. Overlapping mentions keep the first."""
    parts, cursor = [], 0
    for start, end, label, entity_id in mentions:
        if start < cursor or end > len(text) or start >= end:
            continue
        parts.append(visible_text(text[cursor:start]))
        surface = visible_text(text[start:end])
        css = f"kb-mention kb-type-{re.sub(r'[^A-Za-z]', '', label or 'OTHER')}"
        if entity_id:
            parts.append(Markup('<a class="{}" href="{}" title="{}">{}</a>').format(
                css, entity_url(entity_id), f"{label}: {entity_id}", surface))
        else:
            parts.append(Markup('<mark class="{}" title="{}">{}</mark>').format(css, label, surface))
        cursor = end
    parts.append(visible_text(text[cursor:]))
    return Markup("").join(parts)
