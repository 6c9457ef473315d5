"""Scoring kb against gold sets: mention detection, linking and in-KB accuracy.

The gold format and the scoring conventions are those of ``shared/eval/README.md`` (the held-out
sets are scored the same way):

- Only mentions inside a document's ``evaluation_span`` count, gold and predicted alike.
- Mentions are strict: same span and same type. The headline figure is micro-averaged over
  PERSON, ORG, WEAPON and GPE; other gold types of the file (PRODUCT, OTHER in general-news sets)
  get their own rows. When the gold file has PRODUCT but no WEAPON, predicted WEAPON is scored as
  PRODUCT (general news files file weapons under PRODUCT).
- Linking ignores types and needs only overlap: a gold mention with a QID is *found* when an
  overlapping predicted mention carries the same QID. A predicted QID overlapping no gold
  mention, or overlapping only gold mentions with other QIDs, is a *false link*; the latter are
  also counted as *wrong QIDs*. Gold mentions with QID null count for mention detection only: a
  link on them is neither right nor wrong (counted as *neutral*). Precision is over predicted
  links (correct / (correct + false)), recall over gold QIDs (found / gold).
- In-KB accuracy: found / gold mentions whose QID is in the knowledge base used, end to end, and
  separately when the linker is handed the gold spans (:func:`score_given`).

Scoring is pure (:func:`score`, :func:`score_given`) and needs neither spaCy nor a database;
:func:`evaluate` runs an annotator over the gold texts and scores what it returns.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..kbase import KnowledgeBase
from ..settings import Settings

#: The types of the headline mention figure.
HEADLINE_TYPES = ("PERSON", "ORG", "WEAPON", "GPE")
#: Types a gold mention may carry: domain files use the headline four, general-news files add
#: PRODUCT (weapons included) and OTHER.
GOLD_TYPES = (*HEADLINE_TYPES, "PRODUCT", "OTHER")

_QID = re.compile(r"Q[1-9]\d*")

Annotator = Callable[..., Iterable[dict]]


@dataclass(frozen=True)
class GoldMention:
    """One annotated mention: offsets into the document text (end exclusive), type and QID."""

    start: int
    end: int
    text: str
    type: str
    name: str | None = None
    qid: str | None = None


@dataclass(frozen=True)
class GoldDocument:
    """One gold document; only mentions inside ``evaluation_span`` (if given) are scored."""

    id: str
    text: str
    mentions: tuple[GoldMention, ...]
    evaluation_span: tuple[int, int] | None = None
    title: str | None = None


@dataclass(frozen=True)
class PredictedMention:
    """A mention as the annotator returned it (``label`` is its type, ``qid`` None for NIL)."""

    start: int
    end: int
    text: str
    label: str
    qid: str | None = None
    name: str | None = None
    score: float | None = None


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 from counts; a ratio that would divide by zero is None.

    ``correct`` of ``predicted`` were right; ``found`` of ``gold`` were found. For mentions both
    numerators are the same count; for links precision counts predictions, recall gold QIDs.
    """

    correct: int = 0
    predicted: int = 0
    found: int = 0
    gold: int = 0

    @property
    def precision(self) -> float | None:
        """correct / predicted, or None when nothing was predicted."""
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """found / gold, or None when there is no gold item."""
        return self.found / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of P and R; 0 if either is 0 or undefined, None if both are undefined."""
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        if not p or not r:
            return 0.0
        return 2 * p * r / (p + r)

    def __add__(self, other: Score) -> Score:
        return Score(
            self.correct + other.correct,
            self.predicted + other.predicted,
            self.found + other.found,
            self.gold + other.gold,
        )


@dataclass(frozen=True)
class ErrorItem:
    """One scoring error in one document, with the gold and predicted sides where they exist.

    kinds: "missed mention", "spurious mention", "type error" (same span, other type),
    "wrong link" (predicted QID on a gold mention with another QID), "false link" (predicted QID
    on no gold mention), "missed link" (gold QID not found and no wrong link on it), and
    "given: wrong link" / "given: missed link" for the given-gold-spans run.
    """

    kind: str
    document: str
    start: int
    end: int
    text: str
    gold_type: str | None = None
    predicted_type: str | None = None
    gold_qid: str | None = None
    predicted_qid: str | None = None
    gold_name: str | None = None
    predicted_name: str | None = None


@dataclass(frozen=True)
class GivenScore:
    """Disambiguation alone: the linker was handed the gold spans (exact span match)."""

    gold: int = 0  # gold mentions with a QID
    correct: int = 0
    in_kb_gold: int | None = None  # None when no knowledge base was consulted
    in_kb_correct: int | None = None
    errors: tuple[ErrorItem, ...] = ()

    @property
    def accuracy(self) -> float | None:
        """correct / gold mentions with a QID, or None without any."""
        return self.correct / self.gold if self.gold else None

    @property
    def in_kb_accuracy(self) -> float | None:
        """correct / gold mentions whose QID is in the knowledge base, or None."""
        return self.in_kb_correct / self.in_kb_gold if self.in_kb_gold else None


@dataclass(frozen=True)
class EvalReport:
    """All figures of one evaluation run, plus the errors behind them."""

    documents: int
    types: tuple[str, ...]  # every type with a mention row; the headline ones come first
    mentions: dict[str, Score]  # per type
    mentions_overall: Score  # micro-average over HEADLINE_TYPES
    linking: Score
    wrong_qids: int = 0
    neutral_links: int = 0  # predicted QIDs on gold mentions whose QID is null
    in_kb_gold: int | None = None  # None when no knowledge base was consulted
    in_kb_found: int | None = None
    given: GivenScore | None = None
    notes: tuple[str, ...] = ()
    errors: tuple[ErrorItem, ...] = ()
    gold_path: str | None = None

    @property
    def in_kb_accuracy(self) -> float | None:
        """End-to-end: found / gold mentions whose QID is in the knowledge base, or None."""
        return self.in_kb_found / self.in_kb_gold if self.in_kb_gold else None


# --- reading -----------------------------------------------------------------------------------


def read_gold(path: str | Path) -> list[GoldDocument]:
    """Read a gold JSONL file (one document a line; blank lines skipped), validating every line.

    Checks what scoring relies on: ids are unique, offsets are in range and
    ``text[start:end] == mention.text``, types and QIDs are well formed, the evaluation span lies
    inside the text. Raises ValueError naming ``path:line`` and the problem.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read gold file: {error}") from error
    documents: list[GoldDocument] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not valid JSON: {error}") from error
        document = parse_gold_document(data, where)
        if document.id in first_line:
            raise ValueError(
                f"{where}: duplicate document id {document.id!r} (first on line {first_line[document.id]})"
            )
        first_line[document.id] = number
        documents.append(document)
    return documents


