"""Locks (封分) and finalisation (公布结果) in the console: a component not fully marked is
refused beside its button with ``marks-incomplete``, one with an unreviewed spread with
``flagged-marks-unreviewed``; finalising before every lock is refused with
``components-not-locked``; once all are locked the results are published and the page shows the
ranking, awards and a link to the public leaderboard."""

from __future__ import annotations

import re

from domain.competition import MarkEntry
from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, competition, csrf_of, mark
from tests.pages.people import signed_in


def lock_row(html: str, component: str) -> str:
    found = re.search(rf'data-component="{component}">(.*?)</li>', html, re.S)
    assert found, component
    return found.group(1)


def test_locks_are_refused_with_their_rule_then_finalised(pages_world: PagesWorld):
    world = pages_world.world
    first, second, third = pages_world.entrants
    competition_id = competition(world, "PAGES-LOCKS", pages_world.entrants)
    mark(world, competition_id, first, "90", "80")
    mark(world, competition_id, second, "85", "75")
    organiser = signed_in(
        pages_world, "locks.org@union.example", AccountRole.ORGANISER, world.ids["union"]
    )
    url = f"/console/competitions/{competition_id}/locks"
    page = organiser.get(url)
    assert page.status_code == 200
    practical = lock_row(page.text, "practical")
    assert "已评完 2 / 3 人" in practical and "未评完的选手：3 号" in practical
    csrf = csrf_of(page.text)

    incomplete = organiser.post(url, data={"csrf": csrf, "component": "practical"})
    assert incomplete.status_code == 422
    error = re.search(r'id="lock-1-error">([^<]+)<', incomplete.text).group(1)
    assert "marks-incomplete" in error and "还有选手未评完" in error

    world.ledger.competitions.record_marks(
        competition_id,
        [
            MarkEntry(third, "practical", "裁判甲", "90"),
            MarkEntry(third, "practical", "裁判乙", "20"),  # a spread of 70 > 50: flagged
            MarkEntry(third, "theory", "裁判甲", "60"),
        ],
        actor="test",
    )
    flagged = organiser.post(url, data={"csrf": csrf, "component": "practical"})
    assert flagged.status_code == 422
    assert "flagged-marks-unreviewed" in lock_row(flagged.text, "practical")
    assert f'href="/console/competitions/{competition_id}/review"' in flagged.text

    early = organiser.post(f"/console/competitions/{competition_id}/finalise", data={"csrf": csrf})
    assert early.status_code == 422
    assert "components-not-locked" in re.search(r'id="finalise-error">([^<]+)<', early.text).group(
        1
    )

    world.ledger.competitions.review_spread(
        competition_id, worker_id=third, component="practical", note="复核", actor="test"
    )
    for component in ("practical", "theory"):
        locked = organiser.post(url, data={"csrf": csrf, "component": component})
        assert locked.status_code == 303, locked.text
    after = organiser.get(locked.location)
    assert "已封分：theory" in after.text
    assert "已封分" in lock_row(after.text, "practical")
    assert 'name="component" value="practical"' not in after.text

    final = organiser.post(f"/console/competitions/{competition_id}/finalise", data={"csrf": csrf})
    assert final.status_code == 303
    done = organiser.get(final.location)
    assert "结果已公布" in done.text and 'id="finalise-form"' not in done.text
    assert f'href="/competitions/{competition_id}" id="public-board"' in done.text
    results = re.search(r'id="results">(.*?)</table>', done.text, re.S).group(1)
    assert results.index("1 号 赵六") < results.index("2 号 钱七")
    assert "3 名选手排名" in done.text
    assert world.ledger.competition(competition_id).is_final


def test_an_auditor_sees_the_locks_without_buttons(pages_world: PagesWorld):
    auditor = signed_in(pages_world, "locks.auditor@audit.example", AccountRole.AUDITOR)
    page = auditor.get(f"/console/competitions/{pages_world.marking}/locks")
    assert page.status_code == 200
    assert 'name="component"' not in page.text and 'id="finalise-form"' not in page.text
    final = auditor.get(f"/console/competitions/{pages_world.finalised}/locks")
    assert "结果已于" in final.text and 'id="results"' in final.text


def test_with_a_panel_a_component_is_complete_when_every_judge_has_marked(pages_world):
    """The lock page counts as the lock rule does: with a panel (裁判组), an entrant is fully
    marked when every judge of it has marked; it names the panel and who has submitted."""
    world = pages_world.world
    ledger = world.ledger
    first, second, _ = pages_world.entrants
    competition_id = competition(world, "PAGES-LOCKS-PANEL", [first, second])
    judges = [{"name": "裁判甲"}, {"name": "裁判乙"}]
    ledger.competitions.assign_judges(
        competition_id, component="practical", judges=judges, actor="test"
    )
    ledger.competitions.record_marks(
        competition_id,
        [
            MarkEntry(first, "practical", "裁判甲", "80"),
            MarkEntry(second, "practical", "裁判甲", "82"),
            MarkEntry(first, "practical", "裁判乙", "81"),
        ],
        actor="test",
    )
    ledger.competitions.submit_marks(
        competition_id, component="practical", judge="裁判甲", actor="test"
    )
    organiser = signed_in(
        pages_world, "locks.panel@union.example", AccountRole.ORGANISER, world.ids["union"]
    )
    url = f"/console/competitions/{competition_id}/locks"
    practical = lock_row(organiser.get(url).text, "practical")
    assert "已评完 1 / 2 人" in practical and "未评完的选手：2 号" in practical
    assert "裁判甲（已提交）" in practical and "裁判乙（未提交）" in practical
    csrf = csrf_of(organiser.get(url).text)
    refused = organiser.post(url, data={"csrf": csrf, "component": "practical"})
    assert refused.status_code == 422
    assert "marks-incomplete" in lock_row(refused.text, "practical")
