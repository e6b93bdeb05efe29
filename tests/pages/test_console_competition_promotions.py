"""Promotion proposals in the organiser's console: after finalisation the proposals the rules gave
(worker with masked ID number, rank, rule and explanation, current → proposed level) wait to be
submitted and are not in the HR bureau's queue; submitting puts them there (a second submission
is refused beside the button with ``no-proposals-to-submit``); the bureau's decisions show
(approved with the certificate linked, rejected with the reason), and a proposal is flagged when
the certificate it rests on is revoked (its current-level certificate, or the one issued)."""

from __future__ import annotations

import re
from uuid import UUID

from domain.person_account import AccountRole
from domain.promotion_rules import CompetitionTier
from service.competitions import EntrantRegistration
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import SCHEME, PagesWorld, csrf_of, mark
from tests.pages.people import signed_in
from tests.pages.test_console_bodies import settled

NAMES = ("冯一", "陈二", "褚三", "卫四")


def finalised(pages_world: PagesWorld) -> tuple[UUID, list[UUID], str]:
    """A finalised district competition under tianjin-2024; the first entrant held a 五级
    electrician's certificate (its number returned) when the results were published."""
    world, ledger = pages_world.world, pages_world.ledger
    entrants = [world.fresh_worker(world.ids["org_a"], name=n) for n in NAMES]
    held = world.fresh_certificate(entrants[0])
    competition_id = ledger.competitions.announce_competition(
        organiser_id=world.ids["union"],
        reference="PAGES-PROMOTIONS",
        name="朝阳区电工晋级比武",
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
    return competition_id, entrants, held


def row_of(html: str, name: str) -> str:
    for row in re.findall(r'<tr id="proposal-\d+".*?</tr>', html, re.S):
        if name in row:
            return str(row)
    raise AssertionError(f"no row of {name}")


def test_proposals_are_submitted_decided_and_flagged(pages_world: PagesWorld):
    ledger = pages_world.ledger
    competition_id, entrants, held = finalised(pages_world)
    organiser = signed_in(
        pages_world,
        "promo.org@union.example",
        AccountRole.ORGANISER,
        pages_world.world.ids["union"],
    )
    bureau = signed_in(pages_world, "promo.hr@hr.example", AccountRole.ADMIN)
    url = f"/console/competitions/{competition_id}/promotions"
    settled(pages_world)
    page = organiser.get(url)
    assert page.status_code == 200
    proposals = ledger.competition(competition_id).proposals
    assert len(re.findall(r'<tr id="proposal-\d+"', page.text)) == len(proposals) >= 2
    first = row_of(page.text, "冯一")
    assert 'data-standing="unsubmitted"' in first and "待报送" in first
    assert "第 1 名 / 4" in first and "tianjin-2024" in first
    assert re.search(r"<code class=\"nowrap\">\d{6}\*+\d{3}[\dX]</code>", first)  # masked
    assert "五级" in first  # the level the proposal starts from
    assert "冯一" not in bureau.get("/console/approvals").text  # not submitted: not queued

    csrf = csrf_of(page.text)
    submitted = organiser.post(f"{url}/submit", data={"csrf": csrf})
    assert submitted.status_code == 303
    after = organiser.get(submitted.location)
    assert f"已报送 {len(proposals)} 项晋级建议" in after.text
    assert 'data-standing="submitted"' in row_of(after.text, "冯一")
    assert "冯一" in bureau.get("/console/approvals").text
    again = organiser.post(f"{url}/submit", data={"csrf": csrf})
    assert again.status_code == 422
    error = re.search(r'id="submit-error">([^<]+)<', again.text).group(1)
    assert "no-proposals-to-submit" in error and "没有待报送的晋级建议" in error

    # the bureau decides; then two certificates the proposals rest on are revoked
    ledger.competitions.approve_promotion(competition_id, entrants[1], actor="hr")
    ledger.competitions.reject_promotion(competition_id, entrants[2], reason="材料不全", actor="hr")
    issued = ledger.competition(competition_id).proposals[str(entrants[1])]["certificate_number"]
    ledger.certificates.change_certificate_status(held, "revoke", actor="test", reason="考试作弊")
    ledger.certificates.change_certificate_status(issued, "revoke", actor="test", reason="冒名")
    settled(pages_world)
    decided = organiser.get(url)
    approved = row_of(decided.text, "陈二")
    assert 'data-standing="approved"' in approved
    assert f'href="/c/{issued}"' in approved
    assert f"据此签发的证书 {issued} 已被撤销 · 理由：冒名" in approved
    rejected = row_of(decided.text, "褚三")
    assert "不予核准" in rejected and "理由：材料不全" in rejected
    assert "flagged" not in rejected
    flagged = row_of(decided.text, "冯一")
    assert f"所依据的现有等级证书 {held} 已被撤销 · 理由：考试作弊" in flagged
    assert "2 项建议所依据的证书已被撤销" in decided.text
    english = organiser.get(f"{url}?lang=en")
    assert "The certificate issued for it" in english.text


def test_before_finalisation_there_is_nothing_to_submit(pages_world: PagesWorld):
    organiser = signed_in(
        pages_world,
        "promo.org2@union.example",
        AccountRole.ORGANISER,
        pages_world.world.ids["union"],
    )
    page = organiser.get(f"/console/competitions/{pages_world.marking}/promotions")
    assert page.status_code == 200
    assert 'id="not-final"' in page.text and 'id="submit-form"' not in page.text
    refused = organiser.post(
        f"/console/competitions/{pages_world.marking}/promotions/submit",
        data={"csrf": csrf_of(page.text)},
    )
    assert refused.status_code == 422 and "results-not-final" in refused.text
