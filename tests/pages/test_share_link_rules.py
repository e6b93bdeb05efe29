"""ShareLink rules: a link expires after it is made and within 90 days, is revoked once, and
its state follows the clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainRuleViolation
from domain.share_link import ShareLink, ShareLinkState

MADE = datetime(2025, 3, 1, tzinfo=UTC)


def link(valid_for: timedelta) -> ShareLink:
    return ShareLink.make(
        worker_id=uuid.uuid4(),
        serial=1,
        secret_hash="0" * 64,
        code_hash=None,
        made_at=MADE,
        expires_at=MADE + valid_for,
        label="",
        actor="worker:t",
    )


@pytest.mark.parametrize("valid_for", [timedelta(0), timedelta(days=91)])
def test_an_expiry_outside_the_allowed_window_is_refused(valid_for):
    with pytest.raises(DomainRuleViolation) as refused:
        link(valid_for)
    assert refused.value.rule == "share-link-expiry"


def test_the_state_follows_the_clock_and_revocation_is_final():
    made = link(timedelta(days=7))
    assert made.state_at(MADE + timedelta(days=6)) is ShareLinkState.ACTIVE
    assert made.state_at(MADE + timedelta(days=7)) is ShareLinkState.EXPIRED
    made.revoke(MADE + timedelta(days=1), "worker:t", "换工作了")
    assert made.state_at(MADE + timedelta(days=2)) is ShareLinkState.REVOKED
    with pytest.raises(DomainRuleViolation):
        made.revoke(MADE + timedelta(days=2), "worker:t", "again")
    topics = [type(e).TOPIC for e in made.collect_events()]
    assert topics == ["craftledger:ShareLink.Made", "craftledger:ShareLink.Revoked"]
