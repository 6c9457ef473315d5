"""The local knowledge base: entities, aliases, claims and overrides in SQLite.

The knowledge base stays on disk; lookups go through indexed alias keys, so a million-entity
Wikidata import costs memory only for SQLite's page cache. By default it lives in the same
database Datasette publishes; ``--kb FILE`` points several builds at one shared file.

Only this package reads and writes the knowledge-base tables with SQL:

- :mod:`.schema`: tables, indexes, and the change counter behind :meth:`KnowledgeBase.fingerprint`;
- :mod:`.changes`: the change log: what the edits since a fingerprint touched;
- :mod:`.files`: entity files (YAML, CSV, JSON) and the starter entities;
- :mod:`.write`: writing entities, merging records of one QID, the published copies;
- :mod:`.lookup`: entity records, candidate lookup (exact, variant, loose, fuzzy), overrides;
- :mod:`.qids`: the QID rule and who carries which QID;
- :mod:`.cache`: the online lookups cache and the dump imports log;
- :mod:`.base`: the :class:`KnowledgeBase` facade and :func:`open_knowledge_base`;
- :mod:`.custom`: custom entities and mapping them to QIDs.
"""

from .base import KnowledgeBase, open_knowledge_base
from .changes import Changes
from .files import ENTITY_TYPES, STARTER_FILE, parse_entity, read_entities_file, starter_entities
from .qids import is_qid, wikidata_url
from .schema import ensure_schema
from .write import alias_rows, copy_entities, entity_row, write_entities

__all__ = [
    "ENTITY_TYPES",
    "Changes",
    "STARTER_FILE",
    "KnowledgeBase",
    "alias_rows",
    "copy_entities",
    "ensure_schema",
    "entity_row",
    "is_qid",
    "open_knowledge_base",
    "parse_entity",
    "read_entities_file",
    "starter_entities",
    "wikidata_url",
    "write_entities",
]
