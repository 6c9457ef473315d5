"""A small hand-made kb database for the publish tests, and helpers to run the site.

Seven entities (one with a ':' in its id, as unresolved names get), three news-like documents
written for these tests, and a fourth with hostile text: markup, script, a ``javascript:`` URL
and a right-to-left override.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from kb.kbase import write_entities
from kb.records import Claim, Document, Entity, Link, Mention
from kb.store import open_database, refresh_co_mentions, write_document

REPO = Path(__file__).resolve().parents[1]
TITLE = "kb — news entity knowledge base"
PESKOV = "nil:dmitry-peskov"

ENTITIES = [
    Entity("vladimir-putin", "Vladimir Putin", "PERSON", "President of Russia", "Q999000001",
           ("Putin",), 5.0, "starter",
           (Claim("P27", "Q159", "Russia"), Claim("P31", "Q5", "human"), Claim("P9999", "x", "not shown"))),
    Entity("jens-stoltenberg", "Jens Stoltenberg", "PERSON", "Secretary General of NATO",
           "Q999000002", (), 4.0, "starter"),
    Entity("nato", "NATO", "ORG", "North Atlantic alliance", "Q999000003",
           ("North Atlantic Treaty Organization",), 6.0, "starter"),
    Entity("storm-shadow", "Storm Shadow", "WEAPON", "air-launched cruise missile", None, (),
           2.0, "starter"),
    Entity("atacms", "MGM-140 ATACMS", "WEAPON", "tactical ballistic missile", None, ("ATACMS",),
           1.0, "starter"),
    Entity(PESKOV, "Dmitry Peskov", "PERSON", "", None, ("Peskov",), 0.0, "unresolved"),
    Entity("nil:andriy-yermak", "Andriy Yermak", "PERSON", "", None, ("Yermak",), 0.0, "unresolved"),
]
TYPES = {e.id: e.type for e in ENTITIES}

HOSTILE_TEXT = (
    'Putin <script>window.kbPwned = 1</script> spoke. <img src=x onerror="window.kbPwned = 2">'
    ' Read <a href="javascript:window.kbPwned = 3">this</a>. NATO said \u202eevil\u202c no.'
)

# (id, title, published, source, url, text, [(surface, entity id), ...] in text order)
DOCUMENTS = [
    ("d1", "Kremlin answers Stoltenberg", "2024-05-01", "Reuters", "https://example.org/d1",
     "Putin said Storm Shadow strikes escalate. Peskov said Putin warned Stoltenberg. "
     "Storm Shadow missiles hit Crimea; Peskov called Storm Shadow a provocation.",
     [("Putin", "vladimir-putin"), ("Storm Shadow", "storm-shadow"), ("Peskov", PESKOV),
      ("Putin", "vladimir-putin"), ("Stoltenberg", "jens-stoltenberg"), ("Storm Shadow", "storm-shadow"),
      ("Peskov", PESKOV), ("Storm Shadow", "storm-shadow")]),
    ("d2", "Stoltenberg on long-range strikes", "2024-06-02", "AFP", "https://example.org/d2",
     "Stoltenberg backed ATACMS and Storm Shadow deliveries. Stoltenberg spoke to Yermak about Putin.",
     [("Stoltenberg", "jens-stoltenberg"), ("ATACMS", "atacms"), ("Storm Shadow", "storm-shadow"),
      ("Stoltenberg", "jens-stoltenberg"), ("Yermak", "nil:andriy-yermak"),
      ("Putin", "vladimir-putin")]),
    ("d3", "NATO allies weigh ATACMS", "2024-06-03", "Reuters", "https://example.org/d3",
     "NATO allies discussed ATACMS. Peskov dismissed ATACMS as irrelevant.",
     [("NATO", "nato"), ("ATACMS", "atacms"), ("Peskov", PESKOV), ("ATACMS", "atacms")]),
    ("hostile", 'Hostile <b>title</b><script>window.kbPwned = 4</script>', "2024-06-04", "Unknown",
     "javascript:window.kbPwned = 5", HOSTILE_TEXT,
     [("Putin", "vladimir-putin"), ("NATO", "nato")]),
]


def _links(text: str, names: list[tuple[str, str]]) -> list[Link]:
    """Links for each (surface, entity id), found left to right in ``text``; the sentence of a
    mention is the stretch between full stops around it."""
    links, cursor = [], 0
    for surface, entity_id in names:
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        begin = text.rfind(". ", 0, start) + 2 if text.rfind(". ", 0, start) >= 0 else 0
        end = text.find(".", cursor)
        sentence = text[begin:end + 1 if end >= 0 else len(text)]
        mention = Mention(start, cursor, surface, TYPES[entity_id], sentence=sentence)
        links.append(Link(mention, entity_id, None, surface, TYPES[entity_id], 0.9))
    return links


def build_database(path: Path) -> Path:
    """The test database at ``path``: entities, documents, mentions and co-mentions."""
    db = open_database(path)
    with db.conn:
        write_entities(db, ENTITIES)
        for doc_id, title, published, source, url, text, names in DOCUMENTS:
            document = Document(doc_id, text, title, url, published, source, content_hash=doc_id)
            write_document(db, document, _links(text, names), [], [], "fingerprint")
    refresh_co_mentions(db)
    db.close()
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(extra_path: str | None = None) -> dict:
    """The environment for a child Python that imports kb from this checkout."""
    paths = [extra_path, str(REPO), os.environ.get("PYTHONPATH")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


@contextmanager
def running(command: list[str], port: int, env: dict | None = None, timeout: float = 30):
    """Start a server command, wait until it answers on 127.0.0.1:``port``, yield its base URL
    and the process, and stop it afterwards (its output is then ``process.output``)."""
    # Output goes to a file: a pipe nobody reads fills up and blocks the server mid-request.
    log = tempfile.TemporaryFile("w+", encoding="utf-8")
    process = subprocess.Popen(command, env=env or child_env(), cwd=REPO, stdout=log,
                               stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(base + "/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        if process.poll() is not None:
            log.seek(0)
            raise AssertionError(f"server exited early ({process.returncode}): {log.read()}")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        process.output = log.read()
        log.close()


def kb_serve_command(db_path: Path, port: int, *extra: str) -> list[str]:
    """`kb serve` run from this checkout."""
    return [sys.executable, "-c", "from kb.cli import cli; cli()", "serve", str(db_path),
            "--host", "127.0.0.1", "--port", str(port), *extra]
