"""``/console/sessions/<id>/scores``: score entry (成绩录入) for a session, in the console.

One table per component, a column per examiner on its panel (考评小组; a component without a
panel: one column, with the examiner named above it), a row per candidate (name, masked ID
number) and, once every examiner has marked, the panel's result (their mean). One Save records
every new or changed mark in one save through ``ledger.evaluations.record_marks``
(``service.evaluations.mark_sheet``): a mark equal to the recorded one is left alone, a changed
one is a correction and needs the reason given below the tables. If any cell is refused, nothing
is recorded: the page answers 422 with every typed value kept and each refusal beside its cell.

Progress: per component, the marks in of those needed (candidates × examiners on its panel),
and overall. A spreadsheet of scores is imported with a dry-run preview first
(``ledger.evaluations.import_scores``, the API's import); the previewed file is held
server-side, sealed, between preview and record (``service.pages.console_uploads``).

Who: :func:`service.pages.console_session.session_for` (an auditor reads, never saves).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation import Evaluation, EvaluationStatus
from domain.evaluation.panel import recorded_mark, session_progress
from service.app_services import ledger
from service.evaluations.mark_sheet import MarkEntry, MarksRefused
from service.pages import console_uploads
from service.pages.blueprints import render
from service.pages.console import console
from service.pages.console_session import add_session_tab, may_change, session_for
from service.pages.i18n import N_, gettext
from service.pages.labels import label
from service.pages.people import current_person

COMPONENTS = {"theory": N_("理论知识"), "practical": N_("操作技能"), "review": N_("综合评审")}
REASON_MAX = 500
EXAMINER_MAX = 100
UPLOAD_KIND = "scores"

# refusals that concern the whole session, not one cell: shown once, above the tables
SESSION_RULES = {
    "results-published": N_("本批次的结果已公示，成绩不能再录入或更正。"),
    "session-not-started": N_("本批次尚未开始，开始之后才能录入成绩。"),
    "issuer-suspended": N_("本机构已被暂停，不能录入成绩。"),
    "issuer-revoked": N_("本机构的备案已被撤销，不能录入成绩。"),
    "not-own-body": N_("只有本批次的评价机构可以录入成绩。"),
}
CELL_RULES = {
    "examiner-not-on-panel": N_("该考评员不在这一科目的考评小组中。"),
    "not-enrolled": N_("此人不是本批次的考生。"),
    "unknown-component": N_("本批次没有这一科目。"),
}


@dataclass
class Cell:
    """One input of the grid: a candidate's component marked by one examiner."""

    id: str
    name: str
    label: str
    value: str
    recorded: str | None
    examiner: str = ""  # who gave the recorded mark, on a component without a panel
    error: str = ""


@dataclass
class Row:
    worker_id: str
    name: str
    masked_id_number: str
    cells: dict[str, list[Cell]] = field(default_factory=dict)
    results: dict[str, str | None] = field(default_factory=dict)


def score_of(value: str) -> str:
    """A typed score as the service reads it: full-width digits (a Chinese input method's)
    made ASCII, surrounding spaces dropped."""
    return unicodedata.normalize("NFKC", value).strip()


def examiners_of(evaluation: Evaluation, component: str) -> list[str]:
    """The columns of ``component``: its marking panel, or one column (no panel)."""
    return evaluation.marking_panel(component) or [""]


def cell_name(worker_id: str, component: str, column: int) -> str:
    return f"m.{worker_id}.{component}.{column}"


def rows_of(evaluation: Evaluation, typed: dict[str, str] | None) -> list[Row]:
    """The grid's rows: each cell with the typed value (after a refused save) or the mark
    recorded."""
    rows = []
    for number, candidate in enumerate(evaluation.candidates.values(), start=1):
        key = str(candidate["worker_id"])
        row = Row(key, candidate["name"], candidate["masked_id_number"])
        for component in evaluation.components:
            panel = evaluation.marking_panel(component)
            cells = []
            for column, examiner in enumerate(examiners_of(evaluation, component)):
                mark = recorded_mark(candidate, component, examiner, panel)
                recorded = mark["score"] if mark else None
                name = cell_name(key, component, column)
                value = typed.get(name, "") if typed is not None else (recorded or "")
                who = examiner or gettext("分数")
                text = f"{candidate['name']} {label(COMPONENTS, component)} {who}"
                id_ = f"m-{number}-{component}-{column}"
                marked_by = mark["examiner"] if mark and not panel else ""
                cells.append(Cell(id_, name, text, value, recorded, marked_by))
            row.cells[component] = cells
            score = candidate["scores"].get(component)
            row.results[component] = score["score"] if score else None
        rows.append(row)
    return rows


