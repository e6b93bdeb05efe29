"""Working-day calendars over HTTP (Flask test client), on SQLite and PostgreSQL: an admin adds
the year a publication window reaches, and the publication names the calendar it counted on.

The 2027 arrangement is a fictitious test fixture (``tests.factories.fictitious_arrangement``):
no 2027 notice exists yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.api_token import Role
from service.app import create_app
from service.ledger import Ledger
from tests.factories import Session, fictitious_arrangement, plan_session, tokens
from tests.support.clocks import SteppingClock, on_day
from tests.support.stores import store_for_backend

BASE = "/api/v1/calendars"
FIXTURE_NAME = "2027 arrangement v1 (测试用虚构节假日安排（2027年，非真实通知）, 2026-11-05)"
SHIPPED_2026 = (
    "2026 arrangement as shipped (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04)"
)


@dataclass
class Api:
    app: Flask
    client: FlaskClient
    ledger: Ledger
    clock: SteppingClock
    session: Session
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str = "admin", **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if who != "public":
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def publish(self) -> Any:
        evaluation = self.session.evaluation_id
        path = f"/api/v1/evaluations/{evaluation}/publish"
        return self.call("POST", path, "issuer", json={"working_days": 5})

    def calendars(self, who: str = "admin", **query: Any) -> Any:
        headers = {"X-Wait-For-Position": str(self.ledger.log_position)}
        return self.call("GET", BASE, who, query_string=query, headers=headers)


@pytest.fixture
def api(backend: str, tmp_path: Path, clock: SteppingClock) -> Iterator[Api]:
    with store_for_backend(backend, tmp_path / "data") as (settings, _schema):
        ledger = Ledger(settings, clock=clock)
        app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}, ledger=ledger)
        session = plan_session(ledger, clock)
        session.candidate_with(theory=80, practical=80)
        api = Api(app, app.test_client(), ledger, clock, session)
        for who, role, organisation in (
            ("admin", Role.ADMIN, None),
            ("auditor", Role.AUDITOR, None),
            ("issuer", Role.ISSUER, session.body_id),
        ):
            api.tokens[who] = grant(ledger, role, organisation)
        on_day(clock, date(2026, 12, 28))
        try:
            yield api
        finally:
            app.extensions["craftledger"].close()
            ledger.close()


def grant(ledger: Ledger, role: Role, organisation: UUID | None) -> str:
    # the clock jumps to the end of 2026 below
    return tokens.grant(ledger, role, organisation=organisation, expires_in_days=3650)[1]


def test_a_window_reaching_2027_is_refused_naming_the_year_and_the_fix(api: Api) -> None:
    before = api.ledger.log_position
    refused = api.publish()
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"
    problem = refused.json
    assert problem["type"] == "urn:craftledger:rule:calendar-missing-year"
    assert (problem["rule"], problem["year"]) == ("calendar-missing-year", 2027)
    assert "`craftledger calendar add FILE`" in problem["detail"]
    assert "`POST /api/v1/calendars`" in problem["detail"]
    assert api.ledger.log_position == before


def test_an_admin_adds_2027_and_the_publication_is_counted_on_it(api: Api) -> None:
    added = api.call("POST", BASE, json=fictitious_arrangement())
    assert added.status_code == 201, added.json
    assert added.headers["Location"].endswith(f"{BASE}/2027")
    assert int(added.headers["X-Log-Position"]) == api.ledger.log_position
    assert added.json["in_force"]["source"] == "recorded"
    assert (added.json["in_force"]["version"], added.json["in_force"]["name"]) == (1, FIXTURE_NAME)
    assert added.json["recorded"][0]["added_by"].startswith("admin:")
    assert "2027-01-01" in added.json["rest_days"]

    published = api.publish()
    assert published.status_code == 200, published.json
    publication = published.json["publication"]
    assert publication["window_ends_on"] == "2027-01-05"  # Fri 01-01 is the fixture's rest day
    assert publication["calendar"] == f"{SHIPPED_2026}; {FIXTURE_NAME}"
    read = api.call("GET", f"/api/v1/evaluations/{api.session.evaluation_id}", "issuer")
    assert read.json["publication"]["calendar"] == publication["calendar"]


def test_the_list_names_every_year_its_source_and_version(api: Api) -> None:
    api.call("POST", BASE, json=fictitious_arrangement())
    listed = api.calendars(limit=100)
    assert listed.status_code == 200, listed.json
    years = {item["year"]: item for item in listed.json["items"]}
    assert sorted(years) == list(range(2004, 2028))
    assert years[2025]["in_force"]["source"] == "package"
    assert years[2025]["in_force"]["name"].startswith("chinesecalendar 1.11.0")
    assert years[2026]["in_force"]["name"] == SHIPPED_2026
    assert [c["source"] for c in years[2026]["overridden"]] == ["package"]
    recorded = years[2027]
    assert (recorded["in_force"]["source"], recorded["in_force"]["version"]) == ("recorded", 1)
    assert recorded["added_by"].startswith("admin:") and recorded["added_at"]

    public = {item["year"]: item for item in api.calendars("public", limit=100).json["items"]}
    assert public[2027]["in_force"] == recorded["in_force"]
    assert public[2027]["added_by"] is None  # who recorded it: admins and auditors only


def test_the_list_is_paginated_by_year(api: Api) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        query = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = api.calendars("public", **query).json
        seen += [item["year"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(range(2004, 2027))
    bad = api.calendars("public", cursor="nope")
    assert bad.status_code == 400


def test_one_year_shows_its_days_and_what_it_overrides(api: Api) -> None:
    year = api.call("GET", f"{BASE}/2026", "public").json
    assert year["in_force"]["title"] == "国务院办公厅关于2026年部分节假日安排的通知"
    assert year["in_force"]["published_on"] == "2025-11-04"
    assert [c["source"] for c in year["overridden"]] == ["package"]
    assert (len(year["rest_days"]), len(year["workdays"])) == (33, 6)
    assert year["recorded"] == []
    assert api.call("GET", f"{BASE}/2027", "public").status_code == 404


def with_days(rest_days: list[str], workdays: list[str] | None = None) -> dict[str, Any]:
    holiday: dict[str, Any] = {"name": "元旦", "rest_days": rest_days}
    if workdays is not None:
        holiday["workdays"] = workdays
    return fictitious_arrangement(holidays=[holiday])


def without(key: str) -> dict[str, Any]:
    data = fictitious_arrangement()
    del data[key]
    return data


@pytest.mark.parametrize(
    ("body", "pointer", "detail"),
    [
        (
            with_days(["2027-01-01", "2026-12-31"]),
            "/holidays/0/rest_days/1",
            "2026-12-31 is not in 2027",
        ),
        (
            with_days(["2027-01-01", "2027-01-02"], ["2027-01-02"]),
            "/holidays/0/workdays/0",
            "2027-01-02 is both a rest day",
        ),
        (with_days(["2027-01-01"], ["2027-01-04"]), "/holidays/0/workdays/0", "is a Monday"),
        (without("source"), "/source", "Missing data"),
        (without("published_on"), "/published_on", "Missing data"),
        (
            fictitious_arrangement(source={"title": "某通知"}),
            "/source/issuer",
            "Missing data",
        ),
        (fictitious_arrangement(published_on="2028-01-01"), "/published_on", "after the end"),
    ],
)
def test_a_bad_arrangement_is_refused_naming_the_field_and_records_nothing(
    api: Api, body: dict[str, Any], pointer: str, detail: str
) -> None:
    before = api.ledger.log_position
    refused = api.call("POST", BASE, json=body)
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"
    errors = refused.json["errors"]
    assert [error["pointer"] for error in errors] == [pointer]
    assert detail in errors[0]["detail"]
    assert api.ledger.log_position == before
    assert api.ledger.calendars.calendar_year(2027) is None


def test_the_arrangement_in_force_again_is_refused_as_unchanged(api: Api) -> None:
    assert api.call("POST", BASE, json=fictitious_arrangement()).status_code == 201
    before = api.ledger.log_position
    again = api.call("POST", BASE, json=fictitious_arrangement())
    assert (again.status_code, again.json["rule"]) == (422, "arrangement-unchanged")
    assert api.ledger.log_position == before


@pytest.mark.parametrize(("who", "status"), [("issuer", 403), ("auditor", 403), ("public", 401)])
def test_only_an_admin_adds_a_calendar(api: Api, who: str, status: int) -> None:
    before = api.ledger.log_position
    refused = api.call("POST", BASE, who, json=fictitious_arrangement())
    assert refused.status_code == status
    assert refused.content_type == "application/problem+json"
    assert api.ledger.log_position == before
