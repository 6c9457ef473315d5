"""Name normalisation: the one place that decides when two spellings are the same name.

Used to build alias keys in the knowledge base and to look mentions up, so both sides agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʻ": "'", "ʹ": "'"})
_QUOTES = "\"'“”„«»‹›‘’`"
_POSSESSIVE = re.compile(r"(?:'s|'|’s|’)$")
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")
_ES_PLURALS = ("ches", "shes", "sses", "xes", "zes")
_COMPANY_SUFFIXES = frozenset({"co", "corp", "inc", "ltd", "llc", "plc", "ag", "gmbh", "sa", "nv"})

# Transliteration variants of Slavic names in English text: Zelenskyy/Zelenskiy/Zelensky,
# Kyiv/Kiev is a separate alias. Applied per word to build the loose key.
_WORD_ENDINGS = (("iy", "y"), ("yy", "y"), ("ij", "y"), ("yi", "y"), ("yj", "y"))
_WORD_INNER = (("kh", "h"), ("zh", "z"), ("ts", "c"), ("yu", "u"), ("ya", "a"), ("ye", "e"))


def fold(text: str) -> str:
    """Casefold and transliterate Latin letters to ASCII (Erdoğan → erdogan, Łódź → lodz,
    Søren → soren, Færøer → faeroer); other characters lose their diacritics only: letters of
    other scripts stay (Кремль → кремль), as their ASCII transliterations would be guesses."""
    text = text.casefold()
    if text.isascii():
        return text
    return "".join(_fold_character(ch) for ch in text)


@lru_cache(maxsize=8192)
def _fold_character(ch: str) -> str:
    if unicodedata.name(ch, "").startswith("LATIN"):
        return anyascii(ch).casefold()  # ø, æ, ł, đ, ß have no decomposition to strip
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def normalise(name: str) -> str:
    """Return the lookup key of a name: case, diacritics, dots and punctuation folded.

    "U.S." → "us", "F-16" → "f 16", "Erdoğan" → "erdogan", "Łódź" → "lodz", "Кремль" → "кремль".
    """
    text = fold(name.translate(_APOSTROPHES)).replace(".", "").replace("'", "")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text).replace("_", " ")).strip()


def loose_key(name: str) -> str:
    """A looser key that also folds common transliteration variants (Zelenskiy → zelensky)."""
    words = []
    for word in normalise(name).split():
        for old, new in _WORD_INNER:
            word = word.replace(old, new)
        for old, new in _WORD_ENDINGS:
            if word.endswith(old) and len(word) > len(old) + 2:
                word = word[: -len(old)] + new
                break
        words.append(word)
    return " ".join(words)


def strip_possessive(text: str) -> str:
    """Drop a trailing possessive: "Kyiv’s" → "Kyiv", "allies'" → "allies"."""
    return _POSSESSIVE.sub("", text.translate(_APOSTROPHES)) if text else text


#: States whose full name is as ambiguous as their abbreviation (a country, a capital city).
_AMBIGUOUS_STATES = frozenset({"Georgia", "Washington"})


@lru_cache(maxsize=1)
def state_abbreviations() -> dict[str, str]:
    """AP-style abbreviations news wires use for US states in datelines ("Calif." → "California"),
    from the ``us`` package: only the dotted forms, which are neither ordinary words nor postal
    codes, and not the states in :data:`_AMBIGUOUS_STATES`."""
    import us

    return {
        state.ap_abbr: state.name
        for state in us.states.STATES
        if "." in state.ap_abbr and state.name not in _AMBIGUOUS_STATES
    }


def expand_abbreviation(name: str) -> str | None:
    """The full name behind a dotted state abbreviation ("Calif.", "W. Va"), or None."""
    if "." not in name:
        return None
    key = name.strip().replace(" ", "")
    table = state_abbreviations()
    return table.get(key) or (None if key.endswith(".") else table.get(key + "."))


def variants(name: str) -> list[str]:
    """Normalised forms worth looking up for a surface name, most literal first.

    Covers possessives, plurals ("Storm Shadows" → "storm shadow", "F-16s" → "f 16"), a
    leading article ("the Kremlin" → "kremlin"), company suffixes ("Target Corp." → "target")
    and dotted state abbreviations ("Calif.", which comes first, before its literal "calif").
    """
    expanded = expand_abbreviation(name)
    key = normalise(name)
    forms = [normalise(expanded), key] if expanded else [key]
    if key.startswith("the "):
        forms.append(key[4:])
    for form in list(forms):
        head, _, last = form.rpartition(" ")
        if head and last in _COMPANY_SUFFIXES:  # "General Electric Co." → "general electric"
            forms.append(head)
    for form in list(forms):
        if form.endswith("s") and len(form) > 3:
            forms.append(form[:-1])
            if form.endswith(_ES_PLURALS):  # "Ganges" is not the plural of "gang"
                forms.append(form[:-2])
    seen: dict[str, None] = {}
    for form in forms:
        if form:
            seen.setdefault(form, None)
    return list(seen)


def with_company_suffixes(key: str) -> list[str]:
    """A normalised name with each company suffix added ("acme" → "acme co", "acme inc" …):
    the forms under which a company the text names without its suffix may be known."""
    head, _, last = key.rpartition(" ")
    if not key or last in _COMPANY_SUFFIXES:
        return []
    return [f"{key} {suffix}" for suffix in sorted(_COMPANY_SUFFIXES)]


def strip_quotes(text: str) -> tuple[int, int]:
    """Return (left, right) counts of quote characters wrapping ``text``."""
    left = len(text) - len(text.lstrip(_QUOTES))
    right = len(text) - len(text.rstrip(_QUOTES))
    return left, right


def acronym(name: str) -> str:
    """Initials of a multi-word name: "Agence France-Presse" → "afp"; "" for one word."""
    words = [w for w in re.split(r"[\s\-]+", name) if w and w[0].isalpha()]
    significant = [w for w in words if w.casefold() not in {"of", "the", "and", "for", "de", "la"}]
    if len(significant) < 2:
        return ""
    return "".join(w[0] for w in significant).casefold()
