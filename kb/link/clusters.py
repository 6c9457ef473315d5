"""In-document clusters: the mentions of one document that name the same thing.

A text names a person in full once and by surname afterwards ("Jens Stoltenberg" … "Stoltenberg"),
an organisation by its head word ("Leeds Falcons" … "Falcons") or its acronym ("Kestrel Harbour
Institute" … "KHI"). Linking decides once per cluster, by its fullest name.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nameparser import HumanName

from ..names import acronym, normalise
from ..records import Candidate, Mention
from ..settings import Settings

if TYPE_CHECKING:
    from .nil import Decision

#: NER labels a short form of a person's name may carry ("Stoltenberg" tagged GPE).
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT"})
#: NER labels a short form of an organisation's name may carry ("Magic" tagged ORG or NORP).
ORG_SHORT_LABELS = frozenset({"ORG", "NORP", "PRODUCT"})
#: Words that make a name a phrase: "Ukraine" is not short for "Armed Forces of Ukraine".
CONNECTIVES = frozenset({"of", "for", "and", "on", "in", "de"})
#: Labels of the longer names an acronym may stand for.
ACRONYM_LABELS = frozenset({"ORG", "GPE"})
#: Last words of organisation names that do not name the organisation on their own.
GENERIC_HEADS = frozenset(
    """group company corporation corp inc ltd party ministry army forces force office council
    agency university college bank institute committee department association union organization
    organisation service services news press house center centre club league conference court
    government administration airport station network channel radio times post""".split()
)
_TOKEN = re.compile(r"[\w][\w\-’']*")


@dataclass
class Cluster:
    """Mentions in one document that refer to the same thing."""

    mentions: list[Mention]
    name: str  # the fullest surface: what candidates are looked up by
    label: str  # the NER label the cluster most likely has
    forced: tuple[bool, str | None] = (False, None)  # a manual override: (found, entity or None)
    candidates: list[Candidate] = field(default_factory=list)
    features: list[dict[str, float]] = field(default_factory=list)  # the learned ranker's, per candidate
    decision: Decision | None = None  # the ranked candidates and the winner, if any


def tokens(surface: str) -> list[str]:
    """Normalised name tokens (hyphenated parts kept together: "al-Maliki" is one token)."""
    return list(_tokens(surface))


@lru_cache(maxsize=16384)
def _tokens(surface: str) -> tuple[str, ...]:
    # every name is compared with every cluster's name: tokenised once, not once per pair
    return tuple(normalise(t) for t in _TOKEN.findall(surface.replace("’", "'")) if normalise(t))


def build_clusters(mentions: list[Mention], settings: Settings, apart: frozenset[str] = frozenset()) -> list[Cluster]:
    """Group a document's mentions that name the same thing; longest names first.

    A mention joins a cluster when it has the same normalised name, when it is the first or
    last name(s) of a person named in full ("Stoltenberg", "Saddam"), the last word(s) of an
    organisation's name ("Falcons" after "Leeds Falcons") or its head before "of"/"for"
    ("Council" after "Council of Elders"), or the acronym of the cluster's name. A short form
    several names could give joins the one the text wrote last before it. Names in ``apart``
    (normalised) keep a cluster of their own: a name national namesakes share, in a document
    whose publisher's country is known (:mod:`kb.link.home`).
    """
    by_name: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_name.setdefault(normalise(mention.meant), []).append(mention)
    names = sorted(by_name, key=lambda n: (-len(tokens(by_name[n][0].meant)), -len(n), n))
    clusters: list[Cluster] = []
    for name in names:
        group = by_name[name]
        target = None if name in apart else cluster_to_join(group[0], clusters, settings)
        if target is None:
            clusters.append(Cluster(list(group), group[0].meant, majority_label(group)))
        else:
            target.mentions.extend(group)
    for cluster in clusters:
        cluster.mentions.sort(key=lambda m: m.start)
        cluster.label = majority_label(cluster.mentions, prefer=cluster.label)
    return clusters


def cluster_to_join(mention: Mention, clusters: list[Cluster], settings: Settings) -> Cluster | None:
    """The cluster of a longer name that ``mention`` is a short form or an acronym of."""
    return _named_in_full(mention, clusters) or _spelled_out(mention, clusters, settings)


def is_short_form(short: list[str], label: str, cluster: Cluster) -> bool:
    """Whether name tokens ``short`` (NER label ``label``) shorten the cluster's name: a
    person's first or last name(s), an organisation's last word(s)."""
    full = tokens(cluster.name)
    if len(full) <= len(short):
        return False
    ends_alike = full[-len(short):] == short
    if cluster.label == "PERSON" and label in NAME_LABELS:
        return ends_alike or full[: len(short)] == short
    if cluster.label == "ORG" and label in ORG_SHORT_LABELS:
        return ends_alike and not set(full) & CONNECTIVES
    return False


def is_acronym_of(key: str, name: str) -> bool:
    """Whether ``key`` (normalised, no spaces) spells the initials of ``name``, or their start
    when it has three letters or more."""
    initials = acronym(name)
    return initials == key or (len(key) >= 3 and initials.startswith(key))


def _named_in_full(mention: Mention, clusters: list[Cluster]) -> Cluster | None:
    short = tokens(mention.meant)
    if not short or not mention.meant[:1].isupper():
        return None
    shortened = [c for c in clusters if is_short_form(short, mention.label, c)]
    heads = [c for c in clusters if mention.label in ORG_SHORT_LABELS and is_head_of(short, c)]
    if len(shortened) + len(heads) > 1:  # the nearest longer name written before it, if any
        before = [(_last_before(c, mention.start), c) for c in shortened + heads]
        nearest = max(before, key=lambda pair: pair[0])
        if nearest[0] >= 0:
            return nearest[1]
    if shortened:
        return shortened[0]
    return heads[0] if len(heads) == 1 else None  # "the Ministry" of two ministries: neither


def _last_before(cluster: Cluster, start: int) -> int:
    """Where the cluster's last mention before ``start`` begins; -1 when none is before it."""
    return max((m.start for m in cluster.mentions if m.start < start), default=-1)


