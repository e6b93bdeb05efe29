"""Histories for auditors: the whole log and one aggregate's events, with actor, reason and
masked data; an aggregate's state at a version or a moment; nobody else may read them."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask

from domain.api_token import Role
from domain.certificate import Certificate
from domain.china_time import china_date
from domain.id_number import resident_check_character
from service.ledger import Ledger
from tests.audit.principals import headers_for_every_role, token_for
from tests.factories import file_employer, hire, id_number, issue

AUDITOR_PATHS = (
    "/api/v1/audit/events",
    "/api/v1/audit/aggregates/{id}/events",
    "/api/v1/audit/aggregates/{id}",
    "/api/v1/audit/leaves/0",
)
FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9X](?![0-9])")


@pytest.fixture
def history(ledger: Ledger) -> dict[str, Any]:
    """A certificate issued, suspended with a reason that quotes the holder's ID number, and
    reinstated; the moments between the commands."""
    body = file_employer(ledger)
    worker = hire(ledger, body, 7)
    number = issue(ledger, body.id, worker)
    moments = [datetime.now(UTC)]
    time.sleep(0.01)
    full_id = id_number(7).reveal()
    ledger.certificates.change_certificate_status(
        number, "suspend", actor="issuer:t1", reason=f"核查身份证 {full_id} 的真实性"
    )
    time.sleep(0.01)
    moments.append(datetime.now(UTC))
    time.sleep(0.01)
    ledger.certificates.change_certificate_status(
        number, "reinstate", actor="issuer:t1", reason="核查无误"
    )
    return {
        "number": number,
        "certificate": Certificate.create_id(number=number),
        "worker": worker,
        "full_id": full_id,
        "moments": moments,
    }


def test_auditors_page_through_the_whole_log_in_order_with_leaves(
    ledger: Ledger, app: Flask, history: dict[str, Any]
) -> None:
    client = app.test_client()
    auditor = token_for(ledger, Role.AUDITOR)
    seen: list[dict[str, Any]] = []
    after = 0
    while after is not None:
        page = client.get(f"/api/v1/audit/events?after={after}&limit=4", headers=auditor)
        assert page.status_code == 200, page.json
        seen.extend(page.json["items"])
        after = page.json["next_after"]
    assert [e["position"] for e in seen] == list(range(1, ledger.log_position + 1))
    assert all(e["leaf_index"] == e["position"] - 1 and e["leaf_hash"] for e in seen)
    suspended = next(e for e in seen if e["type"] == "Certificate.Suspended")
    assert suspended["actor"] == "issuer:t1"
    assert suspended["reason"].startswith("核查身份证 110105")
    assert suspended["aggregate_id"] == str(history["certificate"])
    assert suspended["timestamp"]


def test_auditors_see_id_numbers_masked_everywhere(
    ledger: Ledger, app: Flask, history: dict[str, Any]
) -> None:
    client = app.test_client()
    auditor = token_for(ledger, Role.AUDITOR)
    answers = [
        client.get("/api/v1/audit/events?limit=1000", headers=auditor),
        client.get(f"/api/v1/audit/aggregates/{history['certificate']}/events", headers=auditor),
        client.get(f"/api/v1/audit/aggregates/{history['certificate']}", headers=auditor),
        client.get(f"/api/v1/audit/aggregates/{history['worker']}", headers=auditor),
    ]
    leaves = [
        client.get(f"/api/v1/audit/leaves/{index}", headers=auditor).json
        for index in range(ledger.log_position)
    ]
    answers_text = [json.dumps(a.json, ensure_ascii=False) for a in answers]
    decoded = [base64.b64decode(leaf["leaf_data"] or "") for leaf in leaves]
    text = "".join(answers_text) + "".join(d.decode("utf-8", "replace") for d in decoded)
    text += "".join(base64.b64decode(json.loads(d)["state"]).decode() for d in decoded if d)
    # the suspension reason quoted the number; it was masked as it entered the domain, so the
    # stored event is clean and its leaf is published, not withheld
    assert [leaf for leaf in leaves if leaf["withheld"]] == []
    assert all(a.status_code == 200 for a in answers)
    assert history["full_id"] not in text
    # any ID-shaped run with a valid check character (random hashes hold digit runs by chance)
    assert [n for n in FULL_ID.findall(text) if resident_check_character(n[:17]) == n[17]] == []
    assert "110105********" in text  # the masked form is there instead
    assert "核查身份证 110105********" in text


def test_nobody_but_auditors_reads_the_histories(
    ledger: Ledger, app: Flask, history: dict[str, Any]
) -> None:
    client = app.test_client()
    for role, headers in headers_for_every_role(ledger).items():
        for template in AUDITOR_PATHS:
            path = template.format(id=history["certificate"])
            answer = client.get(path, headers=headers)
            expected = {"public": 401, "auditor": 200}.get(role, 403)
            assert answer.status_code == expected, (role, path, answer.json)
            if expected != 200:
                assert answer.mimetype == "application/problem+json"


def test_one_aggregates_history_names_actor_reason_and_position(
    ledger: Ledger, app: Flask, history: dict[str, Any]
) -> None:
    client = app.test_client()
    auditor = token_for(ledger, Role.AUDITOR)
    answer = client.get(
        f"/api/v1/audit/aggregates/{history['certificate']}/events", headers=auditor
    ).json
    events = answer["items"]
    assert [e["type"] for e in events] == [
        "Certificate.Issued",
        "Certificate.Suspended",
        "Certificate.Reinstated",
    ]
    assert [e["aggregate_version"] for e in events] == [1, 2, 3]
    assert events[2]["reason"] == "核查无误" and events[2]["actor"] == "issuer:t1"
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and all(p <= ledger.log_position for p in positions)
    paged = client.get(
        f"/api/v1/audit/aggregates/{history['certificate']}/events?after=1&limit=1",
        headers=auditor,
    ).json
    assert [e["aggregate_version"] for e in paged["items"]] == [2]
    assert paged["next_after"] == 2


def test_the_state_at_a_version_and_at_a_moment(
    ledger: Ledger, app: Flask, history: dict[str, Any]
) -> None:
    client = app.test_client()
    auditor = token_for(ledger, Role.AUDITOR)
    base = f"/api/v1/audit/aggregates/{history['certificate']}"
    versions = [client.get(f"{base}?version={v}", headers=auditor).json for v in (1, 2, 3)]
    assert [v["state"]["status"] for v in versions] == ["valid", "suspended", "valid"]
    assert versions[0]["type"] == "craftledger:Certificate"
    assert versions[0]["latest_version"] == 3
    assert versions[0]["state"]["number"] == history["number"]
    first, second = (m.isoformat() for m in history["moments"])
    at_issue = client.get(f"{base}?as_of={first.replace('+00:00', 'Z')}", headers=auditor).json
    assert at_issue["version"] == 1 and at_issue["state"]["status"] == "valid"
    at_suspension = client.get(f"{base}?as_of={second.replace('+00:00', 'Z')}", headers=auditor)
    assert at_suspension.json["version"] == 2
    assert at_suspension.json["state"]["status"] == "suspended"
    today = china_date(datetime.now(UTC)).isoformat()  # a date is a China date (UTC+8)
    assert client.get(f"{base}?as_of={today}", headers=auditor).json["version"] == 3


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?version=4", 404),
        ("?version=0", 422),
        ("?version=1&as_of=2025-01-01", 422),
        ("?as_of=yesterday-ish", 422),
        ("?as_of=2025-01-01T00:00:00", 422),  # no zone
        ("?as_of=1999-01-01", 404),  # before the aggregate existed
    ],
)
def test_bad_state_queries_are_problems(
    ledger: Ledger, app: Flask, history: dict[str, Any], query: str, status: int
) -> None:
    auditor = token_for(ledger, Role.AUDITOR)
    answer = app.test_client().get(
        f"/api/v1/audit/aggregates/{history['certificate']}{query}", headers=auditor
    )
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"


def test_unknown_aggregates_and_leaves_are_not_found(ledger: Ledger, app: Flask) -> None:
    client = app.test_client()
    auditor = token_for(ledger, Role.AUDITOR)
    for path in (
        f"/api/v1/audit/aggregates/{uuid4()}",
        f"/api/v1/audit/aggregates/{uuid4()}/events",
        "/api/v1/audit/leaves/999",
    ):
        assert client.get(path, headers=auditor).status_code == 404, path


def test_a_leafs_stored_bytes_hash_to_the_logged_leaf(ledger: Ledger, app: Flask) -> None:
    from projections.transparency.merkle import leaf_hash

    client = app.test_client()
    auditor = token_for(ledger, Role.AUDITOR)
    client.get("/api/v1/audit/tree-head")
    leaf = client.get("/api/v1/audit/leaves/0", headers=auditor).json
    assert leaf["matches_log"] is True and leaf["position"] == 1
    data = base64.b64decode(leaf["leaf_data"])
    assert base64.b64encode(leaf_hash(data)).decode() == leaf["leaf_hash"]
    assert json.loads(data)["position"] == 1
