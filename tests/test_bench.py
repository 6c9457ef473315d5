"""The benchmark runs (CI's smoke of ``python -m bench``): one table, and -j 2 stores the rows -j 1
does. No timing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_smoke_prints_its_table():
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    for figure in ("bare spaCy", "kb build, 1 process", "unchanged re-run", "peak RSS", "stage: link"):
        assert figure in run.stdout
    assert "same rows: True" in run.stdout
