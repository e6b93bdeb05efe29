"""``/console/honours`` through the real app: a union official defines a ladder with the tier
rule (逐级评选), awards titles in order across the years, is refused a skip beside the field
(nothing recorded), withdraws one with a reason; an auditor reads; an issuer officer is
refused."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from domain.honour_ladder import HonourLadder
from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import field_error, signed_in, signed_in_officer

TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]


@pytest.fixture(scope="module")
def union(pages_world: PagesWorld) -> UUID:
    return pages_world.world.ids["union"]


@pytest.fixture(scope="module")
def official(pages_world: PagesWorld, union: UUID):
    return signed_in(pages_world, "honours.union@example.cn", AccountRole.UNION_OFFICIAL, union)


@pytest.fixture(scope="module")
def ruled(pages_world: PagesWorld, official, union: UUID) -> UUID:
    """A ladder defined through the page, with the tier rule."""
    page = official.get("/console/honours")
    assert page.status_code == 200
    answer = official.post(
        "/console/honours",
        data={
            "csrf": csrf_of(page.text),
            "name": "朝阳工匠荣誉（页面）",
            "tiers": "\n".join(TIERS),
            "requires_tier_below": "on",
            "min_years_between": "1",
        },
    )
    assert answer.status_code == 303, answer.text
    ladder_id = HonourLadder.create_id(union_id=union, name="朝阳工匠荣誉（页面）")
    assert answer.headers["Location"].endswith(f"/console/honours/{ladder_id}?defined=1")
    return ladder_id


def post(client, ladder_id: UUID, action: str, **data: str):
    page = client.get(f"/console/honours/{ladder_id}")
    return client.post(
        f"/console/honours/{ladder_id}/{action}", data={"csrf": csrf_of(page.text), **data}
    )


def award(client, ladder_id: UUID, number, tier: str, year: int):
    return post(
        client, ladder_id, "award", id_kind="resident", id_number=number.reveal(), tier=tier,
        year=str(year),
    )  # fmt: skip


def test_a_ladder_defined_with_the_rule_is_listed_and_recorded(pages_world, official, ruled):
    ladder = pages_world.ledger.honour_ladder(ruled)
    assert ladder.tiers == TIERS
    assert (ladder.requires_tier_below, ladder.min_years_between) == (True, 1)
    listed = official.get("/console/honours").text
    assert "朝阳工匠荣誉（页面）" in listed
    assert "逐级评选：须已持有下一级称号，至少间隔 1 年" in listed
    page = official.get(f"/console/honours/{ruled}")
    assert "荣誉阶梯已设立。" in official.get(f"/console/honours/{ruled}?defined=1").text
    assert page.status_code == 200 and 'id="award-form"' in page.text
    for html in (listed, page.text):
        for field in re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html):
            assert f'<label for="{field}"' in html, field
        assert "style=" not in html


def test_titles_in_order_across_years_and_a_skip_refused_beside_the_field(
    pages_world, official, ruled
):
    world = pages_world.world
    worker = world.fresh_worker(name="陈工匠")
    number = world.id_numbers[worker]
    first = award(official, ruled, number, "朝阳能手", 2023)
    assert first.status_code == 303, first.text
    assert award(official, ruled, number, "朝阳匠心达人", 2024).status_code == 303
    events = len(list(pages_world.ledger.repository.event_store.get(ruled)))

    skip = award(official, ruled, number, "朝阳大师", 2025)
    assert skip.status_code == 422
    message = field_error(skip.text, "tier")
    assert "朝阳工匠" in message and "2024" in message, message
    assert 'aria-invalid="true" aria-describedby="tier-error"' in skip.text
    assert number.reveal() not in skip.text  # the number typed is never sent back
    same_year = award(official, ruled, number, "朝阳工匠", 2024)
    assert same_year.status_code == 422 and "朝阳匠心达人" in field_error(same_year.text, "tier")
    assert len(list(pages_world.ledger.repository.event_store.get(ruled))) == events

    ladder = pages_world.ledger.honour_ladder(ruled)
    assert ladder.highest_tier_of(worker) == "朝阳匠心达人"
    page = official.get(f"/console/honours/{ruled}").text
    assert "陈工匠" in page and number.masked in page and number.reveal() not in page

    unknown = post(
        official, ruled, "award", id_kind="resident", id_number="123", tier="朝阳能手", year="2024"
    )
    assert unknown.status_code == 422 and field_error(unknown.text, "id_number")


def test_a_title_is_withdrawn_with_a_reason(pages_world, official, ruled):
    world = pages_world.world
    worker = world.fresh_worker(name="周能手")
    answer = award(official, ruled, world.id_numbers[worker], "朝阳能手", 2024)
    award_id = re.search(r"awarded=([^&]+)", answer.headers["Location"]).group(1)
    blank = post(official, ruled, "withdraw", award_id=award_id, reason=" ")
    assert blank.status_code == 422 and field_error(blank.text, f"reason-{award_id}")
    done = post(official, ruled, "withdraw", award_id=award_id, reason="材料不实")
    assert done.status_code == 303
    ladder = pages_world.ledger.honour_ladder(ruled)
    assert ladder.awards[award_id]["withdrawn"] == "材料不实"
    assert ladder.highest_tier_of(worker) is None
    assert "已撤销：材料不实" in official.get(f"/console/honours/{ruled}").text


def test_the_rule_is_changed_with_a_reason(pages_world, official, union):
    ladder_id = pages_world.world.fresh_ladder(union)
    blank = post(official, ladder_id, "tier-rule", requires_tier_below="on", min_years_between="2")
    assert blank.status_code == 422 and field_error(blank.text, "rule_reason")
    done = post(
        official, ladder_id, "tier-rule", requires_tier_below="on", min_years_between="2",
        rule_reason="2025年起逐级评选",
    )  # fmt: skip
    assert done.status_code == 303
    assert pages_world.ledger.honour_ladder(ladder_id).min_years_between == 2


def test_an_auditor_reads_and_may_not_change(pages_world, ruled):
    auditor = signed_in(pages_world, "honours.auditor@example.cn", AccountRole.AUDITOR)
    listed = auditor.get("/console/honours")
    assert listed.status_code == 200 and "朝阳工匠荣誉（页面）" in listed.text
    assert 'id="define-form"' not in listed.text
    page = auditor.get(f"/console/honours/{ruled}")
    assert page.status_code == 200 and 'id="award-form"' not in page.text
    refused = auditor.post(
        f"/console/honours/{ruled}/withdraw",
        data={"csrf": csrf_of(page.text), "award_id": "X", "reason": "r"},
    )
    assert refused.status_code == 403


def test_another_unions_official_and_an_issuer_officer_are_refused(pages_world, ruled):
    world = pages_world.world
    other = signed_in(
        pages_world, "honours.other@example.cn", AccountRole.UNION_OFFICIAL, world.fresh_union()
    )
    assert "朝阳工匠荣誉（页面）" not in other.get("/console/honours").text
    assert other.get(f"/console/honours/{ruled}").status_code == 404
    officer = signed_in_officer(pages_world, "honours.officer@example.cn", world.ids["org_a"])
    assert officer.get("/console/honours").status_code == 403
    assert officer.get(f"/console/honours/{ruled}").status_code == 403


def test_an_administrator_defines_a_ladder_for_a_chosen_union(pages_world, union):
    admin = signed_in(pages_world, "honours.admin@example.cn", AccountRole.ADMIN)
    page = admin.get("/console/honours")
    assert page.status_code == 200 and 'id="union_id"' in page.text
    assert f'<option value="{union}"' in page.text
    data = {"csrf": csrf_of(page.text), "name": "管理员设立的阶梯", "tiers": "能手\n工匠"}
    missing = admin.post("/console/honours", data=data)
    assert missing.status_code == 422 and field_error(missing.text, "union_id")
    done = admin.post("/console/honours", data={**data, "union_id": str(union)})
    assert done.status_code == 303
    ladder = pages_world.ledger.honour_ladder(
        HonourLadder.create_id(union_id=union, name="管理员设立的阶梯")
    )
    assert ladder.tiers == ["能手", "工匠"] and not ladder.requires_tier_below
    again = admin.post("/console/honours", data={**data, "union_id": str(union)})
    assert again.status_code == 422 and field_error(again.text, "name")
