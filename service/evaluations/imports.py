"""Bulk import of a session's candidates and scores from CSV or XLSX (the spreadsheets HR keeps).

Every import is checked row by row against the session *as it stands*, by the same domain
commands the API uses, applied to an in-memory copy: a dry run (``dry_run=True``) reports every
row's problems and records nothing; a real import records everything in one atomic ``save`` or,
if any row has a problem, nothing at all (all or nothing).

Files are read by ``service.evaluations.spreadsheets`` (CSV or XLSX; row 1 the header).
Headers may be English or the Chinese column names below.

Candidates: ``id_number`` (身份证号, required), ``id_kind`` (证件类型; default ``resident``),
``name`` (姓名, required), ``route`` (申报条件, required: a route id of the eligibility edition in
force, e.g. ``4-years``), ``evidence_reference`` (证明材料: required for bypass routes),
``experience_since`` / ``experience_until`` (从业起始日期 / 从业截止日期: one period in the
occupation), ``diploma_kind`` / ``diploma_awarded_on`` (学历类型 / 毕业日期), ``title_series`` /
``title_grade`` / ``title_awarded_on`` (职称系列 / 职称等级 / 职称取得日期).

A worker not yet registered is registered by the import for a social (S) body; an employer (Y)
body enrols only its registered staff.

Scores: ``id_number`` (required), ``name`` (optional; checked if given), and per component a score
column and an examiner column: ``theory`` + ``theory_examiner`` (理论知识 / 理论考评员),
``practical`` + ``practical_examiner`` (操作技能 / 操作技能考评员), ``review`` + ``review_examiner``
(综合评审 / 综合评审专家); ``correction_reason`` (更正原因) turns a changed score into a correction.
A component with an examiner panel is scored by every examiner on it (its score is their mean,
``domain.evaluation.panel``): give each examiner's mark on its own row, the candidate's
``id_number`` repeated (e.g. 操作技能 85 by 甲 on one row, 83 by 乙 on the next).
An empty score cell records nothing; a score equal to the one recorded is left unchanged, so the
same file can be imported twice.

Example (candidates, CSV)::

    id_number,name,route,experience_since,evidence_reference
    110105199003070011,张三,4-years,2015-03-01,
    110105199003070027,李四,4-competition-promotion,,津人社核〔2025〕12号

Messages never contain an ID number: persons are named by the masked number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.eligibility import DiplomaKind, TitleGrade, find_edition
from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation import COMPONENT_NAMES_ZH, Enrolment, Evaluation, EvaluationStatus
from domain.evaluation.panel import recorded_mark
from domain.free_text import mask_id_numbers
from domain.id_number import IdNumber
from domain.organisation import OrganisationKind
from domain.worker import Worker
from service.evaluations.collaborators import CredentialRecords
from service.evaluations.evidence import candidate_facts, held_level_facts, load_workers
from service.evaluations.spreadsheets import (
    CellProblem,
    RowProblem,
    Table,
    cell_text,
    date_cell,
    id_number_cell,
    read_table,
    score_cell,
)
from service.ledger_store import LedgerStore

__all__ = [
    "CANDIDATE_COLUMNS",
    "SCORE_COLUMNS",
    "ImportReport",
    "RowProblem",
    "RowProblems",
    "import_candidates",
    "import_scores",
    "refusal",
    "start_import",
]

CANDIDATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id"),
    "id_kind": ("证件类型",),
    "name": ("姓名",),
    "route": ("申报条件", "申报途径"),
    "evidence_reference": ("证明材料", "证明材料编号", "evidence"),
    "experience_since": ("从业起始日期", "从事本职业起始日期"),
    "experience_until": ("从业截止日期", "从事本职业截止日期"),
    "diploma_kind": ("学历类型", "毕业证书类型"),
    "diploma_awarded_on": ("毕业日期",),
    "title_series": ("职称系列",),
    "title_grade": ("职称等级",),
    "title_awarded_on": ("职称取得日期",),
}
SCORE_COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id"),
    "id_kind": ("证件类型",),
    "name": ("姓名",),
    "theory": ("理论知识", "理论", "理论成绩"),
    "theory_examiner": ("理论考评员",),
    "practical": ("操作技能", "实操", "实操成绩", "操作技能成绩"),
    "practical_examiner": ("操作技能考评员", "实操考评员"),
    "review": ("综合评审", "综合评审成绩"),
    "review_examiner": ("综合评审专家", "综合评审考评员"),
    "correction_reason": ("更正原因",),
}
REQUIRED_CANDIDATE_COLUMNS = ("id_number", "name", "route")

# which column a refused domain rule points at
RULE_COLUMNS = {
    "not-own-staff": "id_number",
    "already-enrolled": "id_number",
    "not-enrolled": "id_number",
    "candidate-ineligible": "route",
    "examiner-not-on-panel": "{component}_examiner",
    "examiner-required": "{component}_examiner",
    "reason-required": "correction_reason",
}


@dataclass
class ImportReport:
    """What an import found and did. ``recorded`` is true only when everything was saved."""

    kind: str
    format: str
    dry_run: bool
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)
    recorded: bool = False
    position: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "format": self.format,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "ok": self.ok,
            "recorded": self.recorded,
            "position": self.position,
            "changes": dict(self.changes),
            "problems": [problem.as_dict() for problem in self.problems],
        }


# -- importing -------------------------------------------------------------------------------------


class RowProblems:
    """Collects problems for one file, naming columns as the file wrote them."""

    def __init__(self, table: Table, report: ImportReport) -> None:
        self.table = table
        self.report = report

    def problem(self, row: int, column: str, message: str) -> None:
        shown = self.table.columns.get(column, column)
        self.report.problems.append(RowProblem(row, shown, mask_id_numbers(message)))

    def first_for(self, seen: dict[UUID, int], worker_id: UUID, row: int, masked: str) -> bool:
        """Whether ``row`` is the first naming ``worker_id`` in the file; a later row naming
        the same person is a problem (``masked``: the ID number as the message shows it)."""
        if worker_id in seen:
            self.problem(row, "id_number", f"{masked} is also on row {seen[worker_id]}")
            return False
        seen[worker_id] = row
        return True


def refusal(error: DomainRuleViolation | InvalidValue) -> str:
    """A refused row's message: the rule (or field) and why."""
    if isinstance(error, DomainRuleViolation):
        return f"{error.rule}: {error.detail}"
    return f"{error.field}: {error.detail}"


