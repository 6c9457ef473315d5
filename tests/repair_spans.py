"""Helpers for the span-repair tests: a step run on hand-written spans, as NER gives them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kb.recognise.context import Context, Ent, lower_words

Step = Callable[[list[Ent], Context], list[Ent]]


def ents_of(text: str, spans, known: Mapping[str, str]) -> list[Ent]:
    """Ents from (surface, label) pairs, each at its first occurrence after the span before it
    (or, if none, in the whole text); a surface in ``known`` gets a ruler id, as the knowledge
    base's EntityRuler gives it."""
    ents: list[Ent] = []
    for surface, label in spans:
        start = text.index(surface, ents[-1].end if ents and text.find(surface, ents[-1].end) >= 0 else 0)
        ents.append(Ent(start, start + len(surface), label, surface.lower() if surface in known else ""))
    return ents


def run_step(step: Step, text: str, spans, known: Mapping[str, str]) -> list[Ent]:
    """The spans ``step`` leaves, in text order."""
    context = Context(text, lower_words(text), known)
    return sorted(step(ents_of(text, spans, known), context), key=lambda e: (e.start, e.end))


def surfaces(text: str, ents: list[Ent]) -> list[tuple[str, str]]:
    """(surface, label) of each span."""
    return [(text[e.start : e.end], e.label) for e in ents]
