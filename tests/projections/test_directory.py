"""Directory: organisations, workers and certificates, with filters and keyset pagination."""

from __future__ import annotations

from datetime import date

import pytest

from projections.directory import DirectoryQuery
from projections.pagination import InvalidCursor, InvalidQuery
from tests.factories import WELDER


@pytest.fixture
def query(store) -> DirectoryQuery:
    return DirectoryQuery(store)


def all_pages(list_method, **kwargs):
    items, cursor, pages = [], None, 0
    while True:
        page = list_method(after=cursor, **kwargs)
        items.extend(page.items)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return items, pages


def test_organisations_list_with_kind_status_scope_and_pages(ledger, world, runner, query):
    ledger.organisations.change_organisation_status(
        world.school, "suspend", actor="hr", reason="audit"
    )
    ledger.organisations.amend_scope(world.school, {WELDER: ["5"]}, actor="hr", reason="narrowed")
    runner.catch_up()

    items, pages = all_pages(query.list_organisations, limit=1)
    assert pages == 3
    assert [o["name"] for o in items] == sorted(o["name"] for o in items)
    school = query.get_organisation(world.school)
    assert school["status"] == "suspended"
    assert school["scope"] == {WELDER: ["5"]}
    assert school["kind"] == "S" and school["province_code"] == "37"
    assert school["filing_code"] == "37-S-000002"
    assert [o["id"] for o in query.list_organisations(kind="union").items] == [str(world.union)]
    assert [o["id"] for o in query.list_organisations(status="suspended").items] == [
        str(world.school)
    ]


def test_organisations_carry_their_district_and_filter_by_it(ledger, world, runner, query):
    runner.catch_up()
    assert query.get_organisation(world.school)["district_code"] is None
    ledger.organisations.record_district(world.school, "370102", actor="hr", reason="补录")
    ledger.organisations.record_district(world.school, "370103", actor="hr", reason="更正")
    runner.catch_up()
    assert query.get_organisation(world.school)["district_code"] == "370103"
    assert [o["id"] for o in query.list_organisations(district="370103").items] == [
        str(world.school)
    ]
    assert query.list_organisations(district="370102").items == []


def test_workers_have_their_current_employer_and_masked_id_only(ledger, world, runner, query):
    worker = world.worker("李四")
    ledger.workers.start_employment(worker, world.school, since=date(2023, 5, 1), actor="t")
    runner.catch_up()
    found = query.get_worker(worker)
    assert found["employer_id"] == str(world.school)
    assert found["employer_name"] == "青岛技师学院"
    assert found["employed_since"] == "2023-05-01"
    assert "*" in found["masked_id_number"]

    ledger.workers.end_employment(worker, world.school, until=date(2024, 1, 1), actor="t")
    runner.catch_up()
    assert query.get_worker(worker)["employer_id"] == str(world.employer)

    ledger.workers.end_employment(worker, world.employer, until=date(2024, 1, 1), actor="t")
    runner.catch_up()
    assert query.get_worker(worker)["employer_id"] is None


def test_workers_filter_by_employer_and_name_substring(ledger, world, runner, query):
    for name in ["王小明", "王大明", "赵明", "钱多"]:
        world.worker(name)
    loner = world.worker("王独行", employed=False)
    renamed = ledger.worker(world.workers[-2])  # 钱多 -> 钱明 (no command yet: save it directly)
    renamed.correct_name("钱明", "test", "typo")
    ledger.record(renamed)
    runner.catch_up()

    names = [w["name"] for w in query.list_workers(name="明").items]
    assert names == sorted(["王小明", "王大明", "赵明", "钱明"])
    employed, _ = all_pages(query.list_workers, employer_id=world.employer, limit=2)
    assert str(loner) not in {w["id"] for w in employed}
    assert len(employed) == 4
    assert query.list_workers(name="钱多").items == []


def test_certificates_filter_by_worker_issuer_status_and_occupation(world, runner, query):
    first, second = world.worker("甲"), world.worker("乙")
    a = world.issue(first, "5")
    b = world.issue(second, "5")
    c = world.issue(second, "5", occupation=WELDER, issuer=world.school)
    world.status(b, "revoke", reason="cheating")
    runner.catch_up()

    assert [x["number"] for x in query.list_certificates(worker_id=second).items] == sorted([b, c])
    assert [x["number"] for x in query.list_certificates(issuer_id=world.school).items] == [c]
    revoked = query.list_certificates(status="revoked").items
    assert [x["number"] for x in revoked] == [b]
    assert revoked[0]["status_reason"] == "cheating"
    assert [x["number"] for x in query.list_certificates(occupation_code=WELDER).items] == [c]
    certificate = query.get_certificate(a)
    assert certificate["holder_name"] == "甲"
    assert certificate["level"] == "5" and certificate["basis_kind"] == "evaluation"
    assert certificate["issuer_name"] == "北京链家"
    assert query.get_certificate("Y000011000001259999999") is None


def test_pages_continue_after_the_cursor_even_when_rows_are_added(world, runner, query):
    workers = [world.worker(f"工{i}") for i in range(5)]
    numbers = [world.issue(w, "5") for w in workers]
    runner.catch_up()
    first = query.list_certificates(limit=2)
    assert [x["number"] for x in first.items] == sorted(numbers)[:2]

    world.issue(world.worker("新"), "5")
    runner.catch_up()
    rest, _ = all_pages(query.list_certificates, limit=2)
    following = query.list_certificates(after=first.next_cursor, limit=50)
    assert [x["number"] for x in following.items] == [x["number"] for x in rest][2:]
    assert following.next_cursor is None


def test_bad_cursors_filters_and_limits_are_refused(world, runner, query):
    world.worker("一")
    world.worker("二")
    runner.catch_up()
    workers_cursor = query.list_workers(limit=1).next_cursor
    assert workers_cursor is not None
    with pytest.raises(InvalidCursor):
        query.list_certificates(after="not-a-cursor")
    with pytest.raises(InvalidCursor):
        query.list_organisations(after=workers_cursor)
    with pytest.raises(InvalidQuery, match="limit"):
        query.list_workers(limit=0)
    with pytest.raises(InvalidQuery, match="status"):
        query.list_certificates(status="lost")
    with pytest.raises(InvalidQuery, match="kind"):
        query.list_organisations(kind="factory")
    with pytest.raises(InvalidQuery, match="UUID"):
        query.list_workers(employer_id="x")
