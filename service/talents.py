"""The talent database (人才库) as the API and the console serve it: what qualifies a person in
words, and the Excel workbook of a search (导出).

The workbook has one row per person: name, masked ID number, district, employer and what
qualifies them; ID numbers are masked (the read model holds nothing else). Every cell is text or
a number, never a formula (``service.evaluations.exports``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook

from domain.ranking import Award
from domain.skill_level import SkillLevel
from projections.pagination import MAX_LIMIT
from projections.talents import TalentsQuery
from service.evaluations.exports import _header, _text

__all__ = [
    "EXPORT_LIMIT",
    "TALENT_HEADER",
    "qualification_text",
    "talent_rows",
    "talent_workbook",
]

EXPORT_LIMIT = 20_000
"""The most people one workbook lists (朝阳's database is about 2,000)."""
TALENT_HEADER = (
    "姓名 Name",
    "证件号码(脱敏) ID number (masked)",
    "地区代码 District",
    "工作单位 Employer",
    "人才类别 Qualifications",
    "最近年份 Latest year",
)
KIND_NAMES = {"title": "荣誉", "medal": "竞赛获奖", "certificate": "技能等级", "post": "岗位聘任"}
"""The kinds of qualification, in Chinese (the console translates them)."""


def qualification_text(qualification: dict[str, Any]) -> str:
    """One qualification in Chinese, e.g. ``朝阳工匠 (朝阳区荣誉阶梯) 2024``, ``金牌 电工 2025``,
    ``二级/技师 电工 2023``, ``首席技师 电工 2024``."""
    kind, year = qualification["kind"], qualification["year"]
    if kind == "title":
        what = f"{qualification['tier']} ({qualification['ladder_name']})"
    elif kind == "medal":
        what = f"{Award(qualification['award']).name_zh} {qualification['occupation_name']}"
    else:
        level = SkillLevel.from_code(qualification["level"] or qualification["post"])
        what = f"{level.name_zh} {qualification['occupation_name']}"
    return what if year is None else f"{what} {year}"


def talent_rows(query: TalentsQuery, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every person matching ``filters`` (``TalentsQuery.search``'s), page by page, at most
    ``EXPORT_LIMIT``."""
    cursor, served = None, 0
    while served < EXPORT_LIMIT:
        page = query.search(after=cursor, limit=MAX_LIMIT, **filters)
        yield from page.items[: EXPORT_LIMIT - served]
        served += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return


def talent_workbook(rows: Iterator[dict[str, Any]]) -> bytes:
    """The workbook: one sheet 人才库 Talents, a header row, one row per person (``rows`` as
    ``TalentsQuery.search`` gives them; ``name`` already masked where it must be)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人才库 Talents")
    _header(sheet, TALENT_HEADER)
    for row in rows:
        qualifications = row["qualifications"]
        years = [q["year"] for q in qualifications if q["year"] is not None]
        sheet.append(
            [
                _text(row["name"]),
                _text(row.get("masked_id_number") or ""),
                _text(row.get("district") or ""),
                _text(row.get("employer_name") or ""),
                _text("；".join(qualification_text(q) for q in qualifications)),
                max(years) if years else None,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
