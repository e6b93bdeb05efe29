"""``/console/sessions/<id>/candidates`` through the real app: the session's candidates (masked),
one enrolled by hand on a route, one refused with the rule beside the field, candidates imported
with a dry-run preview then recorded, and another body's session answering 404."""

from __future__ import annotations

import io
import re
from datetime import date
from uuid import UUID

import pytest

from domain.errors import DomainRuleViolation
from domain.skill_level import SkillLevel
from tests.evaluation.test_import import xlsx_bytes
from tests.factories import id_number, register
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import field_error, signed_in_officer

HEADER = ["身份证号", "姓名", "申报条件", "从业起始日期"]


def plan(pages_world: PagesWorld, body: UUID, reference: str) -> UUID:
    recorded = pages_world.ledger.evaluations.plan_evaluation(
        body_id=body,
        reference=reference,
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_4,
        starts_on=date(2025, 7, 1),
        ends_on=date(2025, 7, 10),
        panels={"practical": ["甲", "乙", "丙"]},
        actor="test",
    )
    return recorded.aggregate.id  # type: ignore[no-any-return]


class Scene:
    def __init__(self, pages_world: PagesWorld) -> None:
        world = pages_world.world
        self.pages_world = pages_world
        self.body = world.fresh_employer()
        self.session = plan(pages_world, self.body, "CAND-01")
        self.other_session = plan(pages_world, world.ids["org_b"], "CAND-B-01")
        self.numbers = {}
        self.workers = {}
        for serial, name in enumerate(("甲报名", "乙不够", "丙导入", "丁导入", "戊错行")):
            number = id_number(7201 + serial)
            self.numbers[name] = number
            self.workers[name] = register(pages_world.ledger, number, name, employer=self.body)
        self.client = signed_in_officer(pages_world, "cand.officer@example.cn", self.body)
        self.pages: list[str] = []

    def get(self, path: str):
        answer = self.client.get(path)
        self.pages.append(answer.text)
        return answer

    def post(self, path: str, data: dict, **kwargs):
        answer = self.client.post(path, data=data, **kwargs)
        self.pages.append(answer.text)
        return answer

    @property
    def path(self) -> str:
        return f"/console/sessions/{self.session}/candidates"

    def candidates(self) -> dict:
        return self.pages_world.ledger.evaluation(self.session).candidates


@pytest.fixture(scope="module")
def scene(pages_world: PagesWorld) -> Scene:
    return Scene(pages_world)


def form(scene: Scene, name: str, route: str, since: str) -> dict:
    page = scene.get(scene.path)
    return {
        "csrf": csrf_of(page.text),
        "worker_id": str(scene.workers[name]),
        "route": route,
        "experience_since": since,
    }


def test_the_candidates_tab_lists_the_routes_that_apply_and_the_bodys_staff(scene):
    page = scene.get(scene.path)
    assert page.status_code == 200
    html = page.text
    assert "CAND-01" in html and f'href="{scene.path}" aria-current="page"' in html
    assert 'value="4-years"' in html and "累计从事本职业或相关职业工作" in html
    assert 'value="4-competition-promotion"' in html and "批准文件或记录编号" in html
    assert "甲报名" in html and scene.numbers["甲报名"].masked in html
    assert 'href="/api/v1/evaluations/templates/candidates.xlsx"' in html
    for field in re.findall(r'<(?:input|select|textarea) id="([^"]+)"', html):
        assert f'<label for="{field}"' in html, field
    for route in re.findall(r'<input type="radio" id="(route-[^"]+)"', html):
        assert f'<label for="{route}"' in html, route
    assert "style=" not in html and "<script>" not in html


def test_an_officer_enrols_one_candidate_on_a_route(scene):
    done = scene.post(scene.path, form(scene, "甲报名", "4-years", "2015-01-01"))
    assert done.status_code == 303
    candidate = scene.candidates()[str(scene.workers["甲报名"])]
    assert candidate["route"]["id"] == "4-years"
    account = scene.pages_world.ledger.accounts.find("cand.officer@example.cn")
    enrolled = list(scene.pages_world.ledger.events.get(scene.session))[-1]
    assert enrolled.actor == f"issuer:person:{account.id}"
    page = scene.get(done.location)
    assert "已报名" in page.text
    listed = page.text.split('id="candidates-heading"')[1].split("</table>")[0]
    assert "甲报名" in listed and scene.numbers["甲报名"].masked in listed
    assert "<code>4-years</code>" in listed and "成绩不全" in listed


def test_a_refused_enrolment_names_the_rule_beside_the_field(scene):
    refused = scene.post(scene.path, form(scene, "乙不够", "4-years", "2023-01-01"))
    assert refused.status_code == 422
    assert "candidate-ineligible" in field_error(refused.text, "route")
    assert 'aria-describedby="route-error"' in refused.text
    assert 'value="2023-01-01"' in refused.text  # the form is kept
    assert str(scene.workers["乙不够"]) not in scene.candidates()
    again = scene.post(scene.path, form(scene, "甲报名", "4-years", "2015-01-01"))
    assert again.status_code == 422
    assert "already-enrolled" in field_error(again.text, "worker_id")
    bypass = scene.post(scene.path, form(scene, "乙不够", "4-competition-promotion", ""))
    assert bypass.status_code == 422 and "candidate-ineligible" in field_error(bypass.text, "route")
    bad_date = scene.post(
        scene.path, {**form(scene, "乙不够", "4-years", "2015-01-01"), "experience_since": "x"}
    )
    assert bad_date.status_code == 422 and field_error(bad_date.text, "experience_since")


