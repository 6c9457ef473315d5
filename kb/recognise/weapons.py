"""Weapon names the knowledge base lacks, found from the words around them."""

from __future__ import annotations

import re

from .context import Context, Ent
from .vocabulary import WEAPON_MODIFIERS, WEAPON_NOUNS

_WEAPON_NAME = (
    r"(?:[A-Z][A-Za-z]*-?\d[\w-]*|[A-Z][A-Za-z]*(?:-[A-Z0-9]\w*)+|[A-Z]{3,}s?|[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
)
_WEAPON = re.compile(
    rf"(?<![\w-])(?P<name>{_WEAPON_NAME}(?:/{_WEAPON_NAME})*)"
    rf"(?:\s+(?:{'|'.join(WEAPON_MODIFIERS)}))*\s+(?:{'|'.join(WEAPON_NOUNS)})\b"
)


def weapons_from_context(ents: list[Ent], context: Context) -> list[Ent]:
    """Weapon-like names the knowledge base lacks, found from the noun after them ("the X-99
    hypersonic missile", "Vortex drones", "A-1/B-2 missiles" → two names): label WEAPON. The
    model's span there is replaced; a name the rulers know, a place or a nationality stays."""
    result = list(ents)
    for match in _WEAPON.finditer(context.text):
        start = match.start("name")
        for name in match.group("name").split("/"):
            end = start + len(name)
            overlapping = [e for e in result if e.start < end and start < e.end]
            if _weapon_like(name, start, context) and not any(e.known or e.label in ("GPE", "NORP") for e in overlapping):
                result = [e for e in result if e not in overlapping] + [Ent(start, end, "WEAPON")]
            start = end + 1
    return result


def _weapon_like(name: str, start: int, context: Context) -> bool:
    """Digits, hyphens or capitals make a model name; a plain capitalised word must be no
    ordinary word, no known name of another kind and not open a sentence."""
    if re.search(r"[\d-]|[A-Z]{3}", name):
        return context.known_as(name) in (None, "WEAPON")
    if any(context.is_ordinary(word) for word in name.split(" ")):
        return False
    if context.known_as(name) not in (None, "WEAPON"):
        return False
    before = context.text[max(0, start - 2) : start]
    return bool(before) and not re.search(r"[.!?\n]\s*$|^\s*$", before)
