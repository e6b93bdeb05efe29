"""A body's staff (花名册) imported from a spreadsheet: each row a person registered (if new) and
employed by the body, all or nothing, with a dry run that records nothing.

Columns (English or Chinese headers): ``id_number`` (身份证号, required), ``id_kind`` (证件类型;
default ``resident``), ``name`` (姓名, required), ``relation`` (用工关系: ``staff`` 本单位职工,
``dispatched`` 劳务派遣, ``outsourced`` 业务外包, ``affiliated`` 平台/挂靠; default ``staff``),
``since`` (入职日期, required). A person already employed by the body is left unchanged, so the
same file imports twice; a registered person under another name is a problem. An issuer's claim
on a person another organisation registered awaits that person's confirmation (``claims``), as
one made through ``start-employment`` does.

Every row is checked before anything is recorded; any problem and nothing is recorded. The
report names each problem's row (the spreadsheet's own number), column and rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation, InvalidValue
from domain.worker import EmploymentRelation, Worker
from service.evaluations.collaborators import CredentialRecords
from service.evaluations.evidence import load_workers
from service.evaluations.imports import ImportReport, refusal, start_import
from service.evaluations.spreadsheets import CellProblem, cell_text, date_cell, id_number_cell
from service.ledger_store import LedgerStore

__all__ = ["STAFF_COLUMNS", "import_staff"]

STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id"),
    "id_kind": ("证件类型",),
    "name": ("姓名",),
    "relation": ("用工关系", "用工形式"),
    "since": ("入职日期", "起始日期"),
}
RELATIONS = {
    "本单位职工": EmploymentRelation.STAFF,
    "劳务派遣": EmploymentRelation.DISPATCHED,
    "业务外包": EmploymentRelation.OUTSOURCED,
    "平台/挂靠": EmploymentRelation.AFFILIATED,
    "挂靠": EmploymentRelation.AFFILIATED,
    **{relation.value: relation for relation in EmploymentRelation},
}


def _relation(row: Any) -> EmploymentRelation:
    text = cell_text(row, "relation")
    if not text:
        return EmploymentRelation.STAFF
    if text not in RELATIONS:
        raise CellProblem("relation", f"must be one of {', '.join(RELATIONS)}")
    return RELATIONS[text]


def _since(row: Any) -> date:
    since = date_cell(row, "since")
    if since is None:
        raise CellProblem("since", "is required (the day the person joined)")
    return date.fromisoformat(since)


def import_staff(
    ledger: LedgerStore,
    credentials: CredentialRecords,
    body_id: UUID,
    data: bytes,
    *,
    dry_run: bool,
    actor: str,
    claimant: UUID | None,
) -> ImportReport:
    """Register and employ every row's person at ``body_id``, all or nothing.
    ``claimant``: the body claiming the employments (``None``: an administrator's record)."""
    table, report, rows = start_import("staff", data, STAFF_COLUMNS, dry_run)
    body = ledger.organisation(body_id)
    for column in ("id_number", "name", "since"):
        if column not in table.columns and table.has_header:
            rows.problem(1, column, "required column is missing")
    if report.problems and not table.rows:
        return report
    checked: list[tuple[int, Any, str, EmploymentRelation, date, UUID]] = []
    seen: dict[UUID, int] = {}
    for number, row in table.rows:
        cell_problems: list[CellProblem] = []
        id_number = None
        try:
            id_number = id_number_cell(row)
        except CellProblem as problem:
            cell_problems.append(problem)
        name = cell_text(row, "name")
        if not name:
            cell_problems.append(CellProblem("name", "is required"))
        relation, since = EmploymentRelation.STAFF, None
        for read in (_relation, _since):
            try:
                value = read(row)
            except CellProblem as problem:
                cell_problems.append(problem)
                continue
            if isinstance(value, EmploymentRelation):
                relation = value
            else:
                since = value
        for problem in cell_problems:
            rows.problem(number, problem.column, problem.message)
        if cell_problems or id_number is None or since is None:
            continue
        worker_id = ledger.worker_id_for(id_number)
        if not rows.first_for(seen, worker_id, number, id_number.masked):
            continue
        checked.append((number, id_number, name, relation, since, worker_id))

    existing = load_workers(ledger, [entry[5] for entry in checked])
    changed: list[Any] = []
    counts = {"registered": 0, "employed": 0, "claims": 0, "unchanged": 0}
    for number, id_number, name, relation, since, worker_id in checked:
        worker = existing[worker_id]
        if worker is None:
            worker = Worker.register(
                identity_hash=ledger.identity_hash(id_number),
                id_kind=id_number.kind.value,
                masked_id_number=id_number.masked,
                name=name,
                actor=actor,
                registered_by=claimant,
                registered_on=ledger.china_today(),
            )
            changed.extend(credentials.subject_identifier_for(worker, id_number))
            counts["registered"] += 1
        elif worker.name != name:
            rows.problem(
                number, "name", f"does not match the name registered for {id_number.masked}"
            )
            continue
        if worker.employer_on(since) == body.id:
            counts["unchanged"] += 1
            continue
        try:
            in_effect = worker.start_employment(body.id, relation, since, actor, claimant=claimant)
        except (DomainRuleViolation, InvalidValue) as error:
            rows.problem(number, "id_number", refusal(error))
            continue
        counts["employed" if in_effect else "claims"] += 1
        changed.append(worker)
    report.problems.sort(key=lambda problem: problem.row)
    report.changes = counts
    if report.problems or dry_run or not changed:
        return report
    workers = [aggregate for aggregate in changed if isinstance(aggregate, Worker)]
    others = [aggregate for aggregate in changed if not isinstance(aggregate, Worker)]
    first, *rest = workers
    recorded = ledger.record(first, *rest, *others)
    report.recorded = True
    report.position = recorded.position
    return report