def parse_gold_document(data: Any, where: str) -> GoldDocument:
    """Validate one decoded gold line and turn it into a GoldDocument; errors name ``where``."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(data).__name__}")
    doc_id, text = data.get("id"), data.get("text")
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError(f"{where}: 'id' must be a non-empty string")
    if not isinstance(text, str):
        raise ValueError(f"{where}: document {doc_id!r}: 'text' must be a string")
    mentions = data.get("mentions")
    if not isinstance(mentions, list):
        raise ValueError(f"{where}: document {doc_id!r}: 'mentions' must be a list")
    span = _parse_span(data.get("evaluation_span"), len(text), f"{where}: document {doc_id!r}")
    parsed = tuple(
        _parse_gold_mention(m, text, f"{where}: document {doc_id!r}, mention {n + 1}")
        for n, m in enumerate(mentions)
    )
    spans: dict[tuple[int, int], int] = {}
    for n, m in enumerate(parsed, start=1):
        if (m.start, m.end) in spans:
            raise ValueError(
                f"{where}: document {doc_id!r}: mentions {spans[m.start, m.end]} and {n} have the same span"
                f" [{m.start}:{m.end}]"
            )
        spans[m.start, m.end] = n
    title = data.get("title")
    return GoldDocument(doc_id, text, parsed, span, str(title) if title is not None else None)


def _parse_span(value: Any, length: int, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value)):
        raise ValueError(f"{where}: 'evaluation_span' must be [start, end], got {value!r}")
    start, end = value
    if not 0 <= start <= end <= length:
        raise ValueError(f"{where}: evaluation_span {value!r} is outside the text (length {length})")
    return start, end


def _parse_gold_mention(data: Any, text: str, where: str) -> GoldMention:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    missing = [key for key in ("start", "end", "text", "type") if key not in data]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    start, end, surface = data["start"], data["end"], data["text"]
    if not (_is_int(start) and _is_int(end)):
        raise ValueError(f"{where}: offsets must be integers, got start={start!r} end={end!r}")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{where}: offsets [{start}:{end}] are outside the text (length {len(text)})")
    if text[start:end] != surface:
        raise ValueError(f"{where}: text[{start}:{end}] is {text[start:end]!r}, mention text is {surface!r}")
    if data["type"] not in GOLD_TYPES:
        raise ValueError(f"{where}: type {data['type']!r} is not one of {', '.join(GOLD_TYPES)}")
    qid = data.get("qid")
    if qid is not None and not (isinstance(qid, str) and _QID.fullmatch(qid)):
        raise ValueError(f"{where}: {qid!r} is not a Wikidata QID (use null when unknown)")
    name = data.get("name")
    return GoldMention(start, end, surface, data["type"], str(name) if name is not None else None, qid)


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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- scoring -----------------------------------------------------------------------------------


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


def score(
    gold: list[GoldDocument],
    predicted: Mapping[str, Iterable[dict]],
    kb_qids: Callable[[str], bool] | None = None,
    *,
    given: Mapping[str, Iterable[dict]] | None = None,
) -> EvalReport:
    """Score predicted mentions (``{doc_id: [mention dict, …]}``) against gold documents.

    ``kb_qids(qid)`` says whether a QID is in the knowledge base used (for in-KB accuracy;
    omitted → not reported). ``given`` holds predictions for the gold spans themselves
    (see :func:`score_given`). A gold document without predictions scores as if nothing was
    found; predictions for an unknown document id are an error (the run and the gold disagree).
    """
    by_id = {document.id: document for document in gold}
    unknown = sorted(set(predicted) - set(by_id))
    if unknown:
        raise ValueError(f"predictions for documents not in the gold set: {', '.join(unknown[:5])}")
    types = scored_types(gold)
    mapping = type_mapping(gold)
    totals: Counter = Counter()
    errors: list[ErrorItem] = []
    for document in gold:
        mentions = _scored_predicted(document, predicted.get(document.id, ()))
        counts, document_errors = score_document(document, mentions, types, mapping, kb_qids)
        totals.update(counts)
        errors.extend(document_errors)
    per_type = {
        t: Score(totals["tp", t], totals["pred", t], totals["tp", t], totals["gold", t]) for t in types
    }
    overall = sum((per_type[t] for t in HEADLINE_TYPES), Score())
    linking = Score(
        totals["link_correct"],
        totals["link_correct"] + totals["link_false"],
        totals["link_found"],
        totals["link_gold"],
    )
    notes = []
    if mapping:
        notes.append("predicted WEAPON scored as PRODUCT: the gold file has PRODUCT and no WEAPON type")
    if kb_qids is None:
        notes.append("no knowledge base given: in-KB accuracy not measured")
    return EvalReport(
        documents=len(gold),
        types=types,
        mentions=per_type,
        mentions_overall=overall,
        linking=linking,
        wrong_qids=totals["wrong_qid"],
        neutral_links=totals["link_neutral"],
        in_kb_gold=totals["kb_gold"] if kb_qids is not None else None,
        in_kb_found=totals["kb_found"] if kb_qids is not None else None,
        given=score_given(gold, given, kb_qids) if given is not None else None,
        notes=tuple(notes),
        errors=tuple(errors),
    )


def score_document(
    document: GoldDocument,
    predicted: list[PredictedMention],
    types: tuple[str, ...],
    mapping: Mapping[str, str],
    kb_qids: Callable[[str], bool] | None,
) -> tuple[Counter, list[ErrorItem]]:
    """Counts and errors of one document; ``predicted`` is already limited to the evaluation span."""
    gold = _scored_gold(document)
    mention_counts, mention_errors = _score_mentions(document.id, gold, predicted, types, mapping)
    link_counts, link_errors = _score_links(document.id, gold, predicted, kb_qids)
    errors = sorted(mention_errors + link_errors, key=lambda e: (e.start, e.end, e.kind))
    return mention_counts + link_counts, errors


def _score_mentions(
    doc_id: str,
    gold: list[GoldMention],
    predicted: list[PredictedMention],
    types: tuple[str, ...],
    mapping: Mapping[str, str],
) -> tuple[Counter, list[ErrorItem]]:
    counts: Counter = Counter()
    gold_keys = {(m.start, m.end, m.type) for m in gold}
    labels = [(p, mapping.get(p.label, p.label)) for p in predicted]
    pred_keys = {(p.start, p.end, label) for p, label in labels if label in types}
    for keys, name in ((gold_keys, "gold"), (pred_keys, "pred"), (gold_keys & pred_keys, "tp")):
        counts.update((name, t) for _, _, t in keys)
    errors = []
    # Any predicted label on the exact gold span makes a miss a type error (even LOC for a GPE).
    label_at = {(p.start, p.end): label for p, label in labels}
    gold_at = {(m.start, m.end): m for m in gold}
    for m in gold:
        if (m.start, m.end, m.type) in pred_keys:
            continue
        label = label_at.get((m.start, m.end))
        errors.append(
            ErrorItem("type error" if label else "missed mention", doc_id, m.start, m.end, m.text,
                      gold_type=m.type, predicted_type=label, gold_qid=m.qid, gold_name=m.name)
        )
    reported: set[tuple[int, int, str]] = set()
    for p, label in labels:
        key = (p.start, p.end, label)
        if key in gold_keys or key not in pred_keys or key in reported or (p.start, p.end) in gold_at:
            continue
        reported.add(key)
        errors.append(
            ErrorItem("spurious mention", doc_id, p.start, p.end, p.text, predicted_type=label,
                      predicted_qid=p.qid, predicted_name=p.name)
        )
    return counts, errors


def _score_links(
    doc_id: str,
    gold: list[GoldMention],
    predicted: list[PredictedMention],
    kb_qids: Callable[[str], bool] | None,
) -> tuple[Counter, list[ErrorItem]]:
    counts: Counter = Counter()
    errors: list[ErrorItem] = []
    links = [p for p in predicted if p.qid]
    wrongly_linked: set[GoldMention] = set()
    for p in links:
        under = [m for m in gold if _overlap(m, p)]
        if any(m.qid == p.qid for m in under):
            counts["link_correct"] += 1
            continue
        other = [m for m in under if m.qid]
        if other:
            counts["link_false"] += 1
            counts["wrong_qid"] += 1
            wrongly_linked.update(other)
            m = other[0]
            errors.append(
                ErrorItem("wrong link", doc_id, m.start, m.end, m.text, gold_type=m.type,
                          predicted_type=p.label, gold_qid=m.qid, predicted_qid=p.qid,
                          gold_name=m.name, predicted_name=p.name)
            )
        elif under:
            counts["link_neutral"] += 1
        else:
            counts["link_false"] += 1
            errors.append(
                ErrorItem("false link", doc_id, p.start, p.end, p.text, predicted_type=p.label,
                          predicted_qid=p.qid, predicted_name=p.name)
            )
    for m in gold:
        if not m.qid:
            continue
        found = any(p.qid == m.qid and _overlap(m, p) for p in links)
        counts["link_gold"] += 1
        counts["link_found"] += found
        if kb_qids is not None and kb_qids(m.qid):
            counts["kb_gold"] += 1
            counts["kb_found"] += found
        if not found and m not in wrongly_linked:
            nil = next((p for p in predicted if _overlap(m, p)), None)
            errors.append(
                ErrorItem("missed link", doc_id, m.start, m.end, m.text, gold_type=m.type,
                          predicted_type=nil.label if nil else None, gold_qid=m.qid, gold_name=m.name)
            )
    return counts, errors


def score_given(
    gold: list[GoldDocument],
    predicted_by_span: Mapping[str, Iterable[dict]],
    kb_qids: Callable[[str], bool] | None = None,
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
        at = {(p.start, p.end): p for p in mentions}
        for m in _scored_gold(document):
            if not m.qid:
                continue
            p = at.get((m.start, m.end))
            right = p is not None and p.qid == m.qid
            in_kb = kb_qids is not None and kb_qids(m.qid)
            counts.update({"gold": 1, "correct": right, "kb_gold": in_kb, "kb_correct": in_kb and right})
            if not right:
                errors.append(
                    ErrorItem("given: wrong link" if p and p.qid else "given: missed link", document.id,
                              m.start, m.end, m.text, gold_type=m.type,
                              predicted_type=p.label if p else None, gold_qid=m.qid,
                              predicted_qid=p.qid if p else None, gold_name=m.name,
                              predicted_name=p.name if p else None)
                )
    return GivenScore(
        gold=counts["gold"],
        correct=counts["correct"],
        in_kb_gold=counts["kb_gold"] if kb_qids is not None else None,
        in_kb_correct=counts["kb_correct"] if kb_qids is not None else None,
        errors=tuple(errors),
    )


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


# --- running -----------------------------------------------------------------------------------


def default_annotator() -> Annotator:
    """kb's annotator (:func:`kb.annotate.annotate_texts`), imported late: it loads spaCy."""
    from ..annotate import annotate_texts

    return annotate_texts