def corrections_of(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Every correction of the session's marks, newest last: who, which mark, from what to
    what, why and when (each one its own ``ScoreCorrected`` event)."""
    found = []
    for candidate in evaluation.candidates.values():
        for component in evaluation.components:
            marks = list(candidate.get("marks", {}).get(component, {}).values())
            score = candidate["scores"].get(component)
            if not marks and score is not None:
                marks = [score]
            for mark in marks:
                for correction in mark["corrections"]:
                    found.append({"name": candidate["name"], "component": component, **correction})
    return sorted(found, key=lambda correction: str(correction["on"]))


def progress_of(evaluation: Evaluation) -> dict[str, Any]:
    """Marks in and needed per component (candidates × examiners on its panel) and overall;
    a component is complete only when every examiner has marked every candidate."""
    found = session_progress(
        evaluation.candidates.values(), evaluation.components, evaluation.marking_panels
    )
    components = {}
    for component, own in found.items():
        active = own["scored"] + own["unscored"]
        if own["panel"]:
            needed = active * len(own["panel"])
            marks_in = needed - sum(own["marks_missing"].values())
        else:
            needed, marks_in = active, own["scored"]
        components[component] = {
            "in": marks_in,
            "needed": needed,
            "complete": needed > 0 and marks_in == needed,
            "missing": {e: n for e, n in own["marks_missing"].items() if n},
        }
    total_in = sum(c["in"] for c in components.values())
    total = sum(c["needed"] for c in components.values())
    return {
        "components": components,
        "in": total_in,
        "needed": total,
        "complete": total > 0 and total_in == total,
    }


def scores_page(
    evaluation: Evaluation,
    *,
    status: int = 200,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    report: Any = None,
    upload_token: str = "",
) -> Any:
    errors = errors or {}
    rows = rows_of(evaluation, typed)
    summary = []  # (the field's id, what is wrong) for the list above the form
    for row in rows:
        for cells in row.cells.values():
            for cell in cells:
                cell.error = errors.get(cell.name, "")
                if cell.error:
                    summary.append((cell.id, f"{cell.label}: {cell.error}"))
    for component in evaluation.components:
        if f"examiner.{component}" in errors:
            summary.append((f"examiner-{component}", errors[f"examiner.{component}"]))
    summary += [(field, errors[field]) for field in ("reason", "file") if field in errors]
    open_ = evaluation.status is EvaluationStatus.PLANNED
    return render(
        "pages/console_scores.html",
        status=status,
        evaluation=evaluation,
        rows=rows,
        components=evaluation.components,
        component_names=COMPONENTS,
        columns={c: examiners_of(evaluation, c) for c in evaluation.components},
        panels={c: evaluation.panels.get(c) or [] for c in evaluation.components},
        progress=progress_of(evaluation),
        corrections=corrections_of(evaluation),
        may_save=may_change(evaluation) and open_,
        scores_open=open_,
        errors=errors,
        summary=summary,
        form=request.form if typed is not None else {},
        saved=request.args.get("saved", type=int),
        corrected=request.args.get("corrected", type=int),
        imported=request.args.get("imported", type=int),
        report=report,
        upload_token=upload_token,
        reason_max=REASON_MAX,
        examiner_max=EXAMINER_MAX,
        title=gettext("成绩录入 · %(reference)s", reference=evaluation.reference),
    )


@console.route("/sessions/<uuid:session_id>/scores", methods=["GET"])
def session_scores(session_id: UUID) -> Any:
    return scores_page(session_for(session_id))


def entries_of(
    evaluation: Evaluation, form: Any, errors: dict[str, str]
) -> tuple[list[MarkEntry], list[str]]:
    """The form's filled cells as mark entries (and each entry's cell name); a cleared cell
    whose mark is recorded, or a new mark of a panel-less component without an examiner, is a
    problem in ``errors``."""
    reason = form.get("reason", "").strip()
    entries: list[MarkEntry] = []
    names: list[str] = []
    for candidate in evaluation.candidates.values():
        key = str(candidate["worker_id"])
        for component in evaluation.components:
            panel = evaluation.marking_panel(component)
            for column, examiner in enumerate(examiners_of(evaluation, component)):
                name = cell_name(key, component, column)
                value = score_of(form.get(name, ""))
                mark = recorded_mark(candidate, component, examiner, panel)
                if not value:
                    if mark is not None:
                        errors[name] = gettext(
                            "已记录 %(score)s 分，不能清空；要改动请填写新的分数和更正原因。",
                            score=mark["score"],
                        )
                    continue
                if not panel:
                    # a first mark names the examiner given above the table; a correction
                    # keeps the one who marked it
                    examiner = mark["examiner"] if mark else form.get(f"examiner.{component}", "")
                    if not examiner.strip():
                        errors[f"examiner.{component}"] = gettext("请填写评分的考评员姓名。")
                        errors.setdefault(name, gettext("请先在表格上方填写考评员。"))
                        continue
                entries.append(
                    MarkEntry(candidate["worker_id"], component, examiner, value, reason)
                )
                names.append(name)
    return entries, names


def refusal_of(error: DomainRuleViolation | InvalidValue, recorded: Any) -> str:
    """A refused cell's message, in the page's language where the rule is known (``recorded``:
    the mark the cell would change, if any)."""
    if isinstance(error, InvalidValue):
        if error.field == "score":
            return gettext("请填写 0 到 100 的分数，最多两位小数（例如 85 或 85.5）。")
        return error.detail
    if error.rule == "reason-required":
        return gettext(
            "已记录 %(score)s 分；改动即为更正，请在下方填写更正原因。",
            score=recorded["score"] if recorded else "",
        )
    if error.rule in CELL_RULES:
        return gettext(CELL_RULES[error.rule])
    return error.detail


@console.route("/sessions/<uuid:session_id>/scores", methods=["POST"])
def save_scores(session_id: UUID) -> Any:
    evaluation = session_for(session_id, change=True)
    form = request.form
    typed = {k: v for k, v in form.items() if k.startswith("m.")}
    errors: dict[str, str] = {}
    if len(form.get("reason", "").strip()) > REASON_MAX:
        errors["reason"] = gettext("更正原因最多 %(max)s 个字。", max=REASON_MAX)
    for component in evaluation.components:
        if len(form.get(f"examiner.{component}", "").strip()) > EXAMINER_MAX:
            errors[f"examiner.{component}"] = gettext("考评员姓名最多 100 个字。")
    entries, names = entries_of(evaluation, form, errors)
    if errors:
        return scores_page(evaluation, status=422, typed=typed, errors=errors)
    person = current_person()
    assert person is not None
    try:
        result = ledger().evaluations.record_marks(
            session_id, entries, actor=person.principal.actor
        )
    except MarksRefused as refused:
        for index, error in refused.problems.items():
            entry = entries[index]
            if isinstance(error, DomainRuleViolation) and error.rule in SESSION_RULES:
                errors["form"] = gettext(SESSION_RULES[error.rule])
                continue
            candidate = evaluation.candidates.get(str(entry.worker_id))
            panel = evaluation.marking_panel(entry.component)
            recorded = (
                recorded_mark(candidate, entry.component, entry.examiner, panel)
                if candidate
                else None
            )
            errors[names[index]] = refusal_of(error, recorded)
            if isinstance(error, DomainRuleViolation) and error.rule == "reason-required":
                errors["reason"] = gettext("改动已记录的分数时必须填写更正原因，原因会记录在案。")
        return scores_page(evaluation, status=422, typed=typed, errors=errors)
    return redirect(
        url_for(
            "console.session_scores",
            session_id=session_id,
            saved=result.marks,
            corrected=result.corrections,
        ),
        code=303,
    )


@console.route("/sessions/<uuid:session_id>/scores/import", methods=["POST"])
def import_scores(session_id: UUID) -> Any:
    """Preview a spreadsheet of scores (a dry run; the file is held), or record the previewed
    file (all or nothing)."""
    evaluation = session_for(session_id, change=True)
    person = current_person()
    assert person is not None
    recording = request.form.get("action") == "record"
    if recording:
        held = request.form.get("upload", "")
        data = console_uploads.take(held, kind=UPLOAD_KIND, target=session_id)
        if data is None:
            problem = gettext("预览的文件已过期或已导入，请重新选择文件并预览。")
            return scores_page(evaluation, status=422, errors={"file": problem})
    else:
        upload = request.files.get("file")
        data = upload.read() if upload is not None else b""
        if not data:
            problem = gettext("请选择要导入的 CSV 或 XLSX 文件。")
            return scores_page(evaluation, status=422, errors={"file": problem})
    try:
        report = ledger().evaluations.import_scores(
            session_id, data, dry_run=not recording, actor=person.principal.actor
        )
    except InvalidValue:
        problem = gettext("无法读取这个文件：请上传 CSV（UTF-8 或 GB 18030）或 XLSX 文件。")
        return scores_page(evaluation, status=422, errors={"file": problem})
    except DomainRuleViolation as error:
        message = SESSION_RULES.get(error.rule)
        problem = gettext(message) if message else error.detail
        return scores_page(evaluation, status=422, errors={"file": problem})
    if recording and not report.problems:
        console_uploads.forget(held)
        return redirect(
            url_for(
                "console.session_scores",
                session_id=session_id,
                saved=report.changes.get("scores", 0),
                corrected=report.changes.get("corrections", 0),
                imported=1,
            ),
            code=303,
        )
    token = (
        ""
        if recording or report.problems
        else console_uploads.hold(data, kind=UPLOAD_KIND, target=session_id)
    )
    status = 422 if report.problems else 200
    return scores_page(evaluation, status=status, report=report, upload_token=token)


add_session_tab("console.session_scores", N_("成绩"), 20)
