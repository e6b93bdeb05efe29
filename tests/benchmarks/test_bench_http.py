"""A smoke-sized run of ``benchmarks/bench_http.py`` on SQLite: it starts the servers, drives
every route with wrk for a second and prints the table with no errors. Not timed: the figures
of a shared CI machine say nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUTES = (
    "certificate summary",
    "credential",
    "certificate page /c/{n}",
    "national-query check",
    "POST /credentials/verify",
    "status list",
    "leaderboard",
    "statistics",
    "/health",
)


@pytest.mark.timeout(600)
def test_the_http_benchmark_drives_every_route_without_errors() -> None:
    command = [sys.executable, "benchmarks/bench_http.py", "--duration", "1", "--warm-up", "0"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=540)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout
    rows = {
        line.split("|")[1].strip(): line.split("|")[1:-1]
        for line in result.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| route")
    }
    assert set(rows) == set(ROUTES), result.stdout
    for name, cells in rows.items():
        assert float(cells[1].replace(",", "")) > 0, (name, result.stdout)
        assert cells[-1].strip() == "0", (name, result.stdout)  # errors
    assert "hello:" in result.stdout