def kb_qid_checker(knowledge_base: KnowledgeBase) -> Callable[[str], bool]:
    """A function telling whether a QID belongs to an entity of ``knowledge_base``."""

    def has(qid: str) -> bool:
        row = knowledge_base.db.execute("SELECT 1 FROM entities WHERE qid = ? LIMIT 1", (qid,)).fetchone()
        return row is not None

    return has


def collect(items: Iterable[dict], where: str) -> dict[str, list[dict]]:
    """Turn annotator output (``{"id", "mentions"}`` dicts) into ``{doc_id: mentions}``."""
    result: dict[str, list[dict]] = {}
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("mentions"), list) or "id" not in item:
            raise ValueError(f"{where}: result {n} is not a dict with 'id' and a 'mentions' list")
        result[str(item["id"])] = item["mentions"]
    return result


def evaluate(
    gold_path: str | Path,
    *,
    settings: Settings,
    knowledge_base: KnowledgeBase,
    annotate: Annotator | None = None,
    link_spans: Annotator | None = None,
) -> EvalReport:
    """Annotate the texts of a gold file with kb and score the result.

    ``annotate(items, settings=, knowledge_base=)`` gets ``(doc_id, text)`` pairs and yields
    ``{"id", "mentions"}`` dicts (default: :func:`kb.annotate.annotate_texts`). When
    ``link_spans`` is given, it is called the same way with ``(doc_id, text, gold_spans(doc))``
    triples and must link exactly those spans; its result becomes the "given gold spans" figures.
    """
    gold = read_gold(gold_path)
    annotate = annotate or default_annotator()
    predicted = collect(
        annotate(((d.id, d.text) for d in gold), settings=settings, knowledge_base=knowledge_base),
        "annotator",
    )
    given = None
    if link_spans is not None:
        given = collect(
            link_spans(((d.id, d.text, gold_spans(d)) for d in gold), settings=settings,
                       knowledge_base=knowledge_base),
            "link_spans",
        )
    report = score(gold, predicted, kb_qid_checker(knowledge_base), given=given)
    return replace(report, gold_path=str(gold_path))


