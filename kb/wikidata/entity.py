"""One Wikidata JSON entity → one :class:`kb.records.Entity`.

The dump format and the ``wbgetentities`` response use the same entity JSON, so both the dump
importer and the online client go through :func:`entity_from_json`. Everything here is pure:
no database, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..kbase.qids import is_qid
from ..records import Claim, Entity

#: Claims kept per entity: the properties users ask about (P31 types first).
CLAIM_PROPERTIES = (
    "P31",  # instance of
    "P279",  # subclass of
    "P17",  # country
    "P27",  # country of citizenship
    "P39",  # position held
    "P106",  # occupation
    "P102",  # member of political party
    "P463",  # member of
    "P108",  # employer
    "P159",  # headquarters location
    "P176",  # manufacturer
    "P495",  # country of origin
    "P131",  # located in the administrative territorial entity
    "P36",  # capital
    "P30",  # continent
    "P749",  # parent organization
    "P18",  # image
)

# Wikidata class → kb's coarse type. Every class here is a type item of the shared sample whose
# English label (given in the comment) shows what it is; all are in verified-qids.txt.
# Entities are typed by their P31 classes, climbing P279 chains when the dump has them.
CLASS_TYPES: dict[str, str] = {
    # people
    "Q5": "PERSON",  # human
    # organisations
    "Q43229": "ORG",  # organization
    "Q245065": "ORG",  # intergovernmental organization
    "Q484652": "ORG",  # international organization
    "Q1127126": "ORG",  # military alliance
    "Q15925165": "ORG",  # specialized agency of the United Nations
    "Q1345691": "ORG",  # international financial institution
    "Q7278": "ORG",  # political party
    "Q327333": "ORG",  # government agency
    "Q47913": "ORG",  # intelligence agency
    "Q17505024": "ORG",  # space agency
    "Q640506": "ORG",  # cabinet
    "Q11204": "ORG",  # legislature
    "Q35749": "ORG",  # parliament
    "Q781132": "ORG",  # military branch
    "Q207320": "ORG",  # paramilitary
    "Q783794": "ORG",  # company
    "Q4830453": "ORG",  # business enterprise
    "Q6881511": "ORG",  # enterprise
    "Q891723": "ORG",  # public company
    "Q161726": "ORG",  # multinational corporation
    "Q1058914": "ORG",  # software company
    "Q46970": "ORG",  # airline
    "Q192283": "ORG",  # news agency
    "Q11032": "ORG",  # newspaper (a news outlet is named as an organisation in news text)
    "Q1110794": "ORG",  # daily newspaper
    "Q41298": "ORG",  # magazine
    "Q15265344": "ORG",  # broadcaster
    "Q1616075": "ORG",  # television station
    "Q14350": "ORG",  # radio station
    "Q2085381": "ORG",  # publisher
    "Q18127": "ORG",  # record label
    "Q3918": "ORG",  # university
    "Q38723": "ORG",  # higher education institution
    "Q189004": "ORG",  # college
    "Q215380": "ORG",  # musical group
    "Q847017": "ORG",  # sports club
    "Q476028": "ORG",  # association football club
    "Q6979593": "ORG",  # national association football team
    # geopolitical entities: countries, states, settlements, administrative units
    "Q6256": "GPE",  # country
    "Q3624078": "GPE",  # sovereign state
    "Q7275": "GPE",  # state
    "Q43702": "GPE",  # federal state
    "Q3024240": "GPE",  # historical country
    "Q15634554": "GPE",  # state with limited recognition
    "Q112099": "GPE",  # island nation
    "Q123480": "GPE",  # landlocked country
    "Q417175": "GPE",  # kingdom
    "Q48349": "GPE",  # empire
    "Q236036": "GPE",  # republic of the Soviet Union
    "Q56061": "GPE",  # administrative territorial entity
    "Q10864048": "GPE",  # first-level administrative country subdivision
    "Q35657": "GPE",  # state of the United States
    "Q1221156": "GPE",  # state of Germany
    "Q13390680": "GPE",  # state of India
    "Q1615742": "GPE",  # province of China
    "Q50337": "GPE",  # prefecture of Japan
    "Q150093": "GPE",  # voivodeship of Poland
    "Q6465": "GPE",  # department of France
    "Q484170": "GPE",  # commune of France
    "Q747074": "GPE",  # comune of Italy
    "Q486972": "GPE",  # human settlement
    "Q515": "GPE",  # city
    "Q1549591": "GPE",  # big city
    "Q1637706": "GPE",  # city with millions of inhabitants
    "Q200250": "GPE",  # metropolis
    "Q1093829": "GPE",  # city of the United States
    "Q5119": "GPE",  # capital
    "Q62049": "GPE",  # county seat
    "Q3957": "GPE",  # town
    "Q532": "GPE",  # village
    "Q2264924": "GPE",  # port settlement
    # other places
    "Q82794": "LOC",  # geographic region
    "Q5107": "LOC",  # continent
    "Q23442": "LOC",  # island
    "Q8502": "LOC",  # mountain
    "Q23397": "LOC",  # lake
    "Q165": "LOC",  # sea
    "Q9430": "LOC",  # ocean
    "Q123705": "LOC",  # neighborhood
    "Q41176": "LOC",  # building
    "Q1248784": "LOC",  # airport
    "Q39614": "LOC",  # cemetery
    # weapons (the sample has few weapon classes; see DESCRIPTION_HINTS for the rest)
    "Q12796": "WEAPON",  # gun
    # products
    "Q2424752": "PRODUCT",  # product
    "Q431289": "PRODUCT",  # brand
    "Q1420": "PRODUCT",  # automobile
    "Q870": "PRODUCT",  # train
    "Q7397": "PRODUCT",  # software
    # works
    "Q17537576": "WORK",  # creative work
    "Q838948": "WORK",  # work of art
    "Q7725634": "WORK",  # literary work
    "Q571": "WORK",  # book
    "Q8261": "WORK",  # novel
    "Q25379": "WORK",  # play
    "Q11424": "WORK",  # film
    "Q24856": "WORK",  # film series
    "Q506240": "WORK",  # television film
    "Q5398426": "WORK",  # television series
    "Q15416": "WORK",  # television program
    "Q1259759": "WORK",  # miniseries
    "Q2188189": "WORK",  # musical work
    "Q7366": "WORK",  # song
    "Q3305213": "WORK",  # painting
    "Q7889": "WORK",  # video game
    # events
    "Q1656682": "EVENT",  # event
    "Q645883": "EVENT",  # military operation
}

#: When classes disagree (a city that is also a film location…), the first type here wins.
TYPE_PRIORITY = ("PERSON", "WEAPON", "GPE", "ORG", "LOC", "EVENT", "WORK", "PRODUCT")

# Fallback for entities whose classes are not mapped (weapon systems fetched online, whose classes
# no shared data lets us verify; items of a dump without P31): the head noun of the English
# description ("American basketball *player*", "missile *maker*", "cruise *missile*"). Whole words,
# plural s allowed.
DESCRIPTION_HINTS: dict[str, str] = {
    "PERSON": r"player|footballer|cricketer|athlete|boxer|wrestler|coach|manager|politician"
    r"|statesman|stateswoman|diplomat|official|spokesperson|spokesman|spokeswoman|lawyer|judge"
    r"|actor|actress|singer|rapper|musician|guitarist|drummer|pianist|composer|songwriter"
    r"|writer|author|novelist|poet|journalist|presenter|comedian|director|producer|painter"
    r"|businessman|businesswoman|entrepreneur|economist|scientist|physicist|chemist|engineer"
    r"|philosopher|historian|activist|soldier|general|officer|admiral|pilot|astronaut"
    r"|monarch|king|queen|prince|princess|emperor|priest|bishop|cardinal|pope|model|chef",
    "ORG": r"team|club|university|college|school|company|corporation|conglomerate|manufacturer"
    r"|maker|airline|bank|newspaper|magazine|news agency|broadcaster|network|channel|radio station"
    r"|party|legislature|parliament|congress|senate|agency|ministry|department|organi[sz]ation"
    r"|association|federation|league|conference|council|committee|band|group|army|navy|air force"
    r"|police|court|foundation|institute|hospital|museum|charity|alliance|government",
    "WEAPON": r"missile|rocket launcher|multiple rocket launcher|howitzer|artillery|rifle|firearm"
    r"|weapon|warhead|fighter aircraft|bomber|attack helicopter|main battle tank|tank|drone"
    r"|munition|torpedo|air defen[cs]e system|bomb|missiles and rockets",
    "GPE": r"country|state|city|town|village|capital|county|province|municipality|borough"
    r"|prefecture|commune|oblast|krai|district|metropolitan area|territory|republic|kingdom",
    "LOC": r"airport|river|mountain|lake|island|sea|ocean|desert|peninsula|bay|park|stadium"
    r"|arena|building|region|continent",
    "WORK": r"film|television series|television program|television programme|series|sitcom"
    r"|talk show|song|album|novel|book|video game|play|musical|opera",
    "EVENT": r"war|battle|election|festival|tournament|championship|olympics",
}
_HINTS = tuple(
    (re.compile(rf"\b(?:{pattern})s?\b", re.IGNORECASE), kind) for kind, pattern in DESCRIPTION_HINTS.items()
)
_HEAD_END = re.compile(
    r"\s(?:in|of|on|at|for|from|serving|based|located|that|which|who|founded|by|with|and|between)\s"
    r"|[,;(]"
)


def description_head(description: str) -> str:
    """The noun phrase a description starts with: "city in Texas, USA" → "city"."""
    return _HEAD_END.split(description, maxsplit=1)[0]


def type_from_classes(
    classes: Iterable[str],
    superclasses: Mapping[str, Iterable[str]] | None = None,
    max_depth: int = 8,
) -> str | None:
    """The coarse type of an entity with these P31 classes, or None when no class is mapped.

    Climbs P279 (``superclasses``: class → its direct superclasses) breadth-first, so the nearest
    mapped classes decide; ties between types go by :data:`TYPE_PRIORITY`.
    """
    superclasses = superclasses or {}
    level, seen = list(dict.fromkeys(classes)), set()
    for _ in range(max_depth + 1):
        found = {CLASS_TYPES[c] for c in level if c in CLASS_TYPES}
        if found:
            return min(found, key=TYPE_PRIORITY.index)
        seen.update(level)
        level = [s for c in level for s in superclasses.get(c, ()) if s not in seen]
        if not level:
            return None
    return None


def type_from_description(description: str) -> str | None:
    """A coarse type guessed from the head noun of an English description, or None.

    The hint that ends last in the leading noun phrase wins, since English puts the head noun
    last: "missile maker" is an ORG, "cruise missile" a WEAPON, "film director" a PERSON.
    """
    head = description_head(description)
    best: tuple[int, str] | None = None
    for pattern, kind in _HINTS:
        for match in pattern.finditer(head):
            if best is None or match.end() > best[0]:
                best = (match.end(), kind)
    return best[1] if best else None


def coarse_type(
    classes: Iterable[str],
    description: str = "",
    superclasses: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """kb's type for an entity: from its classes, else from its description, else OTHER."""
    return type_from_classes(classes, superclasses) or type_from_description(description) or "OTHER"


