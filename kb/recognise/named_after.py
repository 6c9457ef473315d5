"""Names of things named after a place that a known place is only a piece of: "<…> of <place>"
("the Battle of Alphaville", "Hero of Alphania", "the Cathedral of St. Sophia of Gammaville") and
routes named after the places they join ("the Alphaville–Gammaville motorway"). Part of the
longer-name repair step (:mod:`kb.recognise.longer`); word classes only, never lists of names.
"""

from __future__ import annotations

import re

from .context import TITLE_WORD, WORD_AFTER, Context, Ent, bare_word, title_case_line
from .vocabulary import FUNCTION_WORDS, NAME_HEADS, OF_PLACE_HEADS, PUBLIC_BODIES, TITLES

#: Places joined by hyphens or dashes before a road's, a railway's or a pipeline's noun (up to two
#: lower-case words between: "… gas pipeline"): a route named after the places it joins ("the
#: Alphaville–Gammaville motorway"; not "the Alphania-Betaland road map").
_ROUTE = re.compile(
    r"(?<![\w'’-])[A-Z][\w'’]*(?: ?[-‐–—] ?[A-Z][\w'’]*(?: [A-Z][\w'’]*)?)+(?: [a-z][a-z-]+){0,2} "
    r"(?:[Mm]otorway|[Hh]ighway|[Rr]oad|[Rr]ailway|[Rr]ailroad|[Pp]ipeline|[Rr]oute|[Cc]orridor|[Ee]xpressway"
    r"|[Ff]reeway)s?(?![\w-])(?! map\b)"
)
#: Capitalised words (joined by "of", "the") just before "of [the]" and a place: the name the
#: place ends ("Battle of …", "Cathedral of St. Sophia of …").
_NAME_BEFORE_OF = re.compile(
    rf"(?<![\w'’.-])((?:{TITLE_WORD}|St\.)(?: (?:{TITLE_WORD}|St\.|of|the))*) (of|for) (?:the )?$"
)
#: A possessive after a place: the place owns what follows ("… of Alphania's future").
_POSSESSIVE = re.compile(r"['’]s?\b")
#: Where "of [the]" cuts the words of such a name into pieces.
_OF_CUT = re.compile(r" (?:of|for) (?:the )?")
#: Labels of the model's spans a name "<…> of <place>" may take in ("Gulf" + "of Alphania").
_ABSORBED_BEFORE_OF = frozenset({"ORG", "EVENT", "FAC", "LAW", "PRODUCT", "WORK_OF_ART", "LOC", "NORP"})


def route_name(ent: Ent, context: Context, ents: list[Ent]) -> Ent | None:
    """The name of a road, railway or pipeline named after the places it joins, which ``ent``
    is one of ("the Alphaville–Gammaville–Betaland motorway"): a facility; None when ``ent`` is
    in no such name, or the name would cut another span in two."""
    text = context.text
    for match in _ROUTE.finditer(text, max(0, ent.start - 120), min(len(text), ent.end + 120)):
        if match.start() <= ent.start and ent.end <= match.end():
            crossed = [e for e in ents if e.start < match.end() and match.start() < e.end]
            if any(e.start < match.start() or e.end > match.end() for e in crossed):
                return None
            return Ent(match.start(), match.end(), "FAC")
    return None


