"""The live-board benchmark at smoke size (not timed): 20 clients on a real ``craftledger
serve`` each receive every mark recorded through the API while they listen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_twenty_clients_receive_every_mark():
    command = [sys.executable, "benchmarks/bench_sse.py", "--clients", "20", "--marks", "5"]
    command += ["--baseline-marks", "2", "--entrants", "8", "--interval", "0.1", "--within", "90"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "20/20" in result.stdout and "every client received every mark" in result.stdout
