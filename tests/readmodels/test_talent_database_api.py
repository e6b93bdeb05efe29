"""The talent database's people view (``GET /api/v1/talents?view=people``) and its Excel export
(``GET /api/v1/talents.xlsx``): everyone who qualifies, the filters, masking, and a workbook
with no raw ID number."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from domain.api_token import Role
from tests.factories.organisations import WELDER
from tests.readmodels.read_model_api import ReadModelApi


def seed(api: ReadModelApi) -> dict[str, Any]:
    employer = api.body("11", name="北京链家")
    other = api.body("11", name="北京燕京")
    union = api.union()
    ladder = api.ladder(union, "朝阳区荣誉阶梯")
    titled, technician, welder, junior = (
        api.worker(employer, "张三丰"),
        api.worker(employer, "李技师"),
        api.worker(other, "王焊工"),
        api.worker(employer, "赵初级"),
    )
    api.ledger.honours.award_honour(
        ladder, award_id="CY-2023-1", worker_id=titled, tier="朝阳工匠", year=2023, actor="t"
    )
    number = api.issue(employer, technician, "2", bypass=True)
    api.issue(other, welder, "1", WELDER, bypass=True)
    api.issue(employer, junior, "4", bypass=True)  # 四级: not a talent
    return {
        "employer": employer,
        "other": other,
        "ladder": ladder,
        "titled": titled,
        "technician": technician,
        "number": number,
    }


def test_the_people_view_lists_everyone_who_qualifies_masked_for_the_public(api: ReadModelApi):
    ids = seed(api)
    public = api.read("/api/v1/talents?view=people", "public")
    assert public["total"] == 3
    assert sorted(t["name"] for t in public["items"]) == ["张**", "李**", "王**"]
    assert all("masked_id_number" not in t and "worker_id" not in t for t in public["items"])
    full = api.read("/api/v1/talents?view=people", "auditor")
    by_name = {t["name"]: t for t in full["items"]}
    assert by_name["李技师"]["worker_id"] == str(ids["technician"])
    assert by_name["李技师"]["masked_id_number"].count("*") == 8
    assert by_name["李技师"]["district"] == by_name["李技师"]["masked_id_number"][:6]
    assert [(q["kind"], q["level"]) for q in by_name["李技师"]["qualifications"]] == [
        ("certificate", "2")
    ]
    assert by_name["张三丰"]["qualifications"][0]["tier"] == "朝阳工匠"

    def names(query: str) -> list[str]:
        return sorted(t["name"] for t in api.read(f"/api/v1/talents?view=people&{query}")["items"])

    assert names("kind=title") == ["张三丰"]
    assert names("level=1") == ["王焊工"]
    assert names(f"occupation={WELDER}") == ["王焊工"]
    assert names(f"employer_id={ids['other']}") == ["王焊工"]
    assert names(f"ladder_id={ids['ladder']}&tier=朝阳工匠") == ["张三丰"]
    assert names("year=2023") == ["张三丰", "李技师", "王焊工"]
    assert names("year=2022") == []
    assert names("district=110105") == ["张三丰", "李技师", "王焊工"]
    assert names("district=37") == []
    assert names("q=技师") == ["李技师"]
    first = api.read("/api/v1/talents?view=people&limit=2")
    rest = api.read(f"/api/v1/talents?view=people&limit=2&cursor={first['next_cursor']}")
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None

    api.change(ids["number"], "revoke")
    assert names("kind=certificate") == ["王焊工"]
    assert api.get("/api/v1/talents?view=people&level=3").status_code == 422
    assert api.get("/api/v1/talents?view=people&district=朝阳").status_code == 422
    assert api.get("/api/v1/talents?view=people&min_tier=朝阳工匠").status_code == 422
    assert api.get("/api/v1/talents?year=2023").status_code == 422  # the honours view has none
    assert api.get("/api/v1/talents?view=people&q=李", "public").status_code == 403
    organiser = api.token(Role.ORGANISER, organisation=api.union())
    assert api.get("/api/v1/talents?view=people&q=李", organiser).status_code == 403


def test_the_excel_export_lists_the_same_people_with_masked_id_numbers(api: ReadModelApi):
    ids = seed(api)
    api.read("/api/v1/talents?view=people")  # waits for the read model to catch up
    answer = api.get(f"/api/v1/talents.xlsx?employer_id={ids['employer']}", "auditor")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="talents.xlsx"'
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("姓名 Name", "证件号码(脱敏) ID number (masked)")
    assert sorted(row[0] for row in rows[1:]) == ["张三丰", "李技师"]
    technician = next(row for row in rows[1:] if row[0] == "李技师")
    assert technician[1].count("*") == 8 and technician[3] == "北京链家"
    assert "二级/技师 电工" in technician[4]
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert "19900307" not in text  # no birth date, so no raw ID number

    public = load_workbook(io.BytesIO(api.get("/api/v1/talents.xlsx", "public").data)).active
    public_rows = list(public.iter_rows(values_only=True))[1:]
    assert len(public_rows) == 3
    assert all(row[1] in (None, "") and "*" in row[0] for row in public_rows)
    assert api.get("/api/v1/talents.xlsx?kind=badge", "auditor").status_code == 422
