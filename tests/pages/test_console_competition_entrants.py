"""A competition's entrants in the console: the list (numbers, 职工/学生, employer, withdrawn with
the reason), one entrant registered (found by name, or by the ID number entered), a spreadsheet
previewed (every row and its problems, nothing recorded) then recorded, a withdrawal with a
reason; refusals beside their field; ID numbers never shown unmasked; another union 404."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from domain.errors import DomainRuleViolation
from domain.person_account import AccountRole
from tests.evaluation.test_import import xlsx_bytes
from tests.pages.pages_world import PagesWorld, competition, csrf_of
from tests.pages.people import field_error, signed_in

HEADER = ["身份证号", "姓名", "选手类别", "工作单位或学校"]


@dataclass
class Scene:
    pages_world: PagesWorld
    client: Any
    competition: UUID
    workers: dict[str, UUID]
    pages: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/console/competitions/{self.competition}/entrants"

    def number(self, name: str) -> str:
        return str(self.pages_world.world.id_numbers[self.workers[name]].reveal())

    def get(self, path: str) -> Any:
        answer = self.client.get(path)
        self.pages.append(answer.text)
        return answer

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
        answer = self.client.post(path, data=data, **kwargs)
        self.pages.append(answer.text)
        return answer

    def csrf(self) -> str:
        return csrf_of(self.get(self.path).text)

    def entrants(self) -> dict[str, Any]:
        return dict(self.pages_world.ledger.competition(self.competition).entrants)


@pytest.fixture(scope="module")
def scene(pages_world: PagesWorld) -> Scene:
    world = pages_world.world
    names = ("周一甲", "吴二乙", "郑三丙", "王四丁", "冯五戊")
    workers = {name: world.fresh_worker(world.ids["org_a"], name=name) for name in names}
    client = signed_in(
        pages_world, "entrants.org@union.example", AccountRole.ORGANISER, world.ids["union"]
    )
    return Scene(pages_world, client, competition(world, "ENTRANTS-1", []), workers)


def test_an_organiser_registers_an_entrant_found_by_name(scene: Scene):
    page = scene.get(f"{scene.path}?name=周一")
    assert page.status_code == 200
    assert 'href="/api/v1/evaluations/templates/entrants.xlsx"' in page.text
    worker = scene.workers["周一甲"]
    assert f'value="{worker}"' in page.text
    answer = scene.post(
        scene.path,
        {"csrf": csrf_of(page.text), "worker_id": str(worker), "entrant_kind": "employee"},
    )
    assert answer.status_code == 303, answer.text
    listing = scene.get(answer.location)
    row = re.search(r'data-entrant="1">(.*?)</tr>', listing.text, re.S).group(1)
    assert "周一甲" in row and "职工" in row and "1101" in row  # the employer and a masked number
    assert str(scene.entrants()[str(worker)]["employer_id"]) == str(
        scene.pages_world.world.ids["org_a"]
    )


def test_by_id_number_and_the_refusals_beside_their_fields(scene: Scene):
    csrf = scene.csrf()
    number = scene.number("吴二乙")
    wrong_name = scene.post(
        scene.path,
        {
            "csrf": csrf,
            "id_kind": "resident",
            "id_number": number,
            "name": "吴二",
            "entrant_kind": "student",
            "employer": "天津职业技术学院",
        },
    )
    assert wrong_name.status_code == 422 and field_error(wrong_name.text, "name")
    student = scene.post(
        scene.path,
        {
            "csrf": csrf,
            "id_kind": "resident",
            "id_number": number,
            "name": "吴二乙",
            "entrant_kind": "student",
            "employer": "",
        },
    )
    assert student.status_code == 422 and "学生选手请填写学校" in student.text
    ok = scene.post(
        scene.path,
        {
            "csrf": csrf,
            "id_kind": "resident",
            "id_number": number,
            "name": "吴二乙",
            "entrant_kind": "student",
            "employer": "天津职业技术学院",
        },
    )
    assert ok.status_code == 303
    again = scene.post(
        scene.path,
        {
            "csrf": csrf,
            "id_kind": "resident",
            "id_number": number,
            "name": "吴二乙",
            "entrant_kind": "student",
            "employer": "天津职业技术学院",
        },
    )
    assert again.status_code == 422
    assert "already-registered" in field_error(again.text, "worker")
    nobody = scene.post(scene.path, {"csrf": csrf, "entrant_kind": "employee"})
    assert nobody.status_code == 422 and field_error(nobody.text, "worker")
    assert scene.entrants()[str(scene.workers["吴二乙"])]["entrant_kind"] == "student"


def upload(scene: Scene, data: bytes) -> Any:
    return scene.post(
        f"{scene.path}/import",
        {"csrf": scene.csrf(), "file": (io.BytesIO(data), "选手.xlsx")},
        content_type="multipart/form-data",
    )


def test_entrants_are_imported_with_a_preview_then_recorded(scene: Scene):
    ledger = scene.pages_world.ledger
    bad = xlsx_bytes(
        [
            HEADER,
            [scene.number("郑三丙"), "郑三丙", "职工", ""],
            [scene.number("王四丁"), "王四丁", "工人", ""],
            [scene.number("周一甲"), "周一甲", "职工", ""],
        ]
    )
    position = ledger.log_position
    preview = upload(scene, bad)
    assert preview.status_code == 200 and "什么都没有记录" in preview.text
    assert re.findall(r'<tr id="row-(\d)" class="row-bad">', preview.text) == ["3", "4"]
    assert "already-registered" in preview.text
    assert 'name="upload"' not in preview.text  # nothing to record from a bad file
    assert ledger.log_position == position
    good = xlsx_bytes(
        [
            HEADER,
            [scene.number("郑三丙"), "郑三丙", "职工", ""],
            [scene.number("王四丁"), "王四丁", "学生", "天津职业技术学院"],
        ]
    )
    preview = upload(scene, good)
    assert preview.status_code == 200 and "记录这 2 人" in preview.text
    assert f'href="{scene.path}"' in preview.text  # the competition's tabs
    assert ledger.log_position == position
    held = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
    recorded = scene.post(
        f"{scene.path}/import/record", {"csrf": csrf_of(preview.text), "upload": held}
    )
    assert recorded.status_code == 303 and "recorded=2" in recorded.location
    entrants = scene.entrants()
    assert entrants[str(scene.workers["王四丁"])]["employer_name"] == "天津职业技术学院"
    page = scene.get(recorded.location)
    assert "已导入选手：2 人" in page.text and "王四丁" in page.text


def test_a_stale_preview_is_previewed_again_and_closed_registration_refuses(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
):
    file = xlsx_bytes([HEADER, [scene.number("冯五戊"), "冯五戊", "职工", ""]])
    preview = upload(scene, file)
    assert preview.status_code == 200 and "记录这 1 人" in preview.text
    held = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
    worker = str(scene.workers["冯五戊"])
    registered = scene.post(
        scene.path, {"csrf": scene.csrf(), "worker_id": worker, "entrant_kind": "employee"}
    )
    assert registered.status_code == 303
    again = scene.post(
        f"{scene.path}/import/record",
        {"csrf": csrf_of(preview.text), "upload": held, "filename": "选手.xlsx"},
    )
    assert again.status_code == 422 and "already-registered" in again.text
    assert "导入选手：预览 · " in again.text and "选手.xlsx" in again.text
    assert f'href="{scene.path}"' in again.text  # the competition's tabs
    preview = upload(scene, xlsx_bytes([HEADER, [scene.number("吴二乙"), "吴二乙", "职工", ""]]))
    assert "already-registered" in preview.text

    def closed(*args: Any, **kwargs: Any) -> Any:
        raise DomainRuleViolation("registration-closed", "registration has closed")

    monkeypatch.setattr(scene.pages_world.ledger.competitions, "import_entrants", closed)
    refused = upload(scene, file)
    assert refused.status_code == 422
    assert "registration-closed" in field_error(refused.text, "file")


def test_a_withdrawal_needs_a_reason_and_shows_it(scene: Scene):
    worker = scene.workers["郑三丙"]
    number = scene.entrants()[str(worker)]["entrant_number"]
    path = f"{scene.path}/{worker}/withdraw"
    csrf = scene.csrf()
    blank = scene.post(path, {"csrf": csrf, "reason": " "})
    assert blank.status_code == 422 and field_error(blank.text, f"reason_{number}")
    done = scene.post(path, {"csrf": csrf, "reason": "缺考"})
    assert done.status_code == 303
    row = re.search(
        rf'data-entrant="{number}" class="withdrawn">(.*?)</tr>',
        scene.get(done.location).text,
        re.S,
    ).group(1)
    assert "已退赛" in row and "缺考" in row
    twice = scene.post(path, {"csrf": csrf, "reason": "缺考"})
    assert twice.status_code == 422 and "already-withdrawn" in twice.text
    assert (
        scene.post(
            f"{scene.path}/{UUID(int=1)}/withdraw", {"csrf": csrf, "reason": "x"}
        ).status_code
        == 404
    )


def test_another_union_gets_404_and_an_auditor_only_reads(scene: Scene):
    world = scene.pages_world.world
    stranger = signed_in(
        scene.pages_world, "entrants.other@union.example", AccountRole.ORGANISER, world.ids["org_b"]
    )
    assert stranger.get(scene.path).status_code == 404
    auditor = signed_in(scene.pages_world, "entrants.aud@audit.example", AccountRole.AUDITOR)
    page = auditor.get(scene.path)
    assert page.status_code == 200 and "register-form" not in page.text
    refused = auditor.post(
        scene.path, data={"csrf": csrf_of(page.text), "entrant_kind": "employee"}
    )
    assert refused.status_code == 403


def test_the_english_page_and_no_id_number_in_any_page(scene: Scene):
    english = scene.get(f"{scene.path}?lang=en")
    assert english.status_code == 200 and "选手类别" not in english.text
    scene.get(f"{scene.path}?lang=zh")
    for name in scene.workers:
        for html in scene.pages:
            assert scene.number(name) not in html