def start_import(
    kind: str, data: bytes, columns: Mapping[str, tuple[str, ...]], dry_run: bool
) -> tuple[Table, ImportReport, RowProblems]:
    """Read a file for an import of ``kind``: its table, the report, the row-problem sink."""
    table = read_table(data, columns)
    report = ImportReport(kind=kind, format=table.format, dry_run=dry_run, rows=len(table.rows))
    report.problems.extend(
        RowProblem(p.row, p.column, mask_id_numbers(p.message)) for p in table.problems
    )
    return table, report, RowProblems(table, report)


def _require_planned(evaluation: Evaluation, what: str) -> None:
    if evaluation.status is not EvaluationStatus.PLANNED:
        raise DomainRuleViolation(
            f"evaluation-is-{evaluation.status}",
            f"cannot import {what} into {evaluation.reference}: it is {evaluation.status}",
        )


def import_candidates(
    ledger: LedgerStore,
    credentials: CredentialRecords,
    evaluation_id: UUID,
    data: bytes,
    *,
    dry_run: bool,
    actor: str,
) -> ImportReport:
    """Enrol every row's candidate, all or nothing (see the module docstring)."""
    table, report, rows = start_import("candidates", data, CANDIDATE_COLUMNS, dry_run)
    evaluation = ledger.evaluation(evaluation_id)
    _require_planned(evaluation, "candidates")
    body = ledger.organisation(evaluation.body_id)
    today = ledger.china_today()
    edition = find_edition(evaluation.occupation_code, today)
    level_routes = ", ".join(route.id for route in edition.routes_for(evaluation.level))
    for column in REQUIRED_CANDIDATE_COLUMNS:
        if column not in table.columns and table.has_header:
            report.problems.append(RowProblem(1, column, "required column is missing"))
    if report.problems and not table.rows:
        return report
    seen: dict[UUID, int] = {}
    registered: list[Worker] = []
    identifiers: dict[UUID, list[Any]] = {}
    checked: list[tuple[int, UUID, IdNumber, str, Any, dict[str, Any]]] = []
    enrolments: list[Enrolment] = []
    enrolled = 0
    for number, row in table.rows:
        try:
            id_number = id_number_cell(row)
        except CellProblem as problem:
            rows.problem(number, problem.column, problem.message)
            id_number = None
        cell_problems = []
        name = cell_text(row, "name")
        if not name:
            cell_problems.append(CellProblem("name", "is required"))
        route = None
        route_id = cell_text(row, "route")
        if not route_id:
            cell_problems.append(CellProblem("route", f"is required; routes: {level_routes}"))
        else:
            try:
                route = edition.route(route_id)
            except InvalidValue:
                cell_problems.append(
                    CellProblem(
                        "route",
                        f"{edition.key} has no route {route_id!r}; routes for "
                        f"{evaluation.level.name_zh}: {level_routes}",
                    )
                )
        evidence: dict[str, Any] = {"evidence_reference": cell_text(row, "evidence_reference")}
        try:
            since = date_cell(row, "experience_since")
            until = date_cell(row, "experience_until")
            if until is not None and since is None:
                raise CellProblem("experience_since", "is required with experience_until")
            if since is not None:
                if until is not None and until < since:
                    raise CellProblem("experience_until", "is before experience_since")
                evidence["experience"] = [{"start": since, "end": until}]
        except CellProblem as problem:
            cell_problems.append(problem)
        try:
            diploma_kind = cell_text(row, "diploma_kind")
            awarded = date_cell(row, "diploma_awarded_on")
            if diploma_kind:
                try:
                    DiplomaKind(diploma_kind)
                except ValueError:
                    raise CellProblem(
                        "diploma_kind",
                        f"must be one of {', '.join(kind.value for kind in DiplomaKind)}",
                    ) from None
                evidence["diplomas"] = [{"kind": diploma_kind, "awarded_on": awarded}]
            elif awarded is not None:
                raise CellProblem("diploma_kind", "is required with diploma_awarded_on")
        except CellProblem as problem:
            cell_problems.append(problem)
        try:
            grade = cell_text(row, "title_grade")
            title_on = date_cell(row, "title_awarded_on")
            if grade:
                try:
                    TitleGrade(grade)
                except ValueError:
                    raise CellProblem(
                        "title_grade",
                        f"must be one of {', '.join(grade.value for grade in TitleGrade)}",
                    ) from None
                if title_on is None:
                    raise CellProblem("title_awarded_on", "is required with title_grade")
                evidence["titles"] = [
                    {
                        "series": cell_text(row, "title_series"),
                        "grade": grade,
                        "awarded_on": title_on,
                    }
                ]
        except CellProblem as problem:
            cell_problems.append(problem)
        for problem in cell_problems:
            rows.problem(number, problem.column, problem.message)
        if id_number is None or cell_problems or route is None:
            continue

        worker_id = ledger.worker_id_for(id_number)
        if not rows.first_for(seen, worker_id, number, id_number.masked):
            continue
        checked.append((number, worker_id, id_number, name, route, evidence))

    existing = load_workers(ledger, [entry[1] for entry in checked])
    for number, worker_id, id_number, name, route, evidence in checked:
        found = existing[worker_id]
        if found is not None:
            worker = found
            if worker.name != name:
                rows.problem(
                    number, "name", f"does not match the name registered for {id_number.masked}"
                )
                continue
            held = held_level_facts(ledger, worker)
        elif body.kind is OrganisationKind.EMPLOYER:
            rows.problem(
                number,
                "id_number",
                f"no worker with ID number {id_number.masked} is registered; {body.name} "
                "enrols only its registered staff (register and employ them first)",
            )
            continue
        else:
            worker = Worker.register(
                identity_hash=ledger.identity_hash(id_number),
                id_kind=id_number.kind.value,
                masked_id_number=id_number.masked,
                name=name,
                actor=actor,
            )
            held = []
            identifiers[worker.id] = credentials.subject_identifier_for(worker, id_number)
        try:
            facts = candidate_facts(evidence, evaluation.occupation_code, held)
            enrolments.append(
                evaluation.enrolment(
                    body=body, worker=worker, route=route, facts=facts, on=today, actor=actor
                )
            )
        except (DomainRuleViolation, InvalidValue) as error:
            column = (
                RULE_COLUMNS.get(error.rule, "") if isinstance(error, DomainRuleViolation) else ""
            )
            rows.problem(number, column, refusal(error))
            continue
        enrolled += 1
        if found is None:
            registered.append(worker)
    report.problems.sort(key=lambda problem: problem.row)  # stable: a row's own order stays
    report.changes = {"enrolled": enrolled, "registered": len(registered)}
    if report.problems or dry_run or not enrolled:
        return report
    evaluation.enrol_all(enrolments)  # one event for the file's candidates
    sealed = [aggregate for worker in registered for aggregate in identifiers[worker.id]]
    recorded = ledger.record(evaluation, *registered, *sealed)
    report.recorded = True
    report.position = recorded.position
    return report


