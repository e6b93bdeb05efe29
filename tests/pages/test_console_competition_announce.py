"""Announcing a competition from the console (/console/competitions/new): the organiser picks the
occupation by name, fills component rows (more by "add a row", no script), and a refusal shows
its rule beside the field it concerns, 422, the form kept, nothing recorded."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from domain.person_account import AccountRole
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import field_error, signed_in

NEW = "/console/competitions/new"


def announcement(csrf: str, reference: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf": csrf,
        "rows": "3",
        "name": "河西区电工技术比武",
        "reference": reference,
        "tier": "district",
        "year": "2025",
        "occupation_code": ELECTRICIAN,
        "exam_level": "3",
        "region": "天津市河西区",
        "issuing_body_id": "",
        "component_0_name": "实操",
        "component_0_kind": "measurement",
        "component_0_weight": "70",
        "component_1_name": "理论",
        "component_1_kind": "judgement",
        "component_1_weight": "30",
        "component_2_name": "",
        "component_2_kind": "measurement",
        "component_2_weight": "",
        "combination": "mean",
        "max_spread": "10",
        "promotion_rule_set": "",
    }
    form.update(changes)
    return form


def organiser(pages_world: PagesWorld, login: str) -> Any:
    union = pages_world.world.ids["union"]
    return signed_in(pages_world, login, AccountRole.ORGANISER, union)


def test_an_organiser_announces_from_the_list(pages_world: PagesWorld):
    client = organiser(pages_world, "announce.a@union.example")
    listing = client.get("/console/competitions")
    assert f'href="{NEW}"' in listing.text
    form = client.get(NEW)
    assert form.status_code == 200
    assert "电工（6-31-01-03）" in form.text  # occupations by name
    assert 'value="national-2023"' in form.text and "无（不提出晋级建议）" in form.text
    answer = client.post(NEW, data=announcement(csrf_of(form.text), "ANN-1"))
    assert answer.status_code == 303, field_error(answer.text, "components") or answer.text
    competition_id = UUID(answer.headers["Location"].split("/")[3].split("?")[0])
    overview = client.get(answer.headers["Location"])
    assert "竞赛已发布" in overview.text and "河西区电工技术比武" in overview.text
    competition = pages_world.ledger.competition(competition_id)
    assert competition.organiser_id == pages_world.world.ids["union"]
    assert [c.name for c in competition.scheme.components] == ["实操", "理论"]
    assert str(competition.scheme.max_spread) == "10"
    assert competition.provisional_board == "public-after-lock"  # the default


def test_the_provisional_board_is_chosen_at_announcement(pages_world: PagesWorld):
    client = organiser(pages_world, "announce.e@union.example")
    csrf = csrf_of(client.get(NEW).text)
    answer = client.post(NEW, data=announcement(csrf, "ANN-6", provisional_board="private"))
    assert answer.status_code == 303
    competition_id = UUID(answer.headers["Location"].split("/")[3].split("?")[0])
    assert pages_world.ledger.competition(competition_id).provisional_board == "private"
    wrong = client.post(NEW, data=announcement(csrf, "ANN-7", provisional_board="everyone"))
    assert wrong.status_code == 422 and field_error(wrong.text, "provisional_board")


def test_add_row_keeps_the_form_and_adds_a_row(pages_world: PagesWorld):
    client = organiser(pages_world, "announce.b@union.example")
    csrf = csrf_of(client.get(NEW).text)
    answer = client.post(NEW, data={**announcement(csrf, "ANN-2"), "add_row": "1"})
    assert answer.status_code == 200
    assert 'id="component_3_name"' in answer.text and 'value="实操"' in answer.text
    assert 'name="rows" value="4"' in answer.text


def test_refusals_show_their_rule_beside_the_field(pages_world: PagesWorld):
    client = organiser(pages_world, "announce.c@union.example")
    csrf = csrf_of(client.get(NEW).text)
    weights = client.post(NEW, data=announcement(csrf, "ANN-3", component_1_weight="20"))
    assert weights.status_code == 422
    assert "weights-must-sum-to-100" in weights.text
    assert "各赛项权重之和须为 100" in field_error(weights.text, "components")
    assert 'value="河西区电工技术比武"' in weights.text  # the form kept
    needs_body = client.post(
        NEW, data=announcement(csrf, "ANN-3", promotion_rule_set="tianjin-2024")
    )
    assert needs_body.status_code == 422
    assert "promotion-needs-issuing-body" in re.search(
        r'id="issuing_body_id-error">(.*?)</p>', needs_body.text, re.S
    ).group(1)
    blank = client.post(NEW, data=announcement(csrf, "", name="", occupation_code=""))
    assert blank.status_code == 422
    for field in ("name", "reference", "occupation_code"):
        assert field_error(blank.text, field), field
    recorded = client.post(NEW, data=announcement(csrf, "ANN-3"))
    assert recorded.status_code == 303
    again = client.post(NEW, data=announcement(csrf, "ANN-3"))
    assert again.status_code == 422
    assert "duplicate-reference" in re.search(
        r'id="reference-error">(.*?)</p>', again.text, re.S
    ).group(1)


def test_a_rule_set_not_covering_the_tier_is_refused_beside_the_rule_set(pages_world: PagesWorld):
    client = organiser(pages_world, "announce.d@union.example")
    form = client.get(NEW).text
    body = str(pages_world.world.ids["org_a"])
    assert f'value="{body}"' in form  # an evaluation body to issue the certificates
    answer = client.post(
        NEW,
        data=announcement(
            csrf_of(form), "ANN-4", promotion_rule_set="national-2023", issuing_body_id=body
        ),
    )
    assert answer.status_code == 422
    beside = re.search(r'id="promotion_rule_set-error">(.*?)</p>', answer.text, re.S).group(1)
    assert "rule-set-does-not-cover-tier" in beside
    assert "这套晋级规则不适用于这个竞赛级别" in beside


def test_only_a_union_announces(pages_world: PagesWorld):
    auditor = signed_in(pages_world, "announce.aud@audit.example", AccountRole.AUDITOR)
    assert auditor.get(NEW).status_code == 403
    assert f'href="{NEW}"' not in auditor.get("/console/competitions").text
    csrf = csrf_of(auditor.get("/console").text)
    assert auditor.post(NEW, data=announcement(csrf, "ANN-5")).status_code == 403


def test_the_board_visibility_is_changed_on_the_overview(pages_world: PagesWorld):
    client = organiser(pages_world, "announce.f@union.example")
    csrf = csrf_of(client.get(NEW).text)
    answer = client.post(NEW, data=announcement(csrf, "ANN-8"))
    overview = client.get(answer.headers["Location"])
    assert (
        'id="board-public-after-lock" name="provisional_board" value="public-after-lock" checked'
        in overview.text
    )
    path = answer.headers["Location"].split("?")[0] + "/board-visibility"
    changed = client.post(path, data={"csrf": csrf, "provisional_board": "public"})
    assert changed.status_code == 303
    page = client.get(changed.headers["Location"])
    assert "已保存排行榜的公开方式" in page.text
    assert "评分中即公开实时排行榜" in re.search(
        r'id="board-visibility">(.*?)</dd>', page.text
    ).group(1)
    assert client.post(path, data={"csrf": csrf, "provisional_board": "x"}).status_code == 422
