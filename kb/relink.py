"""After a knowledge-base edit: which stored documents can see it.

A document is stored with the signature it was linked with, ``"{kb fingerprint}|{settings}"``.
When only the knowledge-base part differs and the change log (:mod:`kb.kbase.changes`) can say
what the edits touched, only the documents that could link differently are reprocessed:

- documents whose stored mentions point (as link or runner-up) to a touched entity;
- documents named by a touched document-scoped override;
- documents whose text contains a touched name (an alias, a label, a global override's surface,
  or a weapon form of one): recognition uses the knowledge base's names too, so a new name can
  make a new mention (found with the documents' full-text index, then confirmed on the text);
- documents with a stored mention whose lookup keys (normalised variants, loose keys) meet a
  touched name's, or that the fuzzy fallback could pair with one: a close spelling with the
  same first ``settings.fuzzy_prefix`` characters, or any such name when that range holds
  about ``settings.fuzzy_rows`` aliases (the fallback compares only that many, and the edit
  may have changed which);
- documents whose publisher's country goes by a touched name: the edit may change which place
  is their home country (:mod:`kb.link.home`).

Everything else is relinked as before: other settings, no stored signature, a log that cannot
answer, a name the full-text index cannot search, and an edit of an imported entity when the
recogniser's list of popular imported names is full (it may push another name in or out).
The other documents only get the new signature, and the published copies of the touched
entities (when the knowledge base is a separate file) are brought up to date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

import sqlite_utils
from rapidfuzz import fuzz

from . import kbase as knowledge
from . import store
from .kbase import Changes, KnowledgeBase
from .link.home import country_code, country_names
from .names import fold, loose_key, normalise, variants, with_company_suffixes
from .recognise.model import weapon_forms
from .settings import Settings

_WORDS = re.compile(r"[^\W_]+")
_BATCH = 500


def _batches(items: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(items)
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def refresh_signatures(
    db: sqlite_utils.Database,
    knowledge_base: KnowledgeBase,
    settings: Settings,
    signature: str,
    stale: Mapping[str, str | None],
) -> set[str]:
    """Of the unchanged documents ``stale`` (id → the signature they were linked with, not
    ``signature``), the ids that must be reprocessed; the others are given ``signature`` now,
    in one short transaction, with the published copies of the touched entities."""
    kb_part, _, settings_part = signature.partition("|")
    relink: set[str] = set()
    touched: set[str] = set()
    groups: dict[str | None, set[str]] = {}
    for document_id, linked_with in stale.items():
        groups.setdefault(linked_with, set()).add(document_id)
    for linked_with, ids in groups.items():
        old_kb, _, old_settings = (linked_with or "").partition("|")
        changes = knowledge_base.changes_since(old_kb) if linked_with and old_settings == settings_part else None
        if changes is None or (changes.imported and _popular_names_full(knowledge_base, settings)):
            relink |= ids
        else:
            relink |= affected_documents(db, knowledge_base, changes, settings, ids)
            touched |= changes.entities
    _sign(db, knowledge_base, set(stale) - relink, signature, touched)
    _prune_log(db, knowledge_base, kb_part)
    return relink


def _popular_names_full(knowledge_base: KnowledgeBase, settings: Settings) -> bool:
    """Whether the recogniser's list of popular imported names is cut at its limit."""
    limit = settings.ruler_imported
    return limit > 0 and len(knowledge_base.popular_names(limit + 1, settings.linked_labels)) > limit


def _sign(
    db: sqlite_utils.Database, knowledge_base: KnowledgeBase, ids: set[str], signature: str, touched: set[str]
) -> None:
    """Give documents the new signature; refresh the published copies of touched entities."""
    copies = []
    if knowledge_base.db.conn is not db.conn:
        published = knowledge.KnowledgeBase(db)
        copies = [e for e in map(knowledge_base.get, sorted(touched)) if e is not None and published.has_entity(e.id)]
    with store.transaction(db):
        for batch in _batches(ids):
            db.execute(
                f"UPDATE documents SET linked_with = ? WHERE id IN ({','.join('?' * len(batch))})",
                [signature, *batch],
            )
        knowledge.copy_entities(db, copies)


def _prune_log(db: sqlite_utils.Database, knowledge_base: KnowledgeBase, kb_part: str) -> None:
    """Drop the change-log notes no document of this database needs (when the knowledge base is
    this database: a separate file's log serves other databases too, and only keeps its cap)."""
    if knowledge_base.db.conn is not db.conn:
        knowledge_base.forget_changes(None)
        knowledge.KnowledgeBase(db).forget_changes(None)  # the published copies' own log
        return
    uid = kb_part.partition(":")[0]
    counts = [
        int(count)
        for (linked_with,) in db.execute("SELECT DISTINCT linked_with FROM documents")
        for kb_uid, _, count in [(linked_with or "").partition("|")[0].partition(":")]
        if kb_uid == uid and count.isdigit()
    ]
    knowledge_base.forget_changes(f"{uid}:{min(counts)}" if counts else None)


def affected_documents(
    db: sqlite_utils.Database, knowledge_base: KnowledgeBase, changes: Changes, settings: Settings, ids: set[str]
) -> set[str]:
    """Those of the documents ``ids`` whose recognition or links the ``changes`` can change."""
    found = set(changes.documents) & ids
    found |= _linking_to(db, changes.entities) & ids
    found |= _containing(db, changes.names, ids - found)
    found |= _mentioning(db, changes.names, settings, knowledge_base) & ids
    found |= _published_in(db, changes.names, ids - found)
    return found