def _text(values: Mapping, languages: Iterable[str]) -> str:
    """The first of ``values`` (a Wikidata language map) in the preferred languages, or ''."""
    for language in languages:
        entry = values.get(language)
        if entry and entry.get("value"):
            return entry["value"]
    return ""


def snak_value(snak: Mapping) -> str | None:
    """The value of a main snak as a string: a QID for items, the text for strings; else None."""
    if snak.get("snaktype") != "value":
        return None
    datavalue = snak.get("datavalue") or {}
    value = datavalue.get("value")
    if datavalue.get("type") == "wikibase-entityid" and isinstance(value, dict):
        return value.get("id") or (f"Q{value['numeric-id']}" if "numeric-id" in value else None)
    if datavalue.get("type") == "string" and isinstance(value, str):
        return value
    return None


def claim_values(data: Mapping, prop: str) -> list[str]:
    """The values of one property of an entity, skipping deprecated and valueless statements."""
    values = []
    for statement in (data.get("claims") or {}).get(prop, ()):
        if statement.get("rank") == "deprecated":
            continue
        value = snak_value(statement.get("mainsnak") or {})
        if value is not None and value not in values:
            values.append(value)
    return values


def entity_claims(
    data: Mapping, labels: Mapping[str, str] | None = None, properties: Iterable[str] = CLAIM_PROPERTIES
) -> tuple[Claim, ...]:
    """The kept claims of an entity; ``labels`` (QID → label) fills value labels when known."""
    labels = labels or {}
    return tuple(
        Claim(prop, value, labels.get(value))
        for prop in properties
        for value in claim_values(data, prop)
    )


