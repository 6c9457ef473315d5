"""Scoring kb against gold sets: mention detection, linking and in-KB accuracy.

The gold format and the scoring conventions are those of ``shared/eval/README.md`` (the held-out
sets are scored the same way). One module a job:

- :mod:`.gold` reads gold files, repairing what real benchmark files get wrong (with warnings);
- :mod:`.results` holds the figures of a run (:class:`EvalReport`) and adds them up;
- :mod:`.scoring` scores predicted mentions and links against gold documents (pure);
- :mod:`.run` runs kb, and the max-prior baseline beside it, over gold files;
- :mod:`.report` turns the results into text and JSON.
"""

from __future__ import annotations

from .gold import (
    GOLD_TYPES,
    HEADLINE_TYPES,
    WARNING_KINDS,
    GoldDocument,
    GoldMention,
    GoldSet,
    GoldWarning,
    parse_gold_document,
    read_gold,
    read_gold_set,
    warning_counts,
)
from .report import (
    comparisons_json,
    format_comparison,
    format_comparisons,
    format_report,
    format_warnings,
    report_dict,
    report_json,
)
from .run import (
    BASELINES,
    Annotator,
    Comparison,
    collect,
    combined,
    compare,
    default_annotator,
    evaluate,
    evaluate_set,
    kb_qid_checker,
)
from .results import ErrorItem, EvalReport, GivenScore, PredictedMention, Score, combine
from .scoring import (
    QidCheck,
    gold_spans,
    parse_predicted,
    score,
    score_document,
    score_given,
    scored_types,
    type_mapping,
)

__all__ = [
    "BASELINES",
    "GOLD_TYPES",
    "HEADLINE_TYPES",
    "WARNING_KINDS",
    "Annotator",
    "Comparison",
    "ErrorItem",
    "EvalReport",
    "GivenScore",
    "GoldDocument",
    "GoldMention",
    "GoldSet",
    "GoldWarning",
    "PredictedMention",
    "QidCheck",
    "Score",
    "collect",
    "combine",
    "combined",
    "compare",
    "comparisons_json",
    "default_annotator",
    "evaluate",
    "evaluate_set",
    "format_comparison",
    "format_comparisons",
    "format_report",
    "format_warnings",
    "gold_spans",
    "kb_qid_checker",
    "parse_gold_document",
    "parse_predicted",
    "read_gold",
    "read_gold_set",
    "report_dict",
    "report_json",
    "score",
    "score_document",
    "score_given",
    "scored_types",
    "type_mapping",
    "warning_counts",
]