def name_ending_in(ent: Ent, context: Context, ents: list[Ent]) -> Ent | None:
    """The name "<…> of [the] <place>" that ``ent`` ends, when its words say it names something
    after the place: a battle or an honour ("Battle of Alphaville", "Hero of Alphania"), a
    facility or an organisation by its head ("Cathedral of St. Sophia of Alphaville", "Orthodox
    Church of Alphania"), a saint ("St. Sophia of Alphaville"). None for a title's or a public
    body's place ("President of Alphania", "Museum Council of Alphania"), before a Title-case
    word that starts another name with the place ("… of the Alpha Navy"), and across a known
    name or a model's person or place (unless the model's span is only head words: "Heroes"
    tagged as a place)."""
    text = context.text
    match = _NAME_BEFORE_OF.search(text, max(0, ent.start - 80), ent.start)
    if match is None or _goes_on(ent, text):
        return None
    found = _head_before_of(match.group(1), match.group(2))
    if found is None:
        return None
    start, label = match.start(1) + found[0], found[1]
    crossed = [e for e in ents if e is not ent and e.start < ent.start and e.end > start]
    if any(e.known or (e.label not in _ABSORBED_BEFORE_OF and not _only_heads(text[e.start : e.end])) for e in crossed):
        return None
    # the model's organisation wins over a facility's head word: a church as an institution
    return Ent(start, ent.end, "ORG" if label == "FAC" and any(e.label == "ORG" for e in crossed) else label)


def _only_heads(surface: str) -> bool:
    """Whether a model's span holds nothing but head words ("Heroes" tagged as a place): no
    name of its own to keep."""
    return all(bare_word(w) in OF_PLACE_HEADS or bare_word(w) in NAME_HEADS for w in surface.split(" "))


def _goes_on(ent: Ent, text: str) -> bool:
    """Whether what follows a place makes it no name's end: a Title-case word (another name
    starts with it: "… of the Alphania Navy"), a possessive ("… of Alphania's future"), or a
    heading in Title Case around it."""
    following = WORD_AFTER.match(text, ent.end) or _POSSESSIVE.match(text, ent.end)
    return bool(following) or title_case_line(text, ent.start, ent.end)


def _head_before_of(run: str, joined_by: str = "of") -> tuple[int, str] | None:
    """In the words before "of <place>" (which may hold "of" themselves: "Bishops of the
    Orthodox Church", "Cathedral of St. Sophia"), the name's start in ``run`` and its label:
    from the first piece between "of"s that names a kind of thing named after places, its
    leading function words left out; None when none does, or the name holds a title or a
    public body ("Museum Council", "Museum Director"). Joined to the place by "for", only a
    battle or an honour is such a name ("Battle for …", not "the Road for …")."""
    cuts = [(m.start(), m.end()) for m in _OF_CUT.finditer(run)]
    bounds = list(zip([0, *(end for _, end in cuts)], [*(start for start, _ in cuts), len(run)]))
    for piece_start, piece_end in bounds:
        start = _past_function_words(run, piece_start, piece_end)
        words = [bare_word(w) for w in run[start:piece_end].split(" ") if w]
        label = _named_after_label(words)
        if label:
            held = [bare_word(w) for w in run[start:].split(" ") if w not in ("of", "the")]
            return (start, label) if _may_hold_a_place(label, held, joined_by) else None
    return None


def _may_hold_a_place(label: str, words: list[str], joined_by: str) -> bool:
    """Whether a name with this label and these words (lower case) may end in "of/for <place>":
    no title or public body in it; after "for", only a battle or an honour."""
    if joined_by == "for" and label not in OF_PLACE_HEADS.values():
        return False
    return not any(w in TITLES or w in PUBLIC_BODIES for w in words)


def _past_function_words(run: str, start: int, end: int) -> int:
    """Where a piece of a name starts once function words ("The" opening a sentence) are passed."""
    while start < end:
        space = run.find(" ", start, end)
        if space < 0 or bare_word(run[start:space]) not in FUNCTION_WORDS:
            break
        start = space + 1
    return start


def _named_after_label(words: list[str]) -> str | None:
    """The label of a name whose words (lower case) say it is a thing named after a place: by
    its last head word (a battle, an honour, a facility, an organisation), or a saint's name."""
    label = next((OF_PLACE_HEADS.get(w) or NAME_HEADS.get(w) for w in reversed(words)
                  if w in OF_PLACE_HEADS or w in NAME_HEADS), None)
    return label or ("FAC" if words and words[0] in ("st.", "saint") else None)
