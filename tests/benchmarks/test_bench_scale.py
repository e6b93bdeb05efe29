"""A smoke-sized run of ``benchmarks/bench_scale.py`` (not timed): it generates, measures at two
checkpoints, rebuilds, and prints its table; with status lists shrunk to 512 drawn entries, one
issuer's 1,200 certificates open lists beyond the first (no ceiling per issuer)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_scale_benchmark_prints_its_table_and_opens_more_lists(backend: str) -> None:
    command = [sys.executable, "benchmarks/bench_scale.py", "--max", "1200"]
    command += ["--checkpoints", "400,1200", "--batch", "400", "--lookups", "10"]
    command += ["--list-size", "512"] + (["--postgres"] if backend == "postgres" else [])
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "| certificates | events | generated/s | lookup | verify | credential |" in out
    rows = re.findall(r"^\| (400|1,200) \|.*\| (\d+) \| [\d.]+ \|$", out, re.MULTILINE)
    assert [n for n, _ in rows[-2:]] == ["400", "1,200"], out
    assert int(rows[-1][1]) > 1, out  # the issuer's status lists: more than one opened
    for kind in ("lookup", "verify", "credential"):
        assert re.search(rf"^{kind}\s+median at 1,200 / at 400: [\d.]+", out, re.MULTILINE), out
    assert "rebuild of every projection from the log at 1,200 certificates" in out
    assert re.search(r"server process RSS at 1,200: [\d,]+ MB", out), out
