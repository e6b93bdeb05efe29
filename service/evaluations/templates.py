"""Spreadsheet templates (模板) for the imports: staff (花名册), candidates (考生), scores
(成绩) and a competition's entrants (参赛选手): an XLSX workbook whose first sheet has the header
row the import reads and ID-number cells formatted as text (so Excel keeps all 18 characters),
and a second sheet explaining each column in 中文 and English."""

from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.styles import Font

from domain.id_number import IdKind
from service.competitions.entrant_import import ENTRANT_COLUMNS
from service.evaluations.imports import CANDIDATE_COLUMNS, SCORE_COLUMNS
from service.workers.roster import STAFF_COLUMNS

__all__ = ["TEMPLATES", "template_workbook"]

NOTES: dict[str, str] = {
    "id_number": "required; 18-character resident ID (or the document's number), kept as text",
    "id_kind": "证件类型: " + ", ".join(kind.value for kind in IdKind) + " (default resident)",
    "name": "required; as registered",
    "relation": "本单位职工 / 劳务派遣 / 业务外包 / 平台/挂靠 (staff, dispatched, outsourced, "
    "affiliated); default 本单位职工",
    "since": "required; the day the person joined, YYYY-MM-DD",
    "route": "required; an eligibility route id (GET /api/v1/evaluations/{id}/eligibility-routes)",
    "evidence_reference": "the approval or record behind a bypass route "
    "(直接认定, 破格晋升, 竞赛晋升)",
    "experience_since": "first day in the occupation, YYYY-MM-DD",
    "experience_until": "last day in the occupation (empty: still working in it)",
    "diploma_kind": "apprenticeship, technical_school, secondary_vocational, "
    "senior_technical_school, higher_vocational, preparatory_technician, college",
    "diploma_awarded_on": "YYYY-MM-DD (empty for a final-year student)",
    "title_series": "职称系列, e.g. engineering",
    "title_grade": "junior, intermediate, associate_senior, senior",
    "title_awarded_on": "YYYY-MM-DD",
    "theory": "0-100, at most two decimals",
    "theory_examiner": "the examiner who marked theory",
    "practical": "0-100; every examiner on the practical panel marks: one row per examiner",
    "practical_examiner": "the examiner on the practical panel who gave this mark",
    "review": "0-100 (技师/高级技师); one row per examiner on the review panel",
    "review_examiner": "the examiner on the review panel who gave this mark",
    "correction_reason": "fill to correct a recorded mark; the reason is kept",
    "entrant_kind": "required; 职工 (employee) or 学生 (student)",
    "employer": "whom the entrant competes for: employer or school; an employee left blank "
    "competes for their employer on record",
}

TEMPLATES: dict[str, Mapping[str, tuple[str, ...]]] = {
    "staff": STAFF_COLUMNS,
    "candidates": CANDIDATE_COLUMNS,
    "scores": SCORE_COLUMNS,
    "entrants": ENTRANT_COLUMNS,
}


def template_workbook(kind: str) -> bytes:
    """The ``kind`` template (a key of :data:`TEMPLATES`) as XLSX bytes."""
    columns = TEMPLATES[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = {
        "staff": "花名册",
        "candidates": "考生",
        "scores": "成绩",
        "entrants": "参赛选手",
    }[kind]
    headers = [aliases[0] if aliases else name for name, aliases in columns.items()]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, name in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter]
        dimension.width = 22 if name == "id_number" else 16
        if name == "id_number":
            dimension.number_format = "@"  # the column is text: Excel keeps 18 characters
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明 Notes")
    notes.append(["列 Column", "英文列名 English name", "说明 Notes"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for header, name in zip(headers, columns, strict=True):
        notes.append([header, name, NOTES.get(name, "")])
    notes.append([])
    notes.append(
        [
            "",
            "",
            "Only the first sheet is read; row 1 is the header. Headers may be "
            "the Chinese or the English names.",
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
