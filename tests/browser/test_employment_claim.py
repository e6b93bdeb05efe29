"""In Chromium against a live ``serve --demo``: a body claims a demo worker it did not register
as its staff (issue 16); the claim gives it nothing until the worker, signed in on /me, sees it
and confirms it there. Screenshots: the pending claim, then the employment in effect."""

from __future__ import annotations

import pytest

from domain.organisation import Organisation
from service.config import Settings
from service.demo import demo_id_number
from service.demo.cast import LANGYATAI, LIANJIA
from service.ledger import Ledger
from tests.browser.live_server import LiveServer, http, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_worker_confirms_a_pending_employment_claim_on_me(live_server: LiveServer, context):
    url = live_server.url
    admin = live_server.token("admin")
    bodies = {Organisation.create_id(filing_code=code) for code in (LIANJIA, LANGYATAI)}
    ledger = Ledger(Settings(data_dir=live_server.data_dir))
    try:
        worker_id = ledger.worker_id_for(demo_id_number("110105", 1))
    finally:
        ledger.close()
    status, record = http(f"{url}/api/v1/workers/{worker_id}", token=admin)
    assert status == 200
    current = {e["employer_id"] for e in record["employments"] if e["until"] is None}
    [claimant] = [body for body in bodies if str(body) not in current]
    issuer = live_server.token("issuer", org=claimant)

    assert http(f"{url}/api/v1/workers/{worker_id}", token=issuer)[0] == 403
    status, claim = http(
        f"{url}/api/v1/workers/{worker_id}/start-employment",
        "POST",
        {"employer_id": str(claimant), "since": "2010-01-01"},
        token=issuer,
    )
    assert (status, claim["status"]) == (202, "pending")
    assert http(f"{url}/api/v1/workers/{worker_id}", token=issuer)[0] == 403

    page = context.new_page()
    sign_in(page, url, live_server.token("worker", worker=worker_id))
    assert page.url.endswith("/me")
    claims = page.locator("#employment .claim")
    assert claims.count() == 1
    assert "2010-01-01" in claims.inner_text()
    assert "仅为申报" in claims.inner_text()  # before the worker's registration
    assert page.get_by_label("拒绝理由").count() == 1  # the reason field has its label
    screenshot(page, "employment-claim-pending")

    claims.get_by_role("button", name="确认").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#employment .claim").count() == 0
    table = page.locator("table.employments").inner_text()
    assert "2010-01-01" in table and "申报" in table
    screenshot(page, "employment-claim-confirmed")

    assert http(f"{url}/api/v1/workers/{worker_id}", token=issuer)[0] == 200