# --- output ------------------------------------------------------------------------------------


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _fraction(numerator: int | None, denominator: int | None) -> str:
    if denominator is None or numerator is None:
        return "not measured"
    return f"{numerator}/{denominator} = {_ratio(numerator / denominator if denominator else None)}"


def format_report(report: EvalReport, errors: bool = True) -> str:
    """A readable text report: mention table, linking figures, in-KB accuracy, then the errors."""
    lines = [f"kb eval: {report.gold_path or 'gold set'} — {report.documents} documents"]
    lines += [f"note: {note}" for note in report.notes]
    header = f"{'type':<10}{'gold':>6}{'pred':>6}{'right':>7}{'P':>8}{'R':>8}{'F1':>8}"
    lines += ["", "Mentions (strict: same span and type)", header]
    rows = [(t, report.mentions[t]) for t in report.types]
    rows.append(("overall*", report.mentions_overall))
    for name, s in rows:
        lines.append(
            f"{name:<10}{s.gold:>6}{s.predicted:>6}{s.correct:>7}"
            f"{_ratio(s.precision):>8}{_ratio(s.recall):>8}{_ratio(s.f1):>8}"
        )
    lines.append(f"* micro-average over {', '.join(HEADLINE_TYPES)}")
    link = report.linking
    lines += [
        "",
        "Linking (overlapping mention, same QID)",
        f"gold QIDs {link.gold}, found {link.found}; predicted links {link.predicted}, correct "
        f"{link.correct}, false {link.predicted - link.correct} (wrong QID {report.wrong_qids}); "
        f"neutral (on gold QID null) {report.neutral_links}",
        f"P {_ratio(link.precision)}  R {_ratio(link.recall)}  F1 {_ratio(link.f1)}",
        f"in-KB accuracy, end to end: {_fraction(report.in_kb_found, report.in_kb_gold)}",
    ]
    if report.given is not None:
        g = report.given
        lines += [
            f"given gold spans: accuracy {_fraction(g.correct, g.gold)}; "
            f"in-KB accuracy {_fraction(g.in_kb_correct, g.in_kb_gold)}",
        ]
    if errors:
        lines += _format_errors(report)
    return "\n".join(lines) + "\n"