def is_head_of(short: list[str], cluster: Cluster) -> bool:
    """Whether name tokens ``short`` are the head of an organisation named "<head> of/for …"
    ("Council" of "Council of Elders", "Armed Forces" of "Armed Forces of Alphania"): the text
    names it again by its head alone."""
    full = tokens(cluster.name)
    return (
        cluster.label == "ORG" and len(full) > len(short) + 1
        and full[: len(short)] == short and full[len(short)] in ("of", "for")
    )


def _spelled_out(mention: Mention, clusters: list[Cluster], settings: Settings) -> Cluster | None:
    key = normalise(mention.meant).replace(" ", "")
    if not (2 <= len(key) <= settings.acronym_max_length and mention.meant.isupper()):
        return None
    return next((c for c in clusters if c.label in ACRONYM_LABELS and is_acronym_of(key, c.name)), None)


def short_forms(cluster: Cluster) -> set[str]:
    """Shorter names a cluster goes by later in a text: a person's surname ("Stoltenberg",
    "von der Leyen", "King" of "Martin Luther King Jr."), the head of an organisation's name
    ("Magic" for "Orlando Magic") unless it is a generic word."""
    words = cluster.name.split()
    if len(words) < 2:
        return set()
    if cluster.label == "PERSON":
        return surname(cluster.name)
    if cluster.label == "ORG" and _is_name_word(words[-1]) and not {w.lower() for w in words} & CONNECTIVES:
        return set() if words[-1].lower() in GENERIC_HEADS else {words[-1]}
    return set()


def surname(name: str) -> set[str]:
    """A person's last name as nameparser reads it (particles kept, suffixes and titles
    dropped), when it is shorter than the name and ends in a capitalised word."""
    last = HumanName(name).last
    return {last} if last != name and _is_name_word(last.split()[-1] if last else "") else set()


def _is_name_word(word: str) -> bool:
    """A capitalised word of three characters or more: a name that can stand alone."""
    return word[:1].isupper() and len(word) >= 3


def repeat_forms(cluster: Cluster, settings: Settings) -> list[str]:
    """The forms of a cluster's name worth finding again in its text, longest first: the
    surfaces it already has (``settings.repeat_min_length`` characters or more) and its
    short forms."""
    forms = {m.text for m in cluster.mentions if len(m.text) >= settings.repeat_min_length}
    return sorted(forms | short_forms(cluster), key=lambda form: (-len(form), form))


def short_surfaces(clusters: list[Cluster]) -> set[str]:
    """The surfaces that joined a cluster of another name (short forms, acronyms)."""
    return {m.meant for c in clusters for m in c.mentions if normalise(m.meant) != normalise(c.name)}


def majority_label(mentions: list[Mention], prefer: str | None = None) -> str:
    """The cluster's label: the ruler's (a known name) if any, a person stays a person, else
    the most frequent NER label."""
    ruled = [m.label for m in mentions if m.source == "ruler"]
    if ruled:
        return ruled[0]
    if prefer == "PERSON":
        return prefer
    return Counter(m.label for m in mentions).most_common(1)[0][0]
