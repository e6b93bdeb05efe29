"""Score entry in the console (/console/sessions/<id>/scores) through the real app: a panel of
three practical examiners, marks typed into the grid, progress, refusals beside the cell,
corrections with their reason, the spreadsheet import's preview and record, who may save."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from domain.person_account import AccountRole
from domain.skill_level import SkillLevel
from service.evaluations.mark_sheet import MarkEntry, MarksRefused
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import field_error, signed_in
from tests.support.assertions import events_of

PANEL = ["甲", "乙", "丙"]
_serial = itertools.count(1)


def session_with_candidates(
    pages_world: PagesWorld, names: tuple[str, ...], starts_on: date = date(2025, 5, 1)
) -> tuple[UUID, list]:
    """A planned level-4 electrician session of employer A (practical panel 甲 乙 丙, started)
    with ``names`` enrolled on the 4-years route."""
    world, ledger = pages_world.world, pages_world.ledger
    body = world.ids["org_a"]
    recorded = ledger.evaluations.plan_evaluation(
        body_id=body,
        reference=f"SCORES-{next(_serial):02d}",
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_4,
        starts_on=starts_on,
        ends_on=date(2025, 7, 10),
        panels={"practical": PANEL},
        actor="test",
    )
    session_id = recorded.aggregate.id
    workers = []
    for name in names:
        worker = world.fresh_worker(body, name=name)
        ledger.evaluations.enrol_candidate(
            session_id,
            worker_id=worker,
            route_id="4-years",
            evidence={"experience": [{"start": "2015-01-01"}]},
            actor="test",
        )
        workers.append(worker)
    return session_id, workers


def officer(pages_world: PagesWorld, role: AccountRole = AccountRole.ISSUER_OFFICER) -> FlaskClient:
    """A fresh client signed in as a new person of ``role`` (an officer: of employer A)."""
    login = f"scores.{next(_serial)}@example.cn"
    body = pages_world.world.ids["org_a"] if role is AccountRole.ISSUER_OFFICER else None
    return signed_in(pages_world, login, role, body)


def grid(client: FlaskClient, session_id: UUID) -> Any:
    page = client.get(f"/console/sessions/{session_id}/scores")
    assert page.status_code == 200, page.text
    return page


def cell(worker: UUID, examiner: int, component: str = "practical") -> str:
    return f"m.{worker}.{component}.{examiner}"


def save(client: FlaskClient, session_id: UUID, marks: dict[str, str], **extra: str) -> Any:
    page = grid(client, session_id)
    return client.post(
        f"/console/sessions/{session_id}/scores",
        data={"csrf": csrf_of(page.text), **marks, **extra},
    )


def progress_text(html: str, component: str) -> str:
    found = re.search(rf'id="progress-{component}"[^>]*>[^<]*</progress>\s*<span>([^<]+)', html)
    assert found, f"no progress for {component}"
    return found.group(1)


def test_one_examiners_marks_leave_the_component_open_all_three_complete_it(pages_world):
    session_id, (a, b) = session_with_candidates(pages_world, ("张三", "李四"))
    client = officer(pages_world)
    page = grid(client, session_id)
    html = page.text
    assert '<label class="visually-hidden" for="m-1-practical-0">张三 操作技能 甲</label>' in html
    assert 'inputmode="decimal"' in html and progress_text(html, "practical") == "0 / 6 个分数"
    assert "110105" not in html.replace("110105**", "")  # ID numbers only masked

    saved = save(client, session_id, {cell(a, 0): "80", cell(b, 0): "７０"})  # full-width digits
    assert saved.status_code == 303
    html = client.get(saved.location).text
    assert "已保存：新录入 2 个分数，更正 0 个。" in html
    assert progress_text(html, "practical") == "2 / 6 个分数"
    assert "乙 还差 2 个" in html and "丙 还差 2 个" in html
    candidate = pages_world.ledger.evaluation(session_id).candidate(a)
    assert "practical" not in candidate["scores"]
    assert candidate["marks"]["practical"]["甲"]["score"] == "80"

    marks = {cell(a, 0): "80", cell(b, 0): "70"}  # unchanged: not recorded again
    marks |= {cell(a, 1): "70", cell(a, 2): "59.5", cell(b, 1): "90", cell(b, 2): "85"}
    marks |= {cell(a, 0, "theory"): "88", cell(b, 0, "theory"): "61"}
    saved = save(client, session_id, marks, **{"examiner.theory": "理论考评员王"})
    assert saved.status_code == 303
    html = client.get(saved.location).text
    assert "已保存：新录入 6 个分数，更正 0 个。" in html
    assert progress_text(html, "practical") == "6 / 6 个分数"
    assert progress_text(html, "all") == "8 / 8 个分数" and "全部科目已评完" in html
    evaluation = pages_world.ledger.evaluation(session_id)
    first = evaluation.candidate(a)
    assert first["scores"]["practical"]["score"] == "69.83"  # (80 + 70 + 59.5) / 3
    assert first["scores"]["practical"]["rule"] == "panel-mean"
    assert first["scores"]["theory"]["examiner"] == "理论考评员王"
    assert evaluation.candidate(b)["scores"]["practical"]["score"] == "81.67"
    assert '<td class="panel-result">69.83</td>' in html
    assert '<span class="marked-by">理论考评员王</span>' in html
    fields = re.findall(r'<(?:input|select|textarea) (?:type="\w+" )?id="([^"]+)"', html)
    assert len(fields) >= 10  # every cell, the examiner, the reason, the file
    for field in fields:
        assert f'<label for="{field}"' in html or f'for="{field}">' in html, field
    assert "style=" not in html


def test_a_bad_cell_is_refused_beside_it_and_nothing_of_that_post_is_recorded(pages_world):
    session_id, (a, b) = session_with_candidates(pages_world, ("王五", "赵六"))
    client = officer(pages_world)
    before = pages_world.ledger.evaluation(session_id).version
    refused = save(client, session_id, {cell(a, 0): "85", cell(b, 0): "101", cell(b, 1): "八十"})
    assert refused.status_code == 422
    html = refused.text
    assert "0 到 100 的分数" in field_error(html, "m-2-practical-0")
    assert "0 到 100 的分数" in field_error(html, "m-2-practical-1")
    assert field_error(html, "m-1-practical-0") == ""
    assert 'aria-describedby="m-2-practical-0-error"' in html
    assert 'value="85"' in html and 'value="101"' in html and 'value="八十"' in html
    assert '<a href="#m-2-practical-0">王五' not in html  # the summary links each refused cell
    assert '<a href="#m-2-practical-0">赵六 操作技能 甲: 请填写 0 到 100' in html
    assert pages_world.ledger.evaluation(session_id).version == before

    missing_examiner = save(client, session_id, {cell(a, 0, "theory"): "75"})
    assert missing_examiner.status_code == 422
    assert field_error(missing_examiner.text, "examiner-theory") == "请填写评分的考评员姓名。"
    not_on_panel = save(client, session_id, {cell(a, 5): "75"})  # there is no 6th examiner
    assert not_on_panel.status_code == 303  # an unknown cell is no mark at all
    assert pages_world.ledger.evaluation(session_id).version == before


def test_a_changed_mark_needs_a_reason_and_becomes_a_correction_event(pages_world):
    session_id, (a,) = session_with_candidates(pages_world, ("孙七",))
    client = officer(pages_world)
    assert save(client, session_id, {cell(a, 0): "80"}).status_code == 303
    version = pages_world.ledger.evaluation(session_id).version

    refused = save(client, session_id, {cell(a, 0): "82"})
    assert refused.status_code == 422
    assert "已记录 80 分；改动即为更正" in field_error(refused.text, "m-1-practical-0")
    assert field_error(refused.text, "reason").startswith("改动已记录的分数时必须填写更正原因")
    assert 'value="82"' in refused.text
    assert pages_world.ledger.evaluation(session_id).version == version
    cleared = save(client, session_id, {cell(a, 0): ""})
    assert cleared.status_code == 422 and "不能清空" in field_error(cleared.text, "m-1-practical-0")

    corrected = save(client, session_id, {cell(a, 0): "82"}, reason="誊写错误，原始评分表为 82")
    assert corrected.status_code == 303
    html = client.get(corrected.location).text
    assert "更正 1 个" in html
    assert "<td>甲</td><td>80</td><td>82</td><td>誊写错误，原始评分表为 82</td>" in html
    mark = pages_world.ledger.evaluation(session_id).candidate(a)["marks"]["practical"]["甲"]
    assert mark["score"] == "82"
    assert mark["corrections"][-1]["previous"] == "80"
    assert mark["corrections"][-1]["reason"] == "誊写错误，原始评分表为 82"
    names = [type(event).__name__ for event in events_of(pages_world.ledger, session_id)]
    assert names[-1] == "ScoreCorrected" and names.count("ScoreCorrected") == 1


def scores_csv(rows: list[tuple[str, str, str]]) -> bytes:
    lines = ["id_number,practical,practical_examiner"]
    lines += [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_spreadsheet_is_previewed_then_recorded(pages_world):
    session_id, (a, b) = session_with_candidates(pages_world, ("周八", "吴九"))
    numbers = pages_world.world.id_numbers
    client = officer(pages_world)
    page = grid(client, session_id)
    assert 'href="/api/v1/evaluations/templates/scores.xlsx"' in page.text
    version = pages_world.ledger.evaluation(session_id).version

    bad = scores_csv([(numbers[a].reveal(), "88", "甲"), (numbers[b].reveal(), "120", "丁")])
    preview = client.post(
        f"/console/sessions/{session_id}/scores/import",
        data={"csrf": csrf_of(page.text), "file": (io.BytesIO(bad), "scores.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 422
    assert "文件中有 1 个问题" in preview.text and 'name="upload"' not in preview.text
    assert "<td>3</td><td>practical</td><td>must be 0 to 100" in preview.text
    assert numbers[b].reveal() not in preview.text
    assert pages_world.ledger.evaluation(session_id).version == version

    good = scores_csv([(numbers[a].reveal(), "88", "甲"), (numbers[b].reveal(), "77", "乙")])
    preview = client.post(
        f"/console/sessions/{session_id}/scores/import",
        data={"csrf": csrf_of(page.text), "file": (io.BytesIO(good), "scores.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert "新分数 2 个" in preview.text
    assert pages_world.ledger.evaluation(session_id).version == version  # a dry run
    token = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
    stranger = officer(pages_world)  # another person's session cannot take the held file
    taken = stranger.post(
        f"/console/sessions/{session_id}/scores/import",
        data={
            "csrf": csrf_of(grid(stranger, session_id).text),
            "action": "record",
            "upload": token,
        },
    )
    assert taken.status_code == 422 and "已过期或已导入" in field_error(taken.text, "file")
    assert pages_world.ledger.evaluation(session_id).version == version
    recorded = client.post(
        f"/console/sessions/{session_id}/scores/import",
        data={"csrf": csrf_of(preview.text), "action": "record", "upload": token},
    )
    assert recorded.status_code == 303
    assert "文件已导入：新录入 2 个分数" in client.get(recorded.location).text
    evaluation = pages_world.ledger.evaluation(session_id)
    assert evaluation.candidate(a)["marks"]["practical"]["甲"]["score"] == "88"
    assert evaluation.candidate(b)["marks"]["practical"]["乙"]["score"] == "77"
    again = client.post(
        f"/console/sessions/{session_id}/scores/import",
        data={"csrf": csrf_of(preview.text), "action": "record", "upload": token},
    )
    assert again.status_code == 422 and "已过期或已导入" in field_error(again.text, "file")
    assert pages_world.ledger.evaluation(session_id).version == evaluation.version


def test_another_bodys_session_is_not_found_and_an_auditor_reads_but_cannot_save(pages_world):
    session_id, (a,) = session_with_candidates(pages_world, ("郑十",))
    ledger = pages_world.ledger
    other = ledger.evaluations.plan_evaluation(
        body_id=pages_world.world.ids["org_b"],
        reference="SCORES-OTHER",
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_4,
        starts_on=date(2025, 5, 1),
        ends_on=date(2025, 7, 10),
        panels={"practical": PANEL},
        actor="test",
    ).aggregate.id
    client = officer(pages_world)
    assert client.get(f"/console/sessions/{other}/scores").status_code == 404
    page = grid(client, session_id)
    assert (
        client.post(
            f"/console/sessions/{other}/scores",
            data={"csrf": csrf_of(page.text), cell(a, 0): "80"},
        ).status_code
        == 404
    )
    save(client, session_id, {cell(a, 0): "66"})

    auditor = officer(pages_world, AccountRole.AUDITOR)
    read = grid(auditor, session_id)
    assert "保存成绩" not in read.text and '<input type="text" id="m-' not in read.text
    assert ">66<" in read.text.replace(" ", "").replace("\n", "")
    refused = auditor.post(
        f"/console/sessions/{session_id}/scores",
        data={"csrf": csrf_of(read.text), cell(a, 1): "70"},
    )
    assert refused.status_code == 403
    assert "乙" not in ledger.evaluation(session_id).candidate(a)["marks"]["practical"]


def test_a_session_that_takes_no_scores_yet_refuses_them_above_the_grid(pages_world):
    session_id, (a,) = session_with_candidates(pages_world, ("冯一",), starts_on=date(2025, 7, 1))
    client = officer(pages_world)
    refused = save(client, session_id, {cell(a, 0): "80"})
    assert refused.status_code == 422
    assert field_error(refused.text, "form") == "本批次尚未开始，开始之后才能录入成绩。"
    assert 'value="80"' in refused.text
    assert pages_world.ledger.evaluation(session_id).candidate(a).get("marks", {}) == {}


def test_the_mark_sheet_refuses_an_examiner_off_the_panel_and_records_nothing(pages_world):
    session_id, (a, b) = session_with_candidates(pages_world, ("陈二", "褚三"))
    ledger = pages_world.ledger
    version = ledger.evaluation(session_id).version
    entries = [MarkEntry(a, "practical", "甲", "80"), MarkEntry(b, "practical", "丁", "70")]
    with pytest.raises(MarksRefused) as refused:
        ledger.evaluations.record_marks(session_id, entries, actor="test")
    assert list(refused.value.problems) == [1]
    assert refused.value.problems[1].rule == "examiner-not-on-panel"
    assert ledger.evaluation(session_id).version == version
    done = ledger.evaluations.record_marks(session_id, entries[:1], actor="test")
    assert (done.marks, done.corrections, done.unchanged) == (1, 0, 0)
    again = ledger.evaluations.record_marks(session_id, entries[:1], actor="test")
    assert (again.marks, again.unchanged, again.recorded) == (0, 1, None)