def upload(scene: Scene, data: bytes):
    page = scene.get(scene.path)
    return scene.post(
        f"{scene.path}/import",
        {"csrf": csrf_of(page.text), "file": (io.BytesIO(data), "考生.xlsx")},
        content_type="multipart/form-data",
    )


def test_candidates_are_imported_with_a_preview_then_recorded(scene):
    n = scene.numbers
    bad = xlsx_bytes(
        [
            HEADER,
            [n["丙导入"].reveal(), "丙导入", "4-years", "2015-01-01"],
            [n["戊错行"].reveal(), "戊错行", "4-yrs", "2015-01-01"],
        ]
    )
    position = scene.pages_world.ledger.log_position
    preview = upload(scene, bad)
    assert preview.status_code == 200 and "什么都没有记录" in preview.text
    assert re.findall(r'<tr id="row-(\d)" class="row-bad">', preview.text) == ["3"]
    assert "<strong>申报条件</strong>" in preview.text
    assert scene.pages_world.ledger.log_position == position
    good = xlsx_bytes(
        [
            HEADER,
            [n["丙导入"].reveal(), "丙导入", "4-years", "2015-01-01"],
            [n["丁导入"].reveal(), "丁导入", "4-years", "2016-05-01"],
        ]
    )
    preview = upload(scene, good)
    assert preview.status_code == 200 and "记录这 2 人" in preview.text
    assert f'<li><a href="{scene.path}">' in preview.text  # the session's tabs
    assert scene.pages_world.ledger.log_position == position
    held = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
    elsewhere = scene.post(
        f"/console/sessions/{scene.other_session}/candidates/import/record",
        {"csrf": csrf_of(preview.text), "upload": held},
    )
    assert elsewhere.status_code == 404
    recorded = scene.post(
        f"{scene.path}/import/record", {"csrf": csrf_of(preview.text), "upload": held}
    )
    assert recorded.status_code == 303 and "recorded=2" in recorded.location
    candidates = scene.candidates()
    assert {str(scene.workers["丙导入"]), str(scene.workers["丁导入"])} <= set(candidates)
    page = scene.get(recorded.location)
    assert "已导入考生：2 人" in page.text and "丁导入" in page.text


def test_a_stale_preview_is_previewed_again_and_a_closed_session_refuses(scene, monkeypatch):
    n = scene.numbers
    file = xlsx_bytes([HEADER, [n["戊错行"].reveal(), "戊错行", "4-years", "2015-01-01"]])
    preview = upload(scene, file)
    assert preview.status_code == 200 and "记录这 1 人" in preview.text
    held = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
    assert scene.post(scene.path, form(scene, "戊错行", "4-years", "2015-01-01")).status_code == 303
    again = scene.post(
        f"{scene.path}/import/record",
        {"csrf": csrf_of(preview.text), "upload": held, "filename": "考生.xlsx"},
    )
    assert again.status_code == 422 and "什么都没有记录" in again.text
    assert "导入考生：预览 · CAND-01" in again.text and "考生.xlsx" in again.text
    assert f'<li><a href="{scene.path}">' in again.text  # the session's tabs
    preview = upload(
        scene, xlsx_bytes([HEADER, [n["乙不够"].reveal(), "乙不够", "4-years", "2015-01-01"]])
    )
    held = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)

    def closed(*args, **kwargs):
        raise DomainRuleViolation("evaluation-is-published", "it is published")

    monkeypatch.setattr(scene.pages_world.ledger.evaluations, "import_candidates", closed)
    for refused in (
        upload(scene, file),
        scene.post(f"{scene.path}/import/record", {"csrf": csrf_of(preview.text), "upload": held}),
    ):
        assert refused.status_code == 422
        assert "evaluation-is-published" in field_error(refused.text, "file")


def test_another_bodys_session_is_not_found(scene):
    path = f"/console/sessions/{scene.other_session}/candidates"
    assert scene.get(path).status_code == 404
    page = scene.get(scene.path)
    refused = scene.post(path, {**form(scene, "乙不够", "4-years", "2015-01-01")})
    assert refused.status_code == 404
    assert scene.pages_world.ledger.evaluation(scene.other_session).candidates == {}
    assert "CAND-B-01" not in page.text


def test_the_english_page_and_no_id_number_in_any_page(scene):
    english = scene.get(f"{scene.path}?lang=en")
    assert english.status_code == 200
    assert "Candidates" in english.text and "申报条件" not in english.text
    scene.get(f"{scene.path}?lang=zh")
    assert scene.pages
    for number in scene.numbers.values():
        for html in scene.pages:
            assert number.reveal() not in html
