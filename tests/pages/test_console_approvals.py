"""The approvals queue (核准) in the console: an HR-bureau official sees the pending promotion
proposals of a finalised competition with the worker's masked ID number, the rule and its
explanation; approves two in one batch (certificates issued and shown, linking to /c/…), is
refused a rejection without a reason, rejects one with a reason; an issuer officer is refused."""

from __future__ import annotations

import re
from uuid import UUID

from domain.person_account import AccountRole
from domain.promotion_rules import CompetitionTier
from service.competitions import EntrantRegistration
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import SCHEME, PagesWorld, csrf_of, mark
from tests.pages.people import signed_in
from tests.pages.test_accounts_pages import field_error
from tests.pages.test_console_bodies import settled


def finalised_with_proposals(pages_world: PagesWorld) -> tuple[UUID, list[UUID]]:
    world, ledger = pages_world.world, pages_world.ledger
    names = ("周一", "吴二", "郑三", "王四")
    entrants = [world.fresh_worker(world.ids["org_a"], name=n) for n in names]
    competition_id = ledger.competitions.announce_competition(
        organiser_id=world.ids["union"],
        reference="PAGES-APPROVALS",
        name="朝阳区电工技术比武",
        tier=CompetitionTier.DISTRICT,
        occupation_code=ELECTRICIAN,
        exam_level="3",
        year=2025,
        region="110105",
        issuing_body_id=world.ids["org_a"],
        marking_scheme=SCHEME,
        promotion_rule_set="tianjin-2024",
        actor="test",
    ).aggregate.id
    ledger.competitions.register_entrants(
        competition_id, [EntrantRegistration(w, "employee") for w in entrants], actor="test"
    )
    for worker, (p, t) in zip(
        entrants, (("95", "90"), ("90", "85"), ("85", "80"), ("60", "50")), strict=True
    ):
        mark(world, competition_id, worker, p, t)
    for component in ("practical", "theory"):
        ledger.competitions.lock_component(competition_id, component, actor="test")
    ledger.competitions.finalise_competition(competition_id, actor="test")
    ledger.competitions.submit_proposals(competition_id, actor="test")  # 报送: now queued
    return competition_id, entrants


def rows_of(html: str, table: str) -> list[str]:
    body = re.search(rf'id="{table}">(.*?)</table>', html, re.S)
    return re.findall(r"<tr[ >].*?</tr>", body.group(1), re.S)[1:] if body else []


def test_an_hr_official_approves_a_batch_and_rejects_one(pages_world: PagesWorld):
    ledger = pages_world.ledger
    competition_id, entrants = finalised_with_proposals(pages_world)
    keys = [f"{competition_id}:{worker}" for worker in entrants]
    settled(pages_world)
    hr = signed_in(
        pages_world,
        "approvals.hr@bureau.example",
        AccountRole.HR_OFFICIAL,
        pages_world.world.ids["union"],
    )
    page = hr.get("/console/approvals")
    assert page.status_code == 200 and 'href="/console/approvals"' in page.text
    pending = [row for row in rows_of(page.text, "pending") if "朝阳区电工技术比武" in row]
    assert len(pending) == 4
    first = pending[0]
    assert "周一" in first and "金牌" in first and "第 1 名 / 4" in first
    assert "tianjin-2024/city-2-or-district-top-6-employees" in first
    assert "no current level in this occupation" in first and "三级/高级工" in first
    masked = re.search(r'<code class="nowrap">([^<]+)</code>', first).group(1)
    full = pages_world.world.id_numbers[entrants[0]].reveal()
    assert "*" in masked and full not in page.text

    csrf = csrf_of(page.text)
    approved = hr.post(
        "/console/approvals",
        data={"csrf": csrf, "proposal": keys[:2], "action": "approve", "reason": "核准"},
    )
    assert approved.status_code == 303
    competition = ledger.competition(competition_id)
    numbers = [competition.proposals[str(w)]["certificate_number"] for w in entrants[:2]]
    assert all(numbers)
    assert all(
        ledger.certificate(n).worker_id == w for n, w in zip(numbers, entrants, strict=False)
    )
    shown = hr.get(approved.headers["Location"]).text
    assert "已核准 2 项，不予核准 0 项" in shown
    notice = re.search(r'id="decided-notice">(.*?)</div>', shown, re.S).group(1)
    assert re.findall(r'class="issued-number">([^<]+)<', notice) == numbers
    for number in numbers:
        assert f'href="/c/{number}"' in shown

    no_reason = hr.post(
        "/console/approvals", data={"csrf": csrf, "reject_one": keys[2], "reason": ""}
    )
    assert no_reason.status_code == 422 and field_error(no_reason.text, "reason")
    assert ledger.competition(competition_id).proposals[str(entrants[2])]["status"] == "proposed"
    rejected = hr.post(
        "/console/approvals",
        data={"csrf": csrf, "reject_one": keys[2], "reason": "比赛作品非本人完成，经核查属实"},
    )
    assert rejected.status_code == 303
    decision = ledger.competition(competition_id).proposals[str(entrants[2])]
    assert decision["status"] == "rejected" and decision["note"].startswith("比赛作品")
    assert decision["decided_by"].startswith("admin:person:")
    shown = hr.get(rejected.headers["Location"]).text
    assert "比赛作品非本人完成" in shown

    # a stale batch: the approved row is refused beside its row, the other is approved
    stale = hr.post(
        "/console/approvals",
        data={"csrf": csrf, "proposal": [keys[0], keys[3]], "action": "approve", "reason": ""},
    )
    assert stale.status_code == 422
    assert "已核准 1 项" in stale.text and "1 项未办理" in stale.text
    refused = [row for row in rows_of(stale.text, "decided") if "proposal-decided" in row]
    assert len(refused) == 1 and "周一" in refused[0]
    assert ledger.competition(competition_id).proposals[str(entrants[3])]["status"] == "approved"


def test_an_auditor_reads_and_an_officer_is_refused(pages_world: PagesWorld):
    auditor = signed_in(pages_world, "approvals.auditor@audit.example", AccountRole.AUDITOR)
    page = auditor.get("/console/approvals")
    assert page.status_code == 200 and 'id="approve-selected"' not in page.text
    refused = auditor.post(
        "/console/approvals", data={"csrf": csrf_of(page.text), "action": "approve"}
    )
    assert refused.status_code == 403
    officer = signed_in(
        pages_world,
        "approvals.officer@body.example",
        AccountRole.ISSUER_OFFICER,
        pages_world.world.ids["org_a"],
    )
    assert officer.get("/console/approvals").status_code == 403
    home = officer.get("/console")
    assert 'href="/console/approvals"' not in home.text
    assert (
        officer.post(
            "/console/approvals", data={"csrf": csrf_of(home.text), "action": "approve"}
        ).status_code
        == 403
    )
