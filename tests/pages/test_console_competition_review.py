"""The chief judge's spread review queue: a flagged entrant×component shows the judges' marks
side by side with the spread and the limit; a correction needs a judge, a new mark and a reason,
and one that changes nothing is refused beside the mark with its rule; a review (复核) confirms
the marks with a note and takes the row off the queue; an auditor reads without forms."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from domain.competition import MarkEntry
from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, competition, csrf_of
from tests.pages.people import signed_in


@pytest.fixture(scope="module")
def flagged(pages_world: PagesWorld) -> UUID:
    """A competition whose first two entrants' practical marks spread 60 (limit 50)."""
    world = pages_world.world
    competition_id = competition(world, "PAGES-REVIEW", pages_world.entrants)
    first, second, _ = pages_world.entrants
    world.ledger.competitions.record_marks(
        competition_id,
        [
            MarkEntry(first, "practical", "裁判甲", "90"),
            MarkEntry(first, "practical", "裁判乙", "30"),
            MarkEntry(second, "practical", "裁判甲", "88"),
            MarkEntry(second, "practical", "裁判乙", "20"),
        ],
        actor="test",
    )
    return competition_id


def organiser_of(pages_world: PagesWorld, login: str):
    return signed_in(pages_world, login, AccountRole.ORGANISER, pages_world.world.ids["union"])


def rows(html: str) -> list[str]:
    return re.findall(r'class="card review-row[^"]*" id="flag-\d+" data-row="([^"]+)"', html)


def test_the_queue_shows_each_flagged_spread_with_marks_spread_and_limit(pages_world, flagged):
    organiser = organiser_of(pages_world, "review.org1@union.example")
    page = organiser.get(f"/console/competitions/{flagged}/review")
    assert page.status_code == 200
    first, second, _ = pages_world.entrants
    assert rows(page.text) == [f"{first}:practical", f"{second}:practical"]
    card = re.search(r'id="flag-1".*?</article>', page.text, re.S).group(0)
    assert "1 号 赵六 · practical" in card
    assert "差异 60 分，上限 50 分" in card
    assert '<td class="number">90</td><td class="number">30</td>' in card
    assert 'aria-current="page">评分复核' in page.text
    english = organiser.get(f"/console/competitions/{flagged}/review?lang=en")
    assert "Spread 60, limit 50" in english.text


def test_a_correction_is_refused_beside_its_field_then_recorded(pages_world, flagged):
    organiser = organiser_of(pages_world, "review.org2@union.example")
    url = f"/console/competitions/{flagged}/review"
    csrf = csrf_of(organiser.get(url).text)
    first = pages_world.entrants[0]
    row = f"{first}:practical"
    empty = organiser.post(f"{url}/correct", data={"csrf": csrf, "row": row})
    assert empty.status_code == 422
    assert 'id="flag-1-judge-error">请选择要更正哪位裁判的评分。' in empty.text
    assert 'id="flag-1-mark-error">请填写更正后的分数。' in empty.text
    assert 'id="flag-1-reason-error">请写明更正原因' in empty.text
    same = organiser.post(
        f"{url}/correct",
        data={"csrf": csrf, "row": row, "judge": "裁判乙", "mark": "30", "reason": "核对"},
    )
    assert same.status_code == 422
    error = re.search(r'id="flag-1-mark-error">([^<]+)<', same.text).group(1)
    assert "correction-changes-nothing" in error and "更正不会改变任何分数" in error
    assert 'value="核对"' not in same.text and ">核对</textarea>" in same.text  # kept
    done = organiser.post(
        f"{url}/correct",
        data={"csrf": csrf, "row": row, "judge": "裁判乙", "mark": "８５", "reason": "录入错误"},
    )
    assert done.status_code == 303 and done.location.endswith("review?done=corrected")
    after = organiser.get(done.location)
    assert "已更正评分" in after.text
    assert rows(after.text) == [f"{pages_world.entrants[1]}:practical"]
    answered = re.search(r'id="answered">(.*?)</table>', after.text, re.S).group(1)
    assert "裁判乙：30 → 85" in answered and "录入错误" in answered
    assert pages_world.ledger.competition(flagged).component_marks(first, "practical") == {
        "裁判甲": "90",
        "裁判乙": "85",
    }


def test_a_review_confirms_the_marks_with_a_note(pages_world, flagged):
    organiser = organiser_of(pages_world, "review.org3@union.example")
    url = f"/console/competitions/{flagged}/review"
    csrf = csrf_of(organiser.get(url).text)
    second = pages_world.entrants[1]
    row = f"{second}:practical"
    blank = organiser.post(f"{url}/confirm", data={"csrf": csrf, "row": row, "note": " "})
    assert blank.status_code == 422
    assert re.search(r'id="flag-\d+-note-error">请写明复核情况', blank.text)
    done = organiser.post(
        f"{url}/confirm", data={"csrf": csrf, "row": row, "note": "调阅评分表，维持原评分"}
    )
    assert done.status_code == 303
    after = organiser.get(done.location)
    assert "已复核确认" in after.text and row not in rows(after.text)
    assert "调阅评分表，维持原评分" in after.text
    again = organiser.post(f"{url}/confirm", data={"csrf": csrf, "row": row, "note": "再次"})
    assert again.status_code == 422
    assert "nothing-to-review" in again.text


def test_a_locked_component_refuses_with_its_rule(pages_world):
    world = pages_world.world
    locked = competition(world, "PAGES-REVIEW-LOCKED", pages_world.entrants[:1])
    first = pages_world.entrants[0]
    world.ledger.competitions.record_marks(
        locked,
        [MarkEntry(first, "practical", "裁判甲", "90"), MarkEntry(first, "theory", "裁判甲", "80")],
        actor="test",
    )
    world.ledger.competitions.lock_component(locked, "practical", actor="test")
    organiser = organiser_of(pages_world, "review.org4@union.example")
    url = f"/console/competitions/{locked}/review"
    csrf = csrf_of(organiser.get(url).text)
    answer = organiser.post(
        f"{url}/correct",
        data={
            "csrf": csrf,
            "row": f"{first}:practical",
            "judge": "裁判甲",
            "mark": "91",
            "reason": "x",
        },
    )
    assert answer.status_code == 422
    assert "component-locked" in answer.text and "该赛项已封分" in answer.text


def test_an_auditor_reads_the_queue_without_forms(pages_world, flagged):
    auditor = signed_in(pages_world, "review.auditor@audit.example", AccountRole.AUDITOR)
    page = auditor.get(f"/console/competitions/{flagged}/review")
    assert page.status_code == 200
    assert "/review/correct" not in page.text
    answer = auditor.post(
        f"/console/competitions/{flagged}/review/confirm",
        data={"csrf": csrf_of(auditor.get("/console").text), "row": "x", "note": "x"},
    )
    assert answer.status_code == 403
