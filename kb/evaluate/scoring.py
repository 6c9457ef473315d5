"""Scoring predicted mentions and links against gold documents; pure, no spaCy, no database.

- Only mentions inside a document's ``evaluation_span`` count, gold and predicted alike.
- Mentions are strict: same span and same type. The headline figure is micro-averaged over
  PERSON, ORG, WEAPON and GPE; other gold types of the file get their own rows. When the gold
  file has PRODUCT but no WEAPON, predicted WEAPON is scored as PRODUCT.
- Linking ignores types and needs only overlap: a gold mention with a QID is *found* when an
  overlapping predicted mention carries the same QID. A predicted QID overlapping no gold
  mention, or only gold mentions with other QIDs, is a *false link*; the latter are also
  *wrong QIDs*. A link on a gold mention whose QID is null is *neutral*. Precision is over
  predicted links, recall over gold QIDs.
- In-KB accuracy: found / gold mentions whose QID is in the knowledge base used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .gold import HEADLINE_TYPES, GoldDocument, GoldMention
from .results import ErrorItem, EvalReport, GivenScore, PredictedMention, Score

QidCheck = Callable[[str], bool]


# --- predictions -------------------------------------------------------------------------------


def parse_predicted(data: Any, text: str, where: str) -> PredictedMention:
    """Validate one mention dict from an annotator and turn it into a PredictedMention.

    Needs ``start``, ``end`` (in range) and ``label``; ``qid``, ``name``, ``score`` are optional.
    """
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mention dict, got {type(data).__name__}")
    start, end, label = data.get("start"), data.get("end"), data.get("label")
    if not (_is_int(start) and _is_int(end) and 0 <= start < end <= len(text)):
        raise ValueError(f"{where}: bad offsets start={start!r} end={end!r} (text length {len(text)})")
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}: 'label' must be a non-empty string, got {label!r}")
    return PredictedMention(
        start=start,
        end=end,
        text=str(data.get("text") or text[start:end]),
        label=label,
        qid=data.get("qid") or None,
        name=data.get("name"),
        score=data.get("score"),
    )


def gold_spans(document: GoldDocument) -> list[tuple[int, int, str]]:
    """The (start, end, type) of the scored gold mentions, for asking a linker to link exactly those.

    Includes mentions whose gold QID is null, so the linker sees the same context it would see
    end to end; only mentions inside the evaluation span are returned.
    """
    return [(m.start, m.end, m.type) for m in _scored_gold(document)]


def type_mapping(gold: Iterable[GoldDocument]) -> dict[str, str]:
    """How predicted labels are renamed before mention scoring: WEAPON → PRODUCT for general news.

    Applies when the gold file has PRODUCT mentions and no WEAPON mention, i.e. it files weapons
    under PRODUCT; otherwise nothing is renamed.
    """
    types = {m.type for document in gold for m in document.mentions}
    return {"WEAPON": "PRODUCT"} if "WEAPON" not in types and "PRODUCT" in types else {}


def scored_types(gold: Iterable[GoldDocument]) -> tuple[str, ...]:
    """The types that get a mention row: the headline four, then any other type the gold uses."""
    extra = {m.type for document in gold for m in document.mentions} - set(HEADLINE_TYPES)
    return (*HEADLINE_TYPES, *sorted(extra))


# --- end to end --------------------------------------------------------------------------------


def score(
    gold: list[GoldDocument],
    predicted: Mapping[str, Iterable[dict]],
    kb_qids: QidCheck | None = None,
    *,
    given: Mapping[str, Iterable[dict]] | None = None,
) -> EvalReport:
    """Score predicted mentions (``{doc_id: [mention dict, …]}``) against gold documents.

    ``kb_qids(qid)`` says whether a QID is in the knowledge base used (for in-KB accuracy;
    omitted → not reported). ``given`` holds predictions for the gold spans themselves
    (see :func:`score_given`). A gold document without predictions scores as if nothing was
    found; predictions for an unknown document id are an error (the run and the gold disagree).
    """
    unknown = sorted(set(predicted) - {document.id for document in gold})
    if unknown:
        raise ValueError(f"predictions for documents not in the gold set: {', '.join(unknown[:5])}")
    types, mapping = scored_types(gold), type_mapping(gold)
    totals: Counter = Counter()
    errors: list[ErrorItem] = []
    for document in gold:
        mentions = _scored_predicted(document, predicted.get(document.id, ()))
        counts, document_errors = score_document(document, mentions, types, mapping, kb_qids)
        totals.update(counts)
        errors.extend(document_errors)
    per_type = {t: Score(totals["tp", t], totals["pred", t], totals["tp", t], totals["gold", t]) for t in types}
    measured = kb_qids is not None
    return EvalReport(
        documents=len(gold),
        types=types,
        mentions=per_type,
        mentions_overall=sum((per_type[t] for t in HEADLINE_TYPES), Score()),
        linking=Score(
            totals["link_correct"],
            totals["link_correct"] + totals["link_false"],
            totals["link_found"],
            totals["link_gold"],
        ),
        wrong_qids=totals["wrong_qid"],
        neutral_links=totals["link_neutral"],
        in_kb_gold=totals["kb_gold"] if measured else None,
        in_kb_found=totals["kb_found"] if measured else None,
        given=score_given(gold, given, kb_qids) if given is not None else None,
        notes=_notes(mapping, measured),
        errors=tuple(errors),
    )


def _notes(mapping: Mapping[str, str], measured: bool) -> tuple[str, ...]:
    notes = []
    if mapping:
        notes.append("predicted WEAPON scored as PRODUCT: the gold file has PRODUCT and no WEAPON type")
    if not measured:
        notes.append("no knowledge base given: in-KB accuracy not measured")
    return tuple(notes)


def score_document(
    document: GoldDocument,
    predicted: list[PredictedMention],
    types: tuple[str, ...],
    mapping: Mapping[str, str],
    kb_qids: QidCheck | None,
) -> tuple[Counter, list[ErrorItem]]:
    """Counts and errors of one document; ``predicted`` is already limited to the evaluation span."""
    gold = _scored_gold(document)
    mention_counts, mention_errors = _score_mentions(document.id, gold, predicted, types, mapping)
    link_counts, link_errors = _score_links(document.id, gold, predicted, kb_qids)
    errors = sorted(mention_errors + link_errors, key=lambda e: (e.start, e.end, e.kind))
    return mention_counts + link_counts, errors


# --- mentions ----------------------------------------------------------------------------------


def _score_mentions(
    doc_id: str,
    gold: list[GoldMention],
    predicted: list[PredictedMention],
    types: tuple[str, ...],
    mapping: Mapping[str, str],
) -> tuple[Counter, list[ErrorItem]]:
    """Strict span-and-type counts per type, with misses, type errors and spurious mentions."""
    labels = [(p, mapping.get(p.label, p.label)) for p in predicted]
    gold_keys = {(m.start, m.end, m.type) for m in gold}
    pred_keys = {(p.start, p.end, label) for p, label in labels if label in types}
    counts: Counter = Counter()
    for keys, name in ((gold_keys, "gold"), (pred_keys, "pred"), (gold_keys & pred_keys, "tp")):
        counts.update((name, t) for _, _, t in keys)
    errors = _missed_mentions(doc_id, gold, labels, pred_keys) + _spurious_mentions(doc_id, gold, labels, pred_keys)
    return counts, errors


def _missed_mentions(
    doc_id: str, gold: list[GoldMention], labels: list[tuple[PredictedMention, str]], pred_keys: set
) -> list[ErrorItem]:
    """Gold mentions not predicted with their type; any label on the exact span makes a type error."""
    label_at = {(p.start, p.end): label for p, label in labels}
    errors = []
    for m in gold:
        if (m.start, m.end, m.type) in pred_keys:
            continue
        label = label_at.get((m.start, m.end))
        errors.append(
            ErrorItem("type error" if label else "missed mention", doc_id, m.start, m.end, m.text,
                      gold_type=m.type, predicted_type=label, gold_qid=m.qid, gold_name=m.name)
        )
    return errors


def _spurious_mentions(
    doc_id: str, gold: list[GoldMention], labels: list[tuple[PredictedMention, str]], pred_keys: set
) -> list[ErrorItem]:
    """Scored predictions on spans without a gold mention, each listed once."""
    gold_spans_ = {(m.start, m.end) for m in gold}
    reported: set[tuple[int, int, str]] = set()
    errors = []
    for p, label in labels:
        key = (p.start, p.end, label)
        if key in pred_keys and key not in reported and (p.start, p.end) not in gold_spans_:
            reported.add(key)
            errors.append(
                ErrorItem("spurious mention", doc_id, p.start, p.end, p.text, predicted_type=label,
                          predicted_qid=p.qid, predicted_name=p.name)
            )
    return errors


# --- links -------------------------------------------------------------------------------------


def _score_links(
    doc_id: str,
    gold: list[GoldMention],
    predicted: list[PredictedMention],
    kb_qids: QidCheck | None,
) -> tuple[Counter, list[ErrorItem]]:
    """Link counts of one document: each prediction judged, then each gold QID found or not."""
    counts: Counter = Counter()
    errors: list[ErrorItem] = []
    wrongly_linked: set[GoldMention] = set()
    links = [p for p in predicted if p.qid]
    for p in links:
        outcome, error, wronged = _judge_link(doc_id, p, gold)
        counts.update(outcome)
        errors.extend([error] if error else [])
        wrongly_linked.update(wronged)
    for m in gold:
        if not m.qid:
            continue
        found = any(p.qid == m.qid and _overlap(m, p) for p in links)
        in_kb = kb_qids is not None and kb_qids(m.qid)
        counts.update({"link_gold": 1, "link_found": found, "kb_gold": in_kb, "kb_found": in_kb and found})
        if not found and m not in wrongly_linked:
            errors.append(_missed_link(doc_id, m, predicted))
    return counts, errors


def _judge_link(
    doc_id: str, p: PredictedMention, gold: list[GoldMention]
) -> tuple[list[str], ErrorItem | None, list[GoldMention]]:
    """(counters to bump, the error if any, gold mentions it linked wrongly) for one predicted QID."""
    under = [m for m in gold if _overlap(m, p)]
    if any(m.qid == p.qid for m in under):
        return ["link_correct"], None, []
    other = [m for m in under if m.qid]
    if other:
        m = other[0]
        error = ErrorItem("wrong link", doc_id, m.start, m.end, m.text, gold_type=m.type, predicted_type=p.label,
                          gold_qid=m.qid, predicted_qid=p.qid, gold_name=m.name, predicted_name=p.name)
        return ["link_false", "wrong_qid"], error, other
    if under:
        return ["link_neutral"], None, []
    error = ErrorItem("false link", doc_id, p.start, p.end, p.text, predicted_type=p.label,
                      predicted_qid=p.qid, predicted_name=p.name)
    return ["link_false"], error, []


def _missed_link(doc_id: str, m: GoldMention, predicted: list[PredictedMention]) -> ErrorItem:
    """A gold QID nobody linked; says what (if anything) was predicted over it."""
    nil = next((p for p in predicted if _overlap(m, p)), None)
    return ErrorItem("missed link", doc_id, m.start, m.end, m.text, gold_type=m.type,
                     predicted_type=nil.label if nil else None, gold_qid=m.qid, gold_name=m.name)


# --- given gold spans --------------------------------------------------------------------------


def score_given(
    gold: list[GoldDocument],
    predicted_by_span: Mapping[str, Iterable[dict]],
    kb_qids: QidCheck | None = None,
) -> GivenScore:
    """Score a linker that was handed the gold spans (:func:`gold_spans`): accuracy per gold QID.

    ``predicted_by_span`` has the annotator's shape, ``{doc_id: [mention dict, …]}``; a
    prediction counts for the gold mention with exactly its span. A gold mention with a QID is
    correct when its span got the same QID; gold mentions with QID null are not scored.
    """
    counts: Counter = Counter()
    errors: list[ErrorItem] = []
    for document in gold:
        mentions = _scored_predicted(document, predicted_by_span.get(document.id, ()))
        document_counts, document_errors = _given_document(document, mentions, kb_qids)
        counts.update(document_counts)
        errors.extend(document_errors)
    measured = kb_qids is not None
    return GivenScore(
        gold=counts["gold"],
        correct=counts["correct"],
        in_kb_gold=counts["kb_gold"] if measured else None,
        in_kb_correct=counts["kb_correct"] if measured else None,
        errors=tuple(errors),
    )


def _given_document(
    document: GoldDocument, mentions: list[PredictedMention], kb_qids: QidCheck | None
) -> tuple[Counter, list[ErrorItem]]:
    at = {(p.start, p.end): p for p in mentions}
    counts: Counter = Counter()
    errors: list[ErrorItem] = []
    for m in _scored_gold(document):
        if not m.qid:
            continue
        p = at.get((m.start, m.end))
        right = p is not None and p.qid == m.qid
        in_kb = kb_qids is not None and kb_qids(m.qid)
        counts.update({"gold": 1, "correct": right, "kb_gold": in_kb, "kb_correct": in_kb and right})
        if not right:
            errors.append(_given_error(document.id, m, p))
    return counts, errors


def _given_error(doc_id: str, m: GoldMention, p: PredictedMention | None) -> ErrorItem:
    if p is None:
        return ErrorItem("given: missed link", doc_id, m.start, m.end, m.text, gold_type=m.type,
                         gold_qid=m.qid, gold_name=m.name)
    kind = "given: wrong link" if p.qid else "given: missed link"
    return ErrorItem(kind, doc_id, m.start, m.end, m.text, gold_type=m.type, predicted_type=p.label,
                     gold_qid=m.qid, predicted_qid=p.qid, gold_name=m.name, predicted_name=p.name)


# --- helpers -----------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _inside(start: int, end: int, span: tuple[int, int] | None) -> bool:
    return span is None or (span[0] <= start and end <= span[1])


def _overlap(a: GoldMention | PredictedMention, b: GoldMention | PredictedMention) -> bool:
    return a.start < b.end and b.start < a.end


def _scored_gold(document: GoldDocument) -> list[GoldMention]:
    return [m for m in document.mentions if _inside(m.start, m.end, document.evaluation_span)]


def _scored_predicted(document: GoldDocument, mentions: Iterable[dict]) -> list[PredictedMention]:
    parsed = [
        parse_predicted(m, document.text, f"predictions for {document.id!r}, mention {n + 1}")
        for n, m in enumerate(mentions)
    ]
    return [p for p in parsed if _inside(p.start, p.end, document.evaluation_span)]