def _published_in(db: sqlite_utils.Database, names: Iterable[str], ids: set[str]) -> set[str]:
    """Those of the documents ``ids`` whose publisher's country goes by one of ``names``."""
    touched = {normalise(name) for name in names}
    found: set[str] = set()
    for batch in _batches(ids) if touched else ():
        marks = ",".join("?" * len(batch))
        rows = db.execute(f"SELECT id, url, source FROM documents WHERE id IN ({marks})", batch)
        for document_id, url, source in rows:
            code = country_code(url or source)
            if code and {normalise(name) for name in country_names(code)} & touched:
                found.add(document_id)
    return found


def _linking_to(db: sqlite_utils.Database, entity_ids: Iterable[str]) -> set[str]:
    """Documents with a mention linked to one of these entities, or having it as runner-up."""
    found: set[str] = set()
    for batch in _batches(entity_ids):
        marks = ",".join("?" * len(batch))
        found.update(
            d for (d,) in db.execute(
                f"SELECT document_id FROM mentions WHERE entity_id IN ({marks})"
                f" UNION SELECT document_id FROM mentions WHERE runner_up_id IN ({marks})",
                [*batch, *batch],
            )
        )
    return found


def _containing(db: sqlite_utils.Database, names: Iterable[str], ids: set[str]) -> set[str]:
    """Those of the documents ``ids`` whose text contains one of ``names`` (or a weapon form)."""
    forms = {form for name in names for form in weapon_forms(name)}
    found: set[str] = set()
    texts: dict[str, tuple[str, str]] = {}
    for form in sorted(forms):
        words = _WORDS.findall(form)
        if not words:  # nothing the full-text index can search for: look at every text
            hits = ids
        else:
            query = 'text : "' + " ".join(words) + '"'
            hits = {
                d for (d,) in db.execute(
                    "SELECT d.id FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid"
                    " WHERE documents_fts MATCH ?",
                    (query,),
                )
            } & ids
        for document_id in hits - found:
            if document_id not in texts:
                (text,) = db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
                texts[document_id] = (fold(text), f" {normalise(text)} ")
            if _contains(texts[document_id], form):
                found.add(document_id)
    return found


def _contains(folded_and_normalised: tuple[str, str], form: str) -> bool:
    """Whether a text (folded, and normalised with spaces around) contains ``form``: folded
    anywhere (what the ruler matches, "Kyiv" in "Kyiv's"), or normalised as whole words (what a
    normalised lookup matches, "U.S." in "US")."""
    folded, normalised = folded_and_normalised
    key = normalise(form)
    return bool(key) and (fold(form) in folded or f" {key} " in normalised)


@dataclass(frozen=True)
class _Keys:
    """The lookup keys of changed names, and where the fuzzy fallback can meet them."""

    exact: frozenset[str]
    loose: frozenset[str]
    #: first ``fuzzy_prefix`` characters → the keys starting so (the fuzzy fallback's ranges)
    by_prefix: dict[str, list[str]]
    #: ranges holding about ``fuzzy_rows`` aliases: which ones the fallback compares may have
    #: changed, so any name in them may meet a changed one
    cut: frozenset[str]
    #: the last words of changed names of several words: a lone surname's candidates
    #: (:func:`kb.kbase.lookup.surname_candidates`)
    last_words: frozenset[str] = frozenset()


def _keys(names: Iterable[str], settings: Settings, knowledge_base: KnowledgeBase) -> _Keys:
    exact = frozenset(normalise(name) for name in names) - {""}
    by_prefix: dict[str, list[str]] = {}
    for key in exact:
        if len(key) >= settings.fuzzy_prefix:
            by_prefix.setdefault(key[: settings.fuzzy_prefix], []).append(key)
    cut = frozenset(
        start for start, keys in by_prefix.items()
        if knowledge_base.fuzzy_range_size(start, settings.fuzzy_rows) + len(keys) >= settings.fuzzy_rows
    )
    last_words = frozenset(key.rpartition(" ")[2] for key in exact if " " in key)
    return _Keys(exact, frozenset(map(loose_key, exact)), by_prefix, cut, last_words)


def _mentioning(
    db: sqlite_utils.Database, names: Iterable[str], settings: Settings, knowledge_base: KnowledgeBase
) -> set[str]:
    """Documents with a stored mention whose candidate lookup can meet one of ``names``."""
    keys = _keys(names, settings, knowledge_base)
    if not keys.exact:
        return set()
    texts = [text for (text,) in db.execute("SELECT DISTINCT text FROM mentions") if _meets(text, keys, settings)]
    found: set[str] = set()
    for batch in _batches(texts):
        marks = ",".join("?" * len(batch))
        found.update(d for (d,) in db.execute(f"SELECT DISTINCT document_id FROM mentions WHERE text IN ({marks})", batch))
    return found


def _meets(text: str, keys: _Keys, settings: Settings) -> bool:
    """Whether looking ``text`` up can find (or be kept from) an alias with one of these keys:
    the same key or loose key, the key with a company suffix, a name it is the last word of (a
    surname), or one the fuzzy fallback compares it with and finds close (any in a range it may
    cut)."""
    for form in _variants(text):
        if form in keys.exact or loose_key(form) in keys.loose or form in keys.last_words:
            return True
        if any(named in keys.exact for named in with_company_suffixes(form)):
            return True
        if len(form) >= settings.fuzzy_min_length and _fuzzy_meets(form, keys, settings):
            return True
    return False


def _fuzzy_meets(form: str, keys: _Keys, settings: Settings) -> bool:
    size = settings.fuzzy_prefix
    if len(form) < size:  # its range is every alias that starts with it
        return any(key.startswith(form) for key in keys.exact)
    start = form[:size]
    return start in keys.cut or any(
        fuzz.ratio(form, key) >= settings.fuzzy_threshold for key in keys.by_prefix.get(start, ())
    )


@lru_cache(maxsize=65536)
def _variants(text: str) -> tuple[str, ...]:
    return tuple(variants(text))
