"""Signing keys in the console: an HR-bureau official rotates an issuer's key and marks the old
one compromised, and the page says what that means with the count of certificates affected; a
bad time is refused beside its field; an auditor reads; an issuer officer is refused."""

from __future__ import annotations

import re
import time
from datetime import timedelta, timezone

from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import signed_in

CHINA = timezone(timedelta(hours=8))


def test_an_hr_official_rotates_and_marks_a_key_compromised(pages_world: PagesWorld):
    world, ledger = pages_world.world, pages_world.ledger
    issuer = world.fresh_employer()
    time.sleep(1.1)
    leaked_at = ledger.clock().astimezone(CHINA).replace(microsecond=0)
    time.sleep(1.1)
    world.fresh_certificate(issuer=issuer)
    time.sleep(1.1)  # proofs and key windows are whole seconds: rotate in a later second
    old_key = ledger.organisation(issuer).current_key_id
    hr = signed_in(
        pages_world, "keys.hr@bureau.example", AccountRole.HR_OFFICIAL, world.ids["union"]
    )

    listing = hr.get("/console/keys")
    assert listing.status_code == 200 and "签名密钥" in listing.text
    assert (
        hr.get(f"/console/keys?organisation={issuer}")
        .headers["Location"]
        .endswith(f"/console/keys/{issuer}")
    )
    page = hr.get(f"/console/keys/{issuer}")
    assert old_key in page.text and "在用" in page.text

    rotated = hr.post(f"/console/keys/{issuer}/rotate", data={"csrf": csrf_of(page.text)})
    assert rotated.status_code == 303
    after = hr.get(rotated.headers["Location"])
    new_key = ledger.organisation(issuer).current_key_id
    assert new_key != old_key and f"新密钥 {new_key}" in after.text

    url = f"/console/keys/{issuer}/{old_key}/compromise"
    refused = hr.post(url, data={"csrf": csrf_of(after.text), "compromised_at": "", "reason": ""})
    assert refused.status_code == 422
    assert (
        f'id="at-{old_key}-error"' in refused.text
        and f'id="reason-{old_key}-error"' in refused.text
    )
    future = (ledger.clock() + timedelta(days=2)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M:%S")
    refused = hr.post(
        url, data={"csrf": csrf_of(after.text), "compromised_at": future, "reason": "泄露"}
    )
    assert refused.status_code == 422 and "泄露时间不可用" in refused.text
    assert ledger.organisation(issuer).signing_keys[old_key]["compromised_at"] is None

    marked = hr.post(
        url,
        data={
            "csrf": csrf_of(after.text),
            "compromised_at": leaked_at.strftime("%Y-%m-%dT%H:%M:%S"),
            "reason": "运维人员的笔记本电脑丢失",
        },
    )
    assert marked.status_code == 303
    shown = hr.get(marked.headers["Location"]).text
    notice = re.sub(r"\s+", " ", re.search(r'id="key-change">(.*?)</div>', shown, re.S).group(1))
    assert "受影响的凭证：1 份（证书 1 份，岗位聘任 0 份）" in notice
    assert f"新密钥 {new_key} 重新签名" in notice
    key = ledger.organisation(issuer).signing_keys[old_key]
    assert key["compromised_at"] == leaked_at
    compromise = list(ledger.events.get(issuer))[-1]
    assert compromise.actor.startswith("admin:person:")


def test_an_auditor_reads_the_keys_and_an_officer_is_refused(pages_world: PagesWorld):
    world = pages_world.world
    issuer = world.ids["org_b"]
    auditor = signed_in(pages_world, "keys.auditor@audit.example", AccountRole.AUDITOR)
    page = auditor.get(f"/console/keys/{issuer}")
    assert page.status_code == 200 and "轮换密钥</button>" not in page.text
    refused = auditor.post(f"/console/keys/{issuer}/rotate", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    officer = signed_in(
        pages_world, "keys.officer@body.example", AccountRole.ISSUER_OFFICER, world.ids["org_a"]
    )
    assert officer.get(f"/console/keys/{issuer}").status_code == 403
    assert officer.get("/console/keys").status_code == 403
