"""Fictitious holiday arrangements (节假日安排) in the file format of ``domain/data/calendars``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def fictitious_arrangement(year: int = 2027, **changes: Any) -> dict[str, Any]:
    """A TEST FIXTURE, not a real notice: a made-up holiday arrangement for ``year`` in the
    file format of ``domain/data/calendars`` (元旦 1-3 January; in 2027 the 1st is a Friday, so
    it is a weekday rest day), for tests of a year no shipped calendar covers. Never ship it."""
    data: dict[str, Any] = {
        "year": year,
        "source": {
            "title": f"测试用虚构节假日安排（{year}年，非真实通知）",
            "issuer": "craftledger test suite",
        },
        "published_on": f"{year - 1}-11-05",
        "holidays": [
            {"name": "元旦", "rest_days": [f"{year}-01-01", f"{year}-01-02", f"{year}-01-03"]}
        ],
        "notes": ["TEST FIXTURE: fictitious, not the State Council's notice"],
    }
    data.update(changes)
    return data


def write_arrangement(directory: Path, data: dict[str, Any]) -> Path:
    """``data`` as an arrangement file in ``directory`` (the file an administrator adds)."""
    path = directory / f"fixture-arrangement-{data['year']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