def entity_names(data: Mapping, languages: Iterable[str]) -> list[str]:
    """An entity's labels, then its aliases, in the order of ``languages`` (may repeat)."""
    label_map = data.get("labels") or {}
    alias_map = data.get("aliases") or {}
    names = [label_map[lang]["value"] for lang in languages if label_map.get(lang, {}).get("value")]
    names += [a["value"] for lang in languages for a in alias_map.get(lang, ()) if a.get("value")]
    return names


def entity_from_json(
    data: Mapping,
    languages: Iterable[str] = ("en",),
    origin: str = "wikidata",
    superclasses: Mapping[str, Iterable[str]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Entity:
    """Build an Entity from one Wikidata JSON item (dump line or ``wbgetentities`` entry).

    Label and description come from the first of ``languages`` that has one; aliases are the
    labels and aliases in all of ``languages``; popularity is the number of sitelinks.
    Raises ValueError when the JSON is not an item with a QID.
    """
    languages = tuple(languages)
    qid = data.get("id") if isinstance(data, Mapping) else None
    if not is_qid(qid):
        raise ValueError(f"not a Wikidata item: id {qid!r}")
    if "missing" in data:
        raise ValueError(f"{qid}: missing on Wikidata")
    names = entity_names(data, languages)
    label = names[0] if names else qid
    description = _text(data.get("descriptions") or {}, languages)
    english = _text(data.get("descriptions") or {}, ("en",))
    return Entity(
        id=qid,
        qid=qid,
        label=label,
        type=coarse_type(claim_values(data, "P31"), english, superclasses),
        description=description,
        aliases=tuple(dict.fromkeys(n for n in names[1:] if n != label)),
        popularity=float(len(data.get("sitelinks") or {})),
        origin=origin,
        claims=entity_claims(data, labels),
    )
