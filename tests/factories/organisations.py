"""Filed organisations for the tests: evaluation bodies (employers and social organisations)
and unions, with the occupations they may evaluate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from domain.organisation import OrganisationKind
from service.ledger import Ledger

ELECTRICIAN = "6-31-01-03"  # 电工
WELDER = "6-18-02-04"  # 焊工
ESTATE_AGENT = "4-08-06-01"  # 房地产经纪人: in no city's catalogue here
ALL_LEVELS = ["5", "4", "3", "2", "1"]


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
    """An evaluation body; a ``Y`` prefix files an employer, an ``S`` prefix a social
    training-evaluation organisation (社会培训评价组织)."""
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


def file_union(
    ledger: Ledger, code: str = "11-U-000003", name: str = "朝阳区总工会", province: str = "11"
) -> UUID:
    """A trade union (工会): organises competitions and honour ladders, evaluates nobody."""
    recorded = ledger.organisations.file_organisation(
        filing_code=code,
        name=name,
        kind=OrganisationKind.UNION,
        province_code=province,
        actor="test:admin",
    )
    return recorded.aggregate.id  # type: ignore[no-any-return]


def numbered_body(
    ledger: Ledger,
    n: int,
    *,
    kind: OrganisationKind = OrganisationKind.EMPLOYER,
    province: str = "11",
    scope: dict[str, list[str]] | None = None,
    name: str | None = None,
) -> UUID:
    """Evaluation body number ``n``: filing code and evaluator prefix no other ``n`` has."""
    letter = "Y" if kind is OrganisationKind.EMPLOYER else "S"
    recorded = ledger.organisations.file_organisation(
        filing_code=f"{province}-{letter}-{n}-{uuid.uuid4().hex[:6]}",
        name=name or f"测试单位{n}",
        kind=kind,
        province_code=province,
        evaluator_prefix=f"{letter}{n % 10000:04d}{province}{n % 1000000:06d}",
        scope=scope or {ELECTRICIAN: ["5", "4", "3"]},
        actor="test",
    )
    return recorded.aggregate.id  # type: ignore[no-any-return]


def numbered_union(ledger: Ledger, n: int, province: str = "11") -> UUID:
    """Union number ``n`` (测试工会n), with a filing code no other ``n`` has."""
    return file_union(ledger, f"{province}-U-{n}-{uuid.uuid4().hex[:6]}", f"测试工会{n}", province)