def import_scores(
    ledger: LedgerStore, evaluation_id: UUID, data: bytes, *, dry_run: bool, actor: str
) -> ImportReport:
    """Record every row's scores (corrections where a reason is given), all or nothing."""
    table, report, rows = start_import("scores", data, SCORE_COLUMNS, dry_run)
    evaluation = ledger.evaluation(evaluation_id)
    _require_planned(evaluation, "scores")
    body = ledger.organisation(evaluation.body_id)
    today = ledger.china_today()
    components = [c for c in ("theory", "practical", "review") if c in table.columns]
    if table.has_header:
        if "id_number" not in table.columns:
            report.problems.append(RowProblem(1, "id_number", "required column is missing"))
        for component in components:
            if component not in evaluation.components:
                rows.problem(
                    1,
                    component,
                    f"{evaluation.reference} has no {component} component "
                    f"({COMPONENT_NAMES_ZH.get(component, component)}); its components are "
                    f"{', '.join(evaluation.components)}",
                )
            if f"{component}_examiner" not in table.columns:
                report.problems.append(
                    RowProblem(1, f"{component}_examiner", "required column is missing")
                )
        for column in ("theory_examiner", "practical_examiner", "review_examiner"):
            if column in table.columns and column.removesuffix("_examiner") not in components:
                rows.problem(1, column, "has no score column beside it")
        if not components:
            report.problems.append(
                RowProblem(1, "", "no score column: theory, practical or review")
            )
    if report.problems:
        return report
    seen: dict[tuple[str, str, str], int] = {}
    counts = {"scores": 0, "corrections": 0, "unchanged": 0}
    first_scores: list[dict[str, Any]] = []
    for number, row in table.rows:
        try:
            id_number = id_number_cell(row)
        except CellProblem as problem:
            rows.problem(number, problem.column, problem.message)
            continue
        key = str(ledger.worker_id_for(id_number))
        candidate = evaluation.candidates.get(key)
        if candidate is None:
            rows.problem(
                number, "id_number", f"{id_number.masked} is not a candidate of this session"
            )
            continue
        name = cell_text(row, "name")
        if name and name != candidate["name"]:
            rows.problem(number, "name", f"does not match the candidate {id_number.masked}")
            continue
        reason = cell_text(row, "correction_reason")
        for component in components:
            examiner_column = f"{component}_examiner"
            try:
                score = score_cell(row, component)
            except CellProblem as problem:
                rows.problem(number, problem.column, problem.message)
                continue
            examiner = cell_text(row, examiner_column)
            if score is None:
                if examiner:
                    rows.problem(number, component, f"is empty but {examiner_column} is given")
                continue
            if not examiner:
                rows.problem(number, examiner_column, f"is required with a {component} score")
                continue
            panel = evaluation.marking_panel(component)
            slot = (key, component, examiner if panel else "")
            if slot in seen:
                by = f" by {examiner}" if panel else ""
                rows.problem(
                    number,
                    "id_number",
                    f"{id_number.masked}'s {component} mark{by} is also on row {seen[slot]}",
                )
                continue
            seen[slot] = number
            recorded = recorded_mark(candidate, component, examiner, panel)
            try:
                if recorded is None:
                    first_scores.append(
                        evaluation.score(
                            body=body,
                            worker_id=candidate["worker_id"],
                            component=component,
                            score=score,
                            examiner=examiner,
                            on=today,
                            actor=actor,
                        )
                    )
                    counts["scores"] += 1
                elif recorded["score"] == score and recorded["examiner"] == examiner:
                    counts["unchanged"] += 1
                elif not reason:
                    rows.problem(
                        number,
                        component,
                        f"a {component} score of {recorded['score']} by {recorded['examiner']} "
                        "is recorded; fill correction_reason to correct it",
                    )
                else:
                    evaluation.correct_score(
                        body=body,
                        worker_id=candidate["worker_id"],
                        component=component,
                        score=score,
                        examiner=examiner,
                        reason=reason,
                        on=today,
                        actor=actor,
                    )
                    counts["corrections"] += 1
            except (DomainRuleViolation, InvalidValue) as error:
                column = component
                if isinstance(error, DomainRuleViolation):
                    column = RULE_COLUMNS.get(error.rule, component).format(component=component)
                rows.problem(number, column, refusal(error))
    report.changes = counts
    if report.problems or dry_run or not (counts["scores"] or counts["corrections"]):
        return report
    evaluation.record_scores(first_scores)  # one event for the file's first scores
    recorded_at = ledger.record(evaluation)
    report.recorded = True
    report.position = recorded_at.position
    return report
