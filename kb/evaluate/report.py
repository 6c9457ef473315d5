"""Reports of evaluation runs: readable text and JSON, for one run or kb beside the baseline."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict

from .gold import HEADLINE_TYPES, WARNING_KINDS, GoldWarning, warning_counts
from .run import Comparison
from .results import ErrorItem, EvalReport, Score

# --- numbers -----------------------------------------------------------------------------------


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _fraction(numerator: int | None, denominator: int | None) -> str:
    if denominator is None or numerator is None:
        return "not measured"
    return f"{numerator}/{denominator} = {_ratio(numerator / denominator if denominator else None)}"


def _prf(s: Score) -> str:
    return f"{_ratio(s.precision)} / {_ratio(s.recall)} / {_ratio(s.f1)}"


def format_warnings(warnings: Sequence[GoldWarning]) -> str:
    """One line: how many gold warnings of each kind ("gold warnings: none" when clean)."""
    counts = warning_counts(warnings)
    if not counts:
        return "gold warnings: none"
    return f"gold warnings: {len(warnings)} (" + ", ".join(f"{k} {n}" for k, n in counts.items()) + ")"


# --- one run -----------------------------------------------------------------------------------


def format_report(report: EvalReport, errors: bool = True) -> str:
    """A readable text report: mention table, linking figures, in-KB accuracy, then the errors."""
    lines = [f"kb eval: {report.gold_path or 'gold set'} — {report.documents} documents"]
    lines += [format_warnings(report.warnings)] + [f"note: {note}" for note in report.notes]
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
        lines.append(
            f"given gold spans: accuracy {_fraction(g.correct, g.gold)}; "
            f"in-KB accuracy {_fraction(g.in_kb_correct, g.in_kb_gold)}"
        )
    if errors:
        lines += _format_warning_list(report.warnings) + _format_errors(report)
    return "\n".join(lines) + "\n"


def _format_warning_list(warnings: Sequence[GoldWarning]) -> list[str]:
    if not warnings:
        return []
    return ["", f"Gold warnings ({len(warnings)})"] + [f"  {w.kind}: {w}" for w in warnings]


def _format_errors(report: EvalReport, title: str = "Errors") -> list[str]:
    items = list(report.errors) + list(report.given.errors if report.given else ())
    if not items:
        return ["", "No errors."]
    lines = ["", f"{title} ({len(items)})"]
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


def report_dict(report: EvalReport) -> dict:
    """The report as plain data: every count, the derived ratios, warnings, notes and errors."""

    def figures(s: Score) -> dict:
        return {**asdict(s), "precision": s.precision, "recall": s.recall, "f1": s.f1}

    given = report.given
    return {
        "gold_path": report.gold_path,
        "documents": report.documents,
        "headline_types": list(HEADLINE_TYPES),
        "mentions": {t: figures(report.mentions[t]) for t in report.types},
        "mentions_overall": figures(report.mentions_overall),
        "linking": {**figures(report.linking), "wrong_qids": report.wrong_qids,
                    "neutral_links": report.neutral_links},
        "in_kb": {"gold": report.in_kb_gold, "found": report.in_kb_found,
                  "accuracy": report.in_kb_accuracy},
        "given": None if given is None else {
            "gold": given.gold, "correct": given.correct, "accuracy": given.accuracy,
            "in_kb_gold": given.in_kb_gold, "in_kb_correct": given.in_kb_correct,
            "in_kb_accuracy": given.in_kb_accuracy, "errors": [asdict(e) for e in given.errors],
        },
        "warnings": warnings_dict(report.warnings),
        "notes": list(report.notes),
        "errors": [asdict(e) for e in report.errors],
    }


def warnings_dict(warnings: Sequence[GoldWarning]) -> dict:
    """Gold warnings as plain data: the total, counts per kind and every warning."""
    return {
        "count": len(warnings),
        "by_kind": warning_counts(warnings),
        "items": [{"kind": w.kind, "where": w.where, "message": w.message} for w in warnings],
    }


def report_json(report: EvalReport) -> str:
    """The report as JSON text (see :func:`report_dict`)."""
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2)


# --- kb beside the baseline --------------------------------------------------------------------

_Row = tuple[str, Callable[[EvalReport], str]]


def _rows(types: Sequence[str]) -> list[_Row]:
    """The figures of the side-by-side table, one (label, getter) a row."""

    def given(get: Callable) -> Callable[[EvalReport], str]:
        return lambda r: get(r.given) if r.given is not None else "not run"

    rows: list[_Row] = [("mentions* P / R / F1", lambda r: _prf(r.mentions_overall))]
    rows += [(f"  {t} P / R / F1", lambda r, t=t: _prf(r.mentions.get(t, Score()))) for t in types]
    rows += [
        ("links P / R / F1", lambda r: _prf(r.linking)),
        ("gold QIDs found", lambda r: f"{r.linking.found}/{r.linking.gold}"),
        ("links correct / predicted", lambda r: f"{r.linking.correct}/{r.linking.predicted}"),
        ("wrong QIDs", lambda r: str(r.wrong_qids)),
        ("neutral links (gold null)", lambda r: str(r.neutral_links)),
        ("in-KB accuracy", lambda r: _fraction(r.in_kb_found, r.in_kb_gold)),
        ("given spans: accuracy", given(lambda g: _fraction(g.correct, g.gold))),
        ("given spans: in-KB acc.", given(lambda g: _fraction(g.in_kb_correct, g.in_kb_gold))),
    ]
    return rows


def _column_name(name: str, comparison: Comparison) -> str:
    return f"{name} ({comparison.baseline})" if name == "baseline" and comparison.baseline else name


def format_comparison(comparison: Comparison, errors: bool = True) -> str:
    """kb and the baseline side by side on one gold set; with ``errors``, kb's errors after."""
    reports = comparison.reports
    first = next(iter(reports.values()))
    lines = [f"kb eval: {comparison.gold_path} — {comparison.documents} documents",
             format_warnings(comparison.warnings)]
    lines += [f"note: {note}" for note in first.notes]
    lines += ["", (f"{'':<28}" + "".join(f"{_column_name(n, comparison):<24}" for n in reports)).rstrip()]
    lines += [
        f"{label:<28}" + "".join(f"{get(r):<24}" for r in reports.values()).rstrip()
        for label, get in _rows(first.types)
    ]
    lines.append(f"* strict span and type, micro-average over {', '.join(HEADLINE_TYPES)}")
    if errors:
        lines += _format_warning_list(comparison.warnings)
        lines += _format_errors(reports["kb"], "Errors of kb") if "kb" in reports else []
    return "\n".join(lines) + "\n"


def format_comparisons(comparisons: Sequence[Comparison], combined: Comparison | None = None,
                       errors: bool = True) -> str:
    """Every gold set's side-by-side table, then the combined view (when given)."""
    parts = [format_comparison(c, errors) for c in comparisons]
    if combined is not None:
        parts.append(format_comparison(combined, errors=False))
    return "\n".join(parts)


def comparisons_json(comparisons: Sequence[Comparison], combined: Comparison | None = None) -> str:
    """Every set's reports per system as JSON: ``{"sets": [...], "combined": ... or null}``."""

    def entry(c: Comparison) -> dict:
        return {"gold_path": c.gold_path, "documents": c.documents, "baseline_name": c.baseline,
                "warnings": warnings_dict(c.warnings),
                **{name: report_dict(r) for name, r in c.reports.items()}}

    data = {
        "warning_kinds": WARNING_KINDS,
        "sets": [entry(c) for c in comparisons],
        "combined": entry(combined) if combined is not None else None,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
