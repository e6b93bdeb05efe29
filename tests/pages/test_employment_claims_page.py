"""/me shows a body's pending employment claim; the worker confirms or declines it there.

A claim counts only once confirmed (issue 16); an employment that began before the worker's
registration is shown as declared, in Chinese and English.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.api_token import Role
from tests.factories import id_number
from tests.pages.pages_world import PagesWorld, csrf_of, sign_in
from tests.support.api_world import unique


def claimed_worker(pages_world: PagesWorld) -> tuple[Any, Any, Any]:
    """A worker of a fresh employer (since 2015) whom another body claims since 2010."""
    world = pages_world.world
    ledger = pages_world.ledger
    worker = ledger.workers.register_worker(
        id_number=id_number(unique() + 70000), name="孙八", actor="test"
    ).aggregate.id
    own, claimant = world.fresh_employer(), world.fresh_employer()
    ledger.workers.start_employment(worker, own, since=date(2015, 3, 1), actor="test")
    ledger.workers.start_employment(
        worker, claimant, since=date(2010, 1, 1), actor="t", claimant=claimant
    )
    _token_id, token = world.fresh_token(Role.WORKER, worker_id=worker)
    client = pages_world.client()
    assert sign_in(client, token).status_code == 303
    return client, worker, claimant


def test_the_worker_sees_a_pending_claim_and_confirms_it(pages_world: PagesWorld) -> None:
    client, worker, claimant = claimed_worker(pages_world)
    name = pages_world.ledger.organisation(claimant).name
    page = client.get("/me").text
    assert "待您确认的用工登记" in page and name in page
    assert f'action="/me/employments/{claimant}/confirm"' in page
    assert '<label for="reason-1">拒绝理由</label>' in page
    assert "（早于在本系统登记，仅为申报）" in page  # 2010 is before registration
    english = client.get("/me?lang=en").text
    assert "Employment claims awaiting your confirmation" in english

    refused = client.post(f"/me/employments/{claimant}/confirm", data={"csrf": "wrong"})
    assert refused.status_code == 400
    assert pages_world.ledger.worker(worker).pending_employment(claimant) is not None

    done = client.post(f"/me/employments/{claimant}/confirm", data={"csrf": csrf_of(page)})
    assert done.status_code == 303
    assert pages_world.ledger.worker(worker).is_staff_of(claimant, date(2024, 1, 1))
    after = client.get("/me?lang=zh").text
    assert "待您确认的用工登记" not in after and name in after
    assert "申报（早于" in after


def test_declining_needs_a_reason_and_leaves_nothing_in_effect(pages_world: PagesWorld) -> None:
    client, worker, claimant = claimed_worker(pages_world)
    page = client.get("/me").text
    url = f"/me/employments/{claimant}/decline"
    missing = client.post(url, data={"csrf": csrf_of(page), "reason": " "})
    assert missing.status_code == 422
    assert "请说明拒绝的理由。" in missing.text and 'aria-invalid="true"' in missing.text
    done = client.post(url, data={"csrf": csrf_of(page), "reason": "从未在该单位工作"})
    assert done.status_code == 303
    record = pages_world.ledger.worker(worker)
    assert record.pending_employment(claimant) is None
    assert not record.is_staff_of(claimant, date(2024, 1, 1))
