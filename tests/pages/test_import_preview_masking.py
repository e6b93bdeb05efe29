"""An import's preview shows every row as the file has it -- except ID numbers: a file whose
columns are swapped (the ID number under 姓名, or typed into 工作单位) must not have the
preview print them whole (the rule: ID numbers never appear unmasked anywhere)."""

from __future__ import annotations

import io

from domain.person_account import AccountRole
from tests.evaluation.test_import import xlsx_bytes
from tests.pages.pages_world import PagesWorld, competition, csrf_of
from tests.pages.people import signed_in
from tests.support.api_world import unique


def test_the_preview_masks_an_id_number_in_any_column(pages_world: PagesWorld) -> None:
    world = pages_world.world
    worker = world.fresh_worker(world.ids["org_a"], name="褚六己")
    raw = str(world.id_numbers[worker].reveal())
    client = signed_in(
        pages_world, f"mask{unique()}@union.example", AccountRole.ORGANISER, world.ids["union"]
    )
    path = f"/console/competitions/{competition(world, f'MASK-{unique()}', [])}/entrants"
    data = xlsx_bytes(
        [
            ["身份证号", "姓名", "选手类别", "工作单位或学校"],
            ["褚六己", raw, "职工", ""],  # the first two columns swapped
            [raw, "褚六己", "学生", f"学校 {raw}"],
            [raw, "褚六己", raw, ""],  # and in 选手类别
        ]
    )
    preview = client.post(
        f"{path}/import",
        data={"csrf": csrf_of(client.get(path).text), "file": (io.BytesIO(data), "选手.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert "褚六己" in preview.text
    assert raw not in preview.text
    assert raw[:6] in preview.text  # masked, still recognisable
