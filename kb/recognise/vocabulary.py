"""Closed classes of English words recognition needs: titles, generic nouns, state forms,
institution heads, kinds of things that are out of scope, weapon nouns.

Written from general knowledge of English (not from any evaluation text). Open-class decisions
(is this capitalised word an ordinary word?) are made from the document itself, see
:class:`kb.recognise.repair.Context`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

#: Titles and forms of address ("President", "Ambassador Extraordinary and Plenipotentiary"):
#: not part of a person's name, and no name when alone.
TITLES = frozenset(
    "president prime minister chancellor secretary-general secretary general gen. mr mr. mrs "
    "mrs. ms ms. dr dr. sir lord king queen pope senator sen. rep. gov. governor mayor ambassador "
    "admiral colonel col. lt. sgt. captain capt. commander spokesman spokeswoman spokesperson "
    "foreign defence defense deputy vice premier lieutenant major marshal field head chief "
    "adviser advisor chair chairman chairwoman chairperson majesty highness excellency "
    "extraordinary plenipotentiary envoy sultan emir speaker director first acting "
    "commissioner representative special ombudsman miss ceo chairman".split()
)

#: Nouns of government and administration that are no name on their own ("the State",
#: "the Army", "Finance" cut from "Minister of Finance").
GENERIC_WORDS = frozenset(
    "republic state states kingdom federation government ministry finance economy "
    "economic justice interior health education energy agriculture infrastructure culture "
    "affairs office administration headquarters forces service agency department committee "
    "region oblast district province city village town country nation union confederation "
    "people citizens chamber assembly".split()
)

#: Fields of a ministry's or an office's work, as titles write them ("Minister of Civil Defence,
#: Emergencies and Disaster Relief"): never a word of a person's name.
FIELD_WORDS = frozenset(
    "development relief policy protection affairs security trade industry resources environment defence "
    "defense emergencies emergency construction housing transport communications media science sport sports "
    "tourism labour labor welfare territories communities reintegration veterans disaster civil natural "
    "digital transformation innovation research technology technologies ecology food fisheries forestry "
    "youth family families regional social strategic reforms reform integration staff utilities services "
    "climate action".split()
)

#: Words that make "<…> of <place>" a country's long name ("Republic of X", "Kingdom of X").
STATE_FORMS = frozenset(
    "republic kingdom federation principality sultanate emirate emirates commonwealth "
    "confederation union state states duchy grand-duchy".split()
)

#: Countries' long forms that are the country even without "of …" ("… Democratic Republic").
COUNTRY_FORMS = frozenset("republic kingdom principality sultanate".split())

#: Heads of public bodies whose official name goes on with "of <country>" ("State Service of
#: X", "National Council for the Reconstruction of X"); a company "of <city>" is its seat.
PUBLIC_BODIES = frozenset(
    "service council ministry committee commission agency office administration department "
    "directorate inspectorate court assembly parliament guard forces command staff police bank "
    "fund chamber academy institute authority authorities board cabinet government secretariat "
    "centre center union federation association confederation senate duma army navy bureau mission".split()
)
#: First words of public bodies' names ("State …", "National …", "Federal …").
PUBLIC_ADJECTIVES = frozenset(
    "state national federal royal supreme central main general presidential armed constitutional "
    "public civil joint high chief regional municipal".split()
)
#: Words that end a company's name: its "of <place>" is where it sits.
COMPANY_WORDS = frozenset("inc inc. corp corp. co co. ltd ltd. plc ag gmbh sa spa s.p.a. nv bv llc lp group".split())

#: Capitalised heads that make "<place> <head>" an organisation run there: a parliament, an
#: airport, a power plant, a broadcaster named after its country.
INSTITUTIONS = re.compile(
    r" (?:(?:Nuclear|Thermal|Hydroelectric|Hydro|Solar|Wind) )?(?:Power Plant|Power Station|NPP|TPP|HPP)\b"
    r"| (?:International )?Airport\b| Cosmodrome\b| Spaceport\b| Parliament\b| TV\b| Television\b"
    r"| Radio\b| Broadcasting(?: Company| Corporation)?\b| (?:State |National |Technical |Medical )?University\b"
    r"| (?:City|Regional|Oblast|District) (?:Council|Administration|State Administration)\b"
    r"| Railways?\b| Port\b| Seaport\b"
)

#: Last words that make a span something other than a person, organisation or place, and the
#: label it gets instead (never linked as PERSON/ORG/GPE).
OUT_OF_SCOPE = {
    **dict.fromkeys(
        "summit forum conference congress? festival games olympics olympiad championship championships "
        "cup marathon telethon expo exhibition week day war campaign ceremony parade award awards prize "
        "contest tournament".split(), "EVENT",
    ),
    **dict.fromkeys("program programme plan strategy initiative doctrine agenda project scheme".split(), "PROGRAMME"),
    **dict.fromkeys("disease syndrome virus fever flu infection".split(), "DISEASE"),
    **dict.fromkeys("vaccine vaccines app application platform portal".split(), "PRODUCT"),
    **dict.fromkeys(
        "agreement agreements accord accords treaty treaties memorandum declaration protocol pact act charter "
        "convention conventions resolution resolutions".split(), "LAW",
    ),
}
OUT_OF_SCOPE.pop("congress?", None)

#: Agreements and declarations named after the place where they were made: written in lower
#: case after the place, they still make one name with it ("the Alphaville accords"). Not a
#: resolution: "an Alphania resolution" is one about the country.
AGREEMENT_WORDS = frozenset(word for word, kind in OUT_OF_SCOPE.items() if kind == "LAW") - {"resolution", "resolutions"}

#: Words of a region's name before a place's ("Latin …", "North …", "Greater …"): such a name
#: is a region, not the place.
REGION_WORDS = frozenset(
    "north south east west northern southern eastern western central latin greater upper lower "
    "northeast northwest southeast southwest north-east north-west south-east south-west far middle".split()
)

#: Currencies written after their country's name ("… dollars", "… rubles"): the name of a
#: currency, not a mention of the country. (Not "won" or "pounds": verbs after a country.)
CURRENCY_WORDS = frozenset(
    "dollar dollars euro euros ruble rubles rouble roubles hryvnia hryvnias hryvnas yuan yen "
    "franc francs lira rupee rupees zloty zlotys".split()
)

#: Heads of names of organisations, facilities and natural features that may be named after a
#: place ("… Institute", "… Bridge", "… River"), with the label such a name gets.
NAME_HEADS = {
    **dict.fromkeys(
        "institute university school academy college conservatory lyceum gymnasium seminary plant factory "
        "works exchange studio "
        "center centre hospital clinic library museum theatre theater philharmonic foundation company "
        "corporation society club team party movement network channel patriarchate orchestra choir "
        "group".split(), "ORG",
    ),
    **dict.fromkeys(
        "bridge highway road street avenue boulevard square way wall cathedral church monastery lavra "
        "mosque synagogue arena stadium palace hall tower station metro".split(), "FAC",
    ),
    **dict.fromkeys("river lake sea bay gulf island islands peninsula strait mountains valley canal".split(), "LOC"),
}

#: Heads of names "<head> of <place>" that are no place but something named after one: a
#: battle, an honour, a festival, a law, an anthem ("Battle of …", "Hero of …", "Days of …",
#: "Constitution of …", "National Anthem of …"), with the label such a name gets. ("Defence" is
#: left out: "Territorial Defence of …" is a body.) ("Order"
#: is left out: an executive order is no honour.)
OF_PLACE_HEADS = {
    **dict.fromkeys("battle battles siege day days week".split(), "EVENT"),
    **dict.fromkeys("constitution code".split(), "LAW"),  # "Constitution of …": a law's title
    "anthem": "WORK_OF_ART",  # "National Anthem of …"
    **dict.fromkeys("hero heroes medal artist".split(), "AWARD"),  # "Hero of …", "People's Artist of …"
}

#: Nouns of administrative units after a place's name: the place's own unit ("… Territory").
ADMINISTRATIVE_UNITS = frozenset("territory krai kray area raion rayon county municipality community".split())

#: Days and months: a capitalised word after a place that starts no name with it ("… Monday").
DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december".split()
)

#: Function words, capitalised in headings and at sentence starts, that are never part of a name.
FUNCTION_WORDS = frozenset(
    "a an the of for and or but nor in on at to by with from as if so than then this that these those "
    "it its he she we they i you his her our their my your after before since while when where which "
    "who what how why there here also yet not no all any some each every both either neither".split()
)

#: Nouns that say the name before them is a weapon ("… missiles", "… helicopter").
WEAPON_NOUNS = (
    "missiles?", "rockets?", "drones?", "UAVs?", "helicopters?", "launchers?", "howitzers?", "tanks?",
    "fighter jets?", "fighters?", "bombers?", "warplanes?", "interceptors?", "rifles?", "MLRS",
    "(?:air|missile) defen[cs]e systems?", "artillery systems?", "rocket systems?", "torpedo(?:es)?",
    "warheads?", "jets", "aircraft",
)

#: Words that may stand between a weapon's name and its noun ("… hypersonic cruise missile").
WEAPON_MODIFIERS = (
    "hypersonic", "supersonic", "subsonic", "cruise", "ballistic", "guided", "anti-ship", "anti-tank",
    "anti-aircraft", "surface-to-air", "air-to-air", "air-to-surface", "long-range", "medium-range",
    "short-range", "attack", "combat", "kamikaze", "loitering", "strike", "reconnaissance", "transport",
    "multirole", "multi-role", "main", "battle", "heavy", "light", "self-propelled", "tactical",
    "strategic", "unmanned", "naval",
)


def is_generic_word(word: str) -> bool:
    """A lower-cased word that is never a name when it stands alone."""
    return word in GENERIC_WORDS or word in TITLES


@lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    """Nationality words as ``kb/data/demonyms.yaml`` writes them ("Italian") → the country's
    English name: read once."""
    text = (resources.files("kb") / "data" / "demonyms.yaml").read_text(encoding="utf-8")
    return {str(word): str(country) for word, country in yaml.safe_load(text).items()}


@lru_cache(maxsize=1)
def _nationality_words() -> frozenset[str]:
    return frozenset(word.lower() for word in demonyms())


def is_nationality_word(word: str) -> bool:
    """A nationality adjective ("Italian", "Kenyan"): how span repair tells the commonest
    adjective a name-like word can be when the pipeline has no tagger."""
    return word.lower() in _nationality_words()
