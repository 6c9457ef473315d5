"""The words around a name, and what kind of thing a candidate is, for reading metonymy.

A place name often stands for something else: the team named after a city ("… won 3-1"), the
government of a capital ("… said on Monday"), a company named after its home town. Whether it
does is in the words around the mention; what a candidate is comes from its knowledge-base type
and description. Both are generic vocabulary (no entity names): the learned ranker
(:mod:`kb.link.model`) weighs how they combine.
"""

from __future__ import annotations

import re

from ..records import Candidate, Mention

#: Words around a mention that point to sport: the name is likely a team, not its home town.
SPORT_WORDS = frozenset(
    """won win wins beat beats beaten defeated defeat lost lose loses scored score scores goal goals
    match matches game games season league cup coach coaches championship championships playoff
    playoffs victory draw drew points striker midfielder quarterback inning innings tournament
    final finals semifinal title rally rallied squad fans stadium""".split()
)
#: Words around a mention that point to an actor (a government, a company): someone who speaks.
SPEECH_WORDS = frozenset(
    """said says say told announced announces statement statements officials official spokesman
    spokeswoman ministry minister government talks accused urged agreed warned denied demanded
    rejected responded insisted negotiators authorities administration""".split()
)
#: Description words of a sports team.
TEAM_WORDS = frozenset("team club franchise squad".split())
#: Description words of a government or state body.
GOVERNMENT_WORDS = frozenset("government ministry cabinet administration parliament".split())
#: Description words of a company.
COMPANY_WORDS = frozenset(
    "company corporation manufacturer conglomerate airline bank brand business subsidiary retailer".split()
)
#: Description words of a school or university.
SCHOOL_WORDS = frozenset("university college school academy institute".split())
#: Entity types that are places.
PLACE_TYPES = frozenset({"GPE", "LOC"})

_WORD = re.compile(r"[\w][\w'’-]*")
_MODIFIED = re.compile(r" (?!(?:and|or|of|in|on|at|to|for|with|by|from|is|was|are|were|has|had|have|said|says|will|would|the|a|an)\b)[a-z]{3,}\b")
_SCORELINE = re.compile(r"\b\d{1,3}\s*[-–]\s*\d{1,3}\b")


def window(text: str, mention: Mention, size: int) -> tuple[frozenset[str], bool]:
    """The lowercased words within ``size`` words either side of a mention (the mention's own
    words left out), and whether a score line ("3-1", "105-99") is among them."""
    before = _WORD.findall(text[max(0, mention.start - size * 12):mention.start])[-size:]
    after = _WORD.findall(text[mention.end:mention.end + size * 12])[:size]
    near = text[max(0, mention.start - size * 8):mention.end + size * 8]
    return frozenset(w.lower() for w in (*before, *after)), bool(_SCORELINE.search(near))


def surroundings(text: str, mentions: list[Mention], size: int) -> tuple[dict[str, float], frozenset[str]]:
    """What the words around a cluster's mentions say, each mention's window read once:

    - the share of its mentions whose surroundings read as sport, as speech, and that modify
      the word after them ("… harbour", "… office": the name is part of a longer one);
    - the words near any of them (for the local context overlap).
    """
    if not mentions:
        return {"sport": 0.0, "speech": 0.0, "modifier": 0.0}, frozenset()
    sport = speech = modifier = 0
    near: set[str] = set()
    for mention in mentions:
        words, scoreline = window(text, mention, size)
        sport += bool(words & SPORT_WORDS) or scoreline
        speech += bool(words & SPEECH_WORDS)
        modifier += bool(_MODIFIED.match(text, mention.end))
        near |= words
    n = len(mentions)
    return {"sport": sport / n, "speech": speech / n, "modifier": modifier / n}, frozenset(near)


def kind(candidate: Candidate) -> dict[str, float]:
    """What the candidate is, read from its type and description: place, team, government,
    company, school (1 or 0 each; a team's description says "club", a government's "government")."""
    words = {w.lower() for w in _WORD.findall(candidate.description)}
    return {
        "place": float(candidate.type in PLACE_TYPES),
        "team": float(bool(words & TEAM_WORDS)),
        "government": float(bool(words & GOVERNMENT_WORDS)),
        "company": float(bool(words & COMPANY_WORDS)),
        "school": float(bool(words & SCHOOL_WORDS)),
    }
