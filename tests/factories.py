"""Builders for test data: checksum-valid ID numbers and a filed body with staff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.id_number import IdNumber, resident_check_character
from domain.organisation import OrganisationKind
from service.ledger import Ledger

ELECTRICIAN = "6-31-01-03"
WELDER = "6-18-02-04"
ESTATE_AGENT = "4-08-06-01"


def id_number(serial: int, region: str = "110105", born: date = date(1990, 3, 7)) -> IdNumber:
    body = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return IdNumber.parse(body + resident_check_character(body))


@dataclass
class Body:
    id: UUID
    prefix: str


def file_employer(
    ledger: Ledger,
    code: str = "11-Y-000001",
    prefix: str = "Y000011000001",
    scope: dict[str, list[str]] | None = None,
    name: str = "北京链家",
) -> Body:
    recorded = ledger.organisations.file_organisation(
        filing_code=code,
        name=name,
        kind=OrganisationKind.EMPLOYER if prefix.startswith("Y") else OrganisationKind.SOCIAL,
        province_code=prefix[5:7],
        evaluator_prefix=prefix,
        scope=scope or {ELECTRICIAN: ["5", "4", "3"]},
        actor="test:admin",
    )
    return Body(recorded.aggregate.id, prefix)


def hire(ledger: Ledger, body: Body, serial: int, name: str = "张三") -> UUID:
    worker = ledger.workers.register_worker(
        id_number=id_number(serial), name=name, actor="test"
    ).aggregate
    ledger.workers.start_employment(worker.id, body.id, since=date(2020, 1, 1), actor="test")
    return worker.id  # type: ignore[no-any-return]


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
