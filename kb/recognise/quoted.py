"""Repair step for names in quotation marks beside a noun that says what they name.

Press releases write the names of channels, platforms, parties, projects and operations in
quotation marks next to a common noun: 'the TV channel "Alphania 24"', 'the "Grain from
Alphania" initiative', 'the party «Servants of Betaland»'. A known place or organisation inside
such a name is a piece of it, not a mention of its own.
"""

from __future__ import annotations

import re

from .context import Context, Ent
from .vocabulary import COMPANY_WORDS, NAME_HEADS, OUT_OF_SCOPE, PUBLIC_BODIES

#: Nouns for the kinds of things whose names are quoted, beyond the heads of names (media,
#: businesses, operations), with the label their names get.
_MORE_KINDS = {
    **dict.fromkeys("newspaper magazine broadcaster outlet agency enterprise concern holding brand".split(), "ORG"),
    "operation": "EVENT",
}
#: Small words a name in Title Case writes in lower case ("Army of Drones", "Grain from …").
_SMALL = frozenset("of the and for from in on to with at by a an".split())
_OPEN_CLOSE = {'"': '"', "«": "»", "“": "”"}
_QUOTED = r"(?P<open>[\"«“])(?P<name>[A-Z0-9][^\"«»“”\n]{0,78}?)[\"»”]"
_NOUN = r"[A-Za-z]+"
#: The noun right before the quotation ('the channel "…"', 'a platform called "…"') …
_NOUN_FIRST = re.compile(rf"\b(?P<noun>{_NOUN})(?: (?:called|named|titled|entitled))? {_QUOTED}")
#: … or right after it ('the "…" initiative').
_NOUN_AFTER = re.compile(rf"{_QUOTED} (?P<noun>{_NOUN})\b")
#: A speaker's verb before the noun: the noun is a listener, the quotation speech ('told
#: parliament "Glory to …"', 'told the summit "…"').
_SPOKEN_TO = re.compile(
    r"\b(?:told|tell|tells|telling|asked|asks|addressed|addresses|urged|urges|thanked|reminded|assured)(?: the| a)? $"
)


def quoted_names(ents: list[Ent], context: Context) -> list[Ent]:
    """A name in quotation marks written in Title Case right beside a noun that says what it
    names ('the channel "Alphania 24"', 'the "Grain from Alphania" initiative') is one name,
    labelled by the noun (a channel or a party an organisation, an initiative a programme);
    the spans inside it are pieces of it. Left alone: a quotation that reads as a sentence
    (a lower-case word other than a small one, or punctuation inside), one a span already
    covers exactly or crosses, quotations beside other nouns ('the word "…"'), and speech to a
    listener the noun names ('told parliament "…"')."""
    replaced: set[Ent] = set()
    added = []
    for start, end, label in _quoted_names(context.text):
        inside = [e for e in ents if start <= e.start and e.end <= end]
        crossing = [e for e in ents if e.start < end and start < e.end and e not in inside]
        if inside and not crossing and not any((e.start, e.end) == (start, end) for e in inside):
            replaced.update(inside)
            added.append(Ent(start, end, label))
    return [e for e in ents if e not in replaced] + added


def _quoted_names(text: str) -> list[tuple[int, int, str]]:
    """Where quoted names beside a noun of their kind are in ``text``, and their labels."""
    names = set()
    for pattern in (_NOUN_FIRST, _NOUN_AFTER):
        for match in pattern.finditer(text):
            label = kind_of(match.group("noun"))
            spoken = _SPOKEN_TO.search(text, max(0, match.start("noun") - 20), match.start("noun"))
            if label and not spoken and _closes(match) and _reads_as_a_name(match.group("name")):
                names.add((match.start("name"), match.end("name"), label))
    return sorted(names)


def kind_of(noun: str) -> str | None:
    """The label of a name that ``noun`` (a channel, a party, an initiative …) says what it
    names; None for other nouns."""
    word = noun.lower()
    for head in (word, word.removesuffix("s")):
        label = NAME_HEADS.get(head) or OUT_OF_SCOPE.get(head) or _MORE_KINDS.get(head)
        if label or head in PUBLIC_BODIES or head in COMPANY_WORDS:
            return label or "ORG"
    return None


def _closes(match: re.Match) -> bool:
    """Whether the quotation closes with the mark that matches its opening one."""
    return match.group(0)[match.end("name") - match.start()] == _OPEN_CLOSE[match.group("open")]


def _reads_as_a_name(quoted: str) -> bool:
    """Whether quoted words read as a name, not a sentence: at most eight words, each
    capitalised, a number or a small word ("of", "from" …), and no punctuation but hyphens,
    apostrophes and ampersands."""
    words = quoted.split(" ")
    if len(words) > 8 or re.search(r"[^\w\s'’&-]", quoted):
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w in _SMALL for w in words if w)
