"""A session's Excel workbook (导出): its summary, its candidates with results and certificate
numbers, and every score (a panel-marked component: each examiner's mark and the panel's mean).

ID numbers appear masked only, as the session records them; every cell is written as text or a
number, never a formula (a value starting ``=``, ``+``, ``-`` or ``@`` is written as text).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from domain.evaluation import COMPONENT_NAMES_ZH, Evaluation
from domain.evaluation.panel import PANEL_MEAN, SINGLE_MARK, component_progress
from domain.occupation import find_occupation

__all__ = ["CANDIDATE_HEADER", "SCORE_HEADER", "session_workbook"]

CANDIDATE_HEADER = (
    "姓名 Name",
    "证件号码(脱敏) ID number (masked)",
    "申报条件 Route",
    "报名日期 Enrolled on",
    "结果 Result",
    "未达标科目 Failed components",
    "证书编号 Certificate number",
    "撤销原因 Withdrawn because",
)
SCORE_HEADER = (
    "姓名 Name",
    "证件号码(脱敏) ID number (masked)",
    "科目 Component",
    "考评员 Examiner",
    "分数 Mark",
    "记录日期 Recorded on",
    "更正 Corrections",
    "科目成绩 Component score",
    "计分规则 Rule",
)
_BOLD = Font(bold=True)


def _text(value: object) -> object:
    """A cell value that no spreadsheet reads as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _header(sheet: WriteOnlyWorksheet, header: tuple[str, ...]) -> None:
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = _BOLD
        cells.append(cell)
    sheet.append(cells)


def _summary(sheet: WriteOnlyWorksheet, evaluation: Evaluation) -> None:
    occupation = find_occupation(evaluation.occupation_code)
    publication = evaluation.publication or {}
    rows: list[tuple[str, object]] = [
        ("编号 Reference", evaluation.reference),
        (
            "职业 Occupation",
            f"{occupation.name if occupation else ''} {evaluation.occupation_code}",
        ),
        ("等级 Level", evaluation.level.name_zh),
        ("状态 Status", evaluation.status.value),
        ("评价日期 Dates", f"{evaluation.starts_on} – {evaluation.ends_on}"),
        ("计分规则 Scoring", evaluation.scoring),
        ("公示 Published on", publication.get("published_on", "")),
        ("公示截止 Window ends on", publication.get("window_ends_on", "")),
        ("工作日历 Calendar", publication.get("calendar", "")),
        ("考生 Candidates", len(evaluation.candidates)),
    ]
    rows += [(f"结果 {result}", count) for result, count in evaluation.results().items()]
    if evaluation.issued:
        rows += [
            ("证书 Certificates", evaluation.issued["count"]),
            ("首号 First number", evaluation.issued["first_number"] or ""),
            ("末号 Last number", evaluation.issued["last_number"] or ""),
        ]
    if evaluation.report:
        rows += [
            ("上报 Reported to", evaluation.report["reported_to"]),
            ("上报日期 Reported on", evaluation.report["reported_on"]),
        ]
    for name, value in rows:
        sheet.append([name, _text(value)])


def _score_rows(evaluation: Evaluation, candidate: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    person = [_text(candidate["name"]), candidate["masked_id_number"]]
    for component in evaluation.components:
        panel = evaluation.marking_panel(component)
        scored = candidate["scores"].get(component)
        result = scored["score"] if scored else ""
        label = f"{COMPONENT_NAMES_ZH[component]} {component}"
        if panel:
            marks = candidate.get("marks", {}).get(component, {})
            for examiner in component_progress(candidate, component, panel)["marked_by"]:
                mark = marks[examiner]
                rows.append(
                    [
                        *person,
                        label,
                        _text(examiner),
                        mark["score"],
                        mark["recorded_on"],
                        len(mark["corrections"]),
                        result,
                        PANEL_MEAN,
                    ]
                )
        elif scored:
            rows.append(
                [
                    *person,
                    label,
                    _text(scored["examiner"]),
                    scored["score"],
                    scored["recorded_on"],
                    len(scored["corrections"]),
                    result,
                    SINGLE_MARK,
                ]
            )
    return rows


def session_workbook(evaluation: Evaluation) -> bytes:
    """The session as an XLSX workbook: sheets 概况 Summary, 考生 Candidates, 成绩 Scores."""
    workbook = Workbook(write_only=True)
    _summary(workbook.create_sheet("概况 Summary"), evaluation)
    candidates = workbook.create_sheet("考生 Candidates")
    scores = workbook.create_sheet("成绩 Scores")
    _header(candidates, CANDIDATE_HEADER)
    _header(scores, SCORE_HEADER)
    for candidate in evaluation.candidates.values():
        withdrawn = candidate["withdrawn"]
        candidates.append(
            [
                _text(candidate["name"]),
                candidate["masked_id_number"],
                candidate["route"]["id"],
                candidate["enrolled_on"],
                evaluation.result_of(candidate).value,
                ", ".join(evaluation.failed_components(candidate)),
                candidate["certificate_number"] or "",
                _text(withdrawn["reason"]) if withdrawn else "",
            ]
        )
        for row in _score_rows(evaluation, candidate):
            scores.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
