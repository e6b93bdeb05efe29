"""Award credentials (奖项) of a union's competition, built straight through the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.organisation import Organisation, OrganisationKind
from service.credentials.credential_document import Holder, build_award_credential
from service.ledger import Ledger


def gold_award(ledger: Ledger) -> tuple[Organisation, dict[str, Any], datetime]:
    """A newly filed union and the unsigned gold-medal award credential of its competition
    CY-2025-01 (status entries allocated and saved), with the time it was awarded."""
    union = ledger.organisations.file_organisation(
        filing_code="11-union-1",
        name="朝阳区总工会",
        kind=OrganisationKind.UNION,
        province_code="11",
        actor="test:admin",
    ).aggregate
    awarded_at = ledger.clock()
    batch = ledger.credentials.allocate_status_list_entries(
        union.id, ["award:CY-2025-01:w1"], at=awarded_at, actor="test"
    )
    ledger.save(*batch.aggregates)
    document = build_award_credential(
        urls=ledger.credentials.credential_urls,
        credential_id="urn:craftledger:award:CY-2025-01:w1",
        award_id="w1",
        holder=Holder("张三", "110105********0017"),
        issuer_id=union.id,
        issuer_name=union.name,
        competition={
            "id": "CY-2025-01",
            "reference": "CY-2025-01",
            "name": "朝阳区电工技能大赛",
            "tier": "district",
            "year": 2025,
            "region": "朝阳区",
            "occupation_code": "6-31-01-03",
            "occupation_name": "电工",
        },
        award={"title": "金牌", "rank": 1, "medal": "gold", "score": "93.50"},
        awarded_at=awarded_at,
        status_indexes=batch.indexes["award:CY-2025-01:w1"],
    )
    return ledger.organisation(union.id), document, awarded_at