def _format_errors(report: EvalReport) -> list[str]:
    items = list(report.errors) + list(report.given.errors if report.given else ())
    if not items:
        return ["", "No errors."]
    lines = ["", f"Errors ({len(items)})"]
    by_document: dict[str, list[ErrorItem]] = {}
    for item in items:
        by_document.setdefault(item.document, []).append(item)
    for document, found in by_document.items():
        lines.append(f"{document}:")
        lines += [f"  {_describe(e)}" for e in found]
    return lines


def _describe(e: ErrorItem) -> str:
    where = f"[{e.start}:{e.end}] {e.text!r}"
    if e.kind in ("missed mention", "spurious mention"):
        detail = e.gold_type or e.predicted_type
    elif e.kind == "type error":
        detail = f"gold {e.gold_type}, predicted {e.predicted_type}"
    elif e.kind == "false link":
        detail = f"predicted {_entity(e.predicted_qid, e.predicted_name)}"
    elif e.kind == "missed link":
        detail = f"gold {_entity(e.gold_qid, e.gold_name)}; " + (
            f"predicted {e.predicted_type} with no QID" if e.predicted_type else "not detected"
        )
    else:  # wrong links, end to end or given spans
        gold, predicted = _entity(e.gold_qid, e.gold_name), _entity(e.predicted_qid, e.predicted_name)
        detail = f"gold {gold}, predicted {predicted}"
    return f"{e.kind:<18}{where}  {detail}"


