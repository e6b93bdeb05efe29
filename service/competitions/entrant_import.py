"""A competition's entrants (参赛选手) imported from a spreadsheet (CSV or XLSX), all or nothing,
with a dry run that records nothing.

Columns (English or Chinese headers): ``id_number`` (身份证号, required), ``id_kind`` (证件类型;
default ``resident``), ``name`` (姓名, required: as registered), ``entrant_kind`` (选手类别,
required: ``职工``/``employee`` or ``学生``/``student``), ``employer`` (工作单位或学校: whom the
entrant competes for; an employee left blank competes for their employer in the ledger, a
student needs their school). Every entrant must be a registered worker (their employer registers
its staff): an organiser registers entrants, not people.

Every row is checked against the competition as it stands, by the domain command the API uses
(``service.competitions.entrants.register_on``) on an in-memory copy; any problem and nothing is
recorded. Problems name the row (the spreadsheet's own number), the column and the rule; ID
numbers only masked.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.errors import DomainRuleViolation, InvalidValue
from domain.promotion_rules import EntrantKind
from service.competitions.entrants import EntrantRegistration, register_on
from service.evaluations.evidence import load_workers
from service.evaluations.imports import ImportReport, refusal, start_import
from service.evaluations.spreadsheets import CellProblem, cell_text, id_number_cell
from service.ledger_store import LedgerStore

__all__ = ["ENTRANT_COLUMNS", "KINDS", "import_entrants"]

ENTRANT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id"),
    "id_kind": ("证件类型",),
    "name": ("姓名",),
    "entrant_kind": ("选手类别", "组别", "类别"),
    "employer": ("工作单位或学校", "工作单位", "单位", "学校"),
}
KINDS = {
    "职工": EntrantKind.EMPLOYEE,
    "职工组": EntrantKind.EMPLOYEE,
    "学生": EntrantKind.STUDENT,
    "学生组": EntrantKind.STUDENT,
    **{kind.value: kind for kind in EntrantKind},
}
REQUIRED = ("id_number", "name", "entrant_kind")
# which column a refused rule (or a refused value's field) points at
RULE_COLUMNS = {
    "already-registered": "id_number",
    "not-employed-by": "employer",
    "employer": "employer",
    "name": "name",
}
EMPLOYER_MAX = 200


def _kind(text: str) -> EntrantKind:
    if text not in KINDS:
        raise CellProblem("entrant_kind", f"must be one of {', '.join(KINDS)}")
    return KINDS[text]


def import_entrants(
    ledger: LedgerStore,
    competition_id: UUID,
    data: bytes,
    *,
    dry_run: bool,
    actor: str,
    organisation_name: Callable[[UUID], str],
) -> ImportReport:
    """Register every row's entrant on the competition, all or nothing (see the module
    docstring); refused as a whole (``registration-closed``, ``results-final``) when
    the competition takes no more entrants."""
    table, report, rows = start_import("entrants", data, ENTRANT_COLUMNS, dry_run)
    competition = ledger.competition(competition_id)
    if competition.is_final:
        raise DomainRuleViolation("results-final", f"the results of {competition.name} are final")
    if competition.locks:
        raise DomainRuleViolation(
            "registration-closed",
            f"registration closed when {', '.join(sorted(competition.locks))} was locked",
        )
    for column in REQUIRED:
        if column not in table.columns and table.has_header:
            rows.problem(1, column, "required column is missing")
    if report.problems and not table.rows:
        return report
    seen: dict[UUID, int] = {}
    checked: list[tuple[int, UUID, str, str, EntrantKind, str]] = []
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
        kind = None
        try:
            kind = _kind(cell_text(row, "entrant_kind"))
        except CellProblem as problem:
            cell_problems.append(problem)
        employer = cell_text(row, "employer")
        if len(employer) > EMPLOYER_MAX:
            cell_problems.append(CellProblem("employer", f"at most {EMPLOYER_MAX} characters"))
        for found in cell_problems:
            rows.problem(number, found.column, found.message)
        if cell_problems or id_number is None or kind is None:
            continue
        worker_id = ledger.worker_id_for(id_number)
        if not rows.first_for(seen, worker_id, number, id_number.masked):
            continue
        checked.append((number, worker_id, id_number.masked, name, kind, employer))

    workers = load_workers(ledger, [entry[1] for entry in checked])
    at = ledger.clock()
    entered = 0
    for number, worker_id, masked, name, kind, employer in checked:
        worker = workers[worker_id]
        if worker is None:
            rows.problem(
                number,
                "id_number",
                f"no worker with ID number {masked} is registered; their employer (or school's "
                "evaluation body) registers them first",
            )
            continue
        if worker.name != name:
            rows.problem(number, "name", f"does not match the name registered for {masked}")
            continue
        entry = EntrantRegistration(worker_id, kind, None, employer or None)
        try:
            register_on(
                competition,
                worker,
                entry,
                at=at,
                actor=actor,
                organisation_name=organisation_name,
            )
        except (DomainRuleViolation, InvalidValue) as error:
            key = error.rule if isinstance(error, DomainRuleViolation) else error.field
            rows.problem(number, RULE_COLUMNS.get(key, ""), refusal(error))
            continue
        entered += 1
    report.problems.sort(key=lambda problem: problem.row)
    report.changes = {"entered": entered}
    if report.problems or dry_run or not entered:
        return report
    recorded = ledger.record(competition)
    report.recorded = True
    report.position = recorded.position
    return report
