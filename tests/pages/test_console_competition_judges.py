"""A competition's judging panels in the console: one judge a line (name, login), a panel recorded
per component, new logins invited as judge accounts of this competition with their links shown
once; refusals (a judge who has marked removed, a name twice, a login of another account, a bad
login) beside the component's field, nothing recorded."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from domain.person_account import AccountRole
from service.pages.console_competition_judges import judge_lines
from tests.pages.pages_world import PagesWorld, competition, csrf_of
from tests.pages.people import field_error, signed_in


def organiser(pages_world: PagesWorld, login: str) -> Any:
    union = pages_world.world.ids["union"]
    return signed_in(pages_world, login, AccountRole.ORGANISER, union)


def test_judge_lines_read_a_name_and_an_optional_login(pages_world: PagesWorld):
    with pages_world.world.app.test_request_context():
        assert judge_lines("裁判甲 not-a-login")[1]
    judges, trouble = judge_lines("裁判甲, Judge.A@Union.example\n\n裁判乙，13800138000\n裁判丙\n")
    assert trouble is None
    assert judges == [
        {"name": "裁判甲", "login": "judge.a@union.example"},
        {"name": "裁判乙", "login": "13800138000"},
        {"name": "裁判丙", "login": None},
    ]


def test_the_judges_tab_has_a_form_per_component(pages_world: PagesWorld):
    client = organiser(pages_world, "judges.a@union.example")
    page = client.get(f"/console/competitions/{pages_world.marking}/judges")
    assert page.status_code == 200
    assert 'id="judges_0"' in page.text and 'id="judges_1"' in page.text
    assert re.search(
        r'<a href="/console/competitions/[^"]+/judges" aria-current="page">', page.text
    )
    auditor = signed_in(pages_world, "judges.aud@audit.example", AccountRole.AUDITOR)
    read = auditor.get(f"/console/competitions/{pages_world.marking}/judges")
    assert read.status_code == 200 and 'id="judges_0"' not in read.text


def test_a_panel_is_recorded_and_new_judges_invited_once(pages_world: PagesWorld):
    world = pages_world.world
    competition_id = competition(world, "JUDGES-1", [])
    client = organiser(pages_world, "judges.b@union.example")
    path = f"/console/competitions/{competition_id}/judges"
    csrf = csrf_of(client.get(path).text)
    lines = "裁判甲, judge.one@union.example\n裁判乙, judge.two@union.example\n裁判丙"
    answer = client.post(
        path, data={"csrf": csrf, "component": "practical", "judges": lines, "invite": "1"}
    )
    panel = pages_world.ledger.competition(competition_id).panels["practical"]
    assert [judge["name"] for judge in panel] == ["裁判甲", "裁判乙", "裁判丙"]
    assert answer.status_code == 201
    links = re.findall(r'<code class="invitation-link">([^<]+)</code>', answer.text)
    assert len(links) == 2 and all("/invitation/" in link for link in links)
    account = pages_world.ledger.accounts.find("judge.one@union.example")
    assert account.role is AccountRole.JUDGE and account.competition_id == competition_id
    again = client.get(path)
    assert "invitation-link" not in again.text  # shown only once
    assert again.text.count("已有账号") == 2
    kept = client.post(  # the same panel again: nobody invited twice
        path, data={"csrf": csrf, "component": "practical", "judges": lines, "invite": "1"}
    )
    assert kept.status_code == 303


def test_refusals_are_beside_the_components_field(pages_world: PagesWorld):
    client = organiser(pages_world, "judges.c@union.example")
    path = f"/console/competitions/{pages_world.marking}/judges"
    csrf = csrf_of(client.get(path).text)
    version = pages_world.ledger.competition(pages_world.marking).version

    def post(lines: str) -> Any:
        return client.post(path, data={"csrf": csrf, "component": "practical", "judges": lines})

    marked = post("裁判乙\n裁判丙")  # 裁判甲 has marked practical
    assert marked.status_code == 422
    assert "judge-has-marks" in field_error(marked.text, "judges_0")
    assert "裁判乙\n裁判丙" in marked.text  # the lines kept
    twice = post("裁判甲\n裁判甲")
    assert twice.status_code == 422 and "duplicate-judge" in field_error(twice.text, "judges_0")
    bad = post("裁判甲, not a login")
    assert bad.status_code == 422 and field_error(bad.text, "judges_0")
    taken = post("裁判甲, judges.c@union.example")  # the organiser's own login
    assert taken.status_code == 422 and "已属于另一个账号" in field_error(taken.text, "judges_0")
    assert pages_world.ledger.competition(pages_world.marking).version == version


def test_an_unknown_component_is_refused(pages_world: PagesWorld):
    client = organiser(pages_world, "judges.d@union.example")
    path = f"/console/competitions/{pages_world.marking}/judges"
    csrf = csrf_of(client.get(path).text)
    answer = client.post(path, data={"csrf": csrf, "component": "dance", "judges": "裁判甲"})
    assert answer.status_code == 422
    assert isinstance(pages_world.marking, UUID)
