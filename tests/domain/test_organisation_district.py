"""The district (区县) of a filed body: recorded after filing, inside its province."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import DomainRuleViolation, InvalidValue
from domain.organisation import Organisation, OrganisationKind

AT = datetime(2025, 5, 1, tzinfo=UTC)


def body() -> Organisation:
    return Organisation.file(
        filing_code="Y-1",
        name="北京链家",
        kind=OrganisationKind.EMPLOYER,
        province_code="11",
        evaluator_prefix="Y000011000001",
        scope={"6-31-01-03": ["5", "4"]},
        filed_at=AT,
        actor="a",
    )


def test_a_district_in_the_province_is_recorded_and_replayed():
    organisation = body()
    organisation.record_district("110105", AT, "a")
    organisation.record_district("110108", AT, "a", "迁址")
    events = organisation.collect_events()
    assert [type(e).__name__ for e in events][-2:] == ["DistrictRecorded", "DistrictRecorded"]
    assert events[-1].reason == "迁址"
    replayed = None
    for domain_event in events:
        replayed = domain_event.mutate(replayed)
    assert replayed.district_code == "110108"


def test_a_district_outside_the_province_is_refused():
    organisation = body()
    with pytest.raises(DomainRuleViolation) as refused:
        organisation.record_district("310105", AT, "a")
    assert refused.value.rule == "district-outside-province"
    assert organisation.district_code is None


@pytest.mark.parametrize("code", ["11010", "1101055", "11010x", "１１０１０５", ""])
def test_a_malformed_district_names_the_field(code):
    with pytest.raises(InvalidValue) as refused:
        body().record_district(code, AT, "a")
    assert refused.value.field == "district code"


def test_a_body_filed_before_districts_has_none():
    events = body().collect_events()
    assert [type(e).__name__ for e in events] == ["Filed"]
    replayed = events[0].mutate(None)
    assert replayed.district_code is None