def _entity(qid: str | None, name: str | None) -> str:
    return f"{qid or 'NIL'} ({name})" if name else (qid or "NIL")


def report_json(report: EvalReport) -> str:
    """The report as JSON text: every count, the derived ratios, notes and errors."""

    def figures(s: Score) -> dict:
        return {**asdict(s), "precision": s.precision, "recall": s.recall, "f1": s.f1}

    data = {
        "gold_path": report.gold_path,
        "documents": report.documents,
        "headline_types": list(HEADLINE_TYPES),
        "mentions": {t: figures(report.mentions[t]) for t in report.types},
        "mentions_overall": figures(report.mentions_overall),
        "linking": {**figures(report.linking), "wrong_qids": report.wrong_qids,
                    "neutral_links": report.neutral_links},
        "in_kb": {"gold": report.in_kb_gold, "found": report.in_kb_found,
                  "accuracy": report.in_kb_accuracy},
        "given": None,
        "notes": list(report.notes),
        "errors": [asdict(e) for e in report.errors],
    }
    if report.given is not None:
        g = report.given
        data["given"] = {
            "gold": g.gold, "correct": g.correct, "accuracy": g.accuracy,
            "in_kb_gold": g.in_kb_gold, "in_kb_correct": g.in_kb_correct,
            "in_kb_accuracy": g.in_kb_accuracy, "errors": [asdict(e) for e in g.errors],
        }
    return json.dumps(data, ensure_ascii=False, indent=2)
