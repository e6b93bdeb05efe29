"""``/console/competitions/<id>/entrants``: a competition's entrants (参赛选手), a competition tab.

The list is the competition's (number, name, masked ID number from the directory, employee 职工
or student 学生, whom they compete for, withdrawn with the reason). Until registration closes
(the first lock) the organiser registers one entrant -- a registered worker found by name (the
directory's list, ID numbers masked) or by the ID number entered (never echoed) -- as an
employee or a student with the employer or school, through ``ledger.competitions.
register_entrant`` (what ``POST /api/v1/competitions/{id}/entrants`` does); or imports a
spreadsheet (``ledger.competitions.import_entrants``): a dry run first listing every row and its
problems, the file held between preview and record by :mod:`service.pages.console_uploads` (the
steps run by :mod:`service.pages.console_imports`),
nothing recorded from a file with any problem. An entrant is withdrawn (缺考, 退赛, 取消资格)
with a reason. A refusal names its rule beside the field it concerns.

Who may see or change it: :func:`service.pages.console_competition.competition_for`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import redirect, request, url_for
from werkzeug.exceptions import NotFound as PageNotFound

from domain.competition import Competition, EntrantKind
from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import mask_id_numbers
from service.app_services import ledger, services
from service.commands import NotFound
from service.competitions.entrant_import import ENTRANT_COLUMNS
from service.pages.blueprints import render
from service.pages.console import console
from service.pages.console_competition import (
    add_competition_tab,
    competition_for,
    may_change_competition,
)
from service.pages.console_imports import ConsoleImport
from service.pages.console_staff import read_id_number
from service.pages.console_uploads import caught_up
from service.pages.i18n import N_, gettext
from service.pages.people import current_person
from service.pages.verify import ID_KINDS

__all__ = ["entrants_page"]

KIND = "entrants"
FOUND = 20  # workers a name search lists
NAME_MIN = 2
NAME_MAX = 100
EMPLOYER_MAX = 200
REASON_MAX = 500
FIELDS = ("worker_id", "id_kind", "id_number", "name", "entrant_kind", "employer")
# a refused rule (or a refused value's field) → the form's field
RULE_FIELDS = {
    "already-registered": "worker",
    "not-employed-by": "employer",
    "employer": "employer",
    "entrant kind": "entrant_kind",
    "name": "worker",
}
RULES = {
    "already-registered": N_("这名人员已经报名。"),
    "not-employed-by": N_("这名人员不是该单位的在职人员，不能作为其职工参赛。"),
    "registration-closed": N_("已有赛项封分，报名已截止。"),
    "results-final": N_("竞赛结果已公布，不能再更改选手。"),
    "already-withdrawn": N_("这名选手已经退赛。"),
}


def _open_for_entries(competition: Competition) -> bool:
    return not competition.is_final and not competition.locks


def _masked(worker_id: str) -> str:
    directory = services().directory
    found = directory.get_worker(worker_id) if directory is not None else None
    return str(found["masked_id_number"]) if found else "–"


def _entrants(competition: Competition) -> list[dict[str, Any]]:
    return [
        {**entrant, "masked_id_number": _masked(entrant["worker_id"])}
        for entrant in competition.entrants.values()
    ]


def _found(competition: Competition, name: str) -> list[dict[str, Any]]:
    """Registered workers whose name contains ``name`` (masked ID numbers), not yet entered."""
    directory = services().directory
    if directory is None or len(name) < NAME_MIN:
        return []
    rows = directory.list_workers(name=name, limit=FOUND).items
    return [row for row in rows if str(row["id"]) not in competition.entrants]


def entrants_page(competition: Competition, status: int = 200, **values: Any) -> Any:
    name = mask_id_numbers(request.args.get("name", "").strip()[:NAME_MAX])  # shown back
    open_for_entries = _open_for_entries(competition) and may_change_competition(competition)
    values.setdefault("errors", {})
    values.setdefault("form", {})
    values.setdefault("upload_error", None)
    values.setdefault("open_withdrawal", "")
    return render(
        "pages/console_competition_entrants.html",
        status=status,
        title=gettext("选手") + " · " + competition.name,
        competition=competition,
        entrants=_entrants(competition),
        may_change=may_change_competition(competition) and not competition.is_final,
        open_for_entries=open_for_entries,
        found=_found(competition, name) if open_for_entries else [],
        name=name,
        name_min=NAME_MIN,
        id_kinds=ID_KINDS,
        kinds=[kind.value for kind in EntrantKind],
        registered=request.args.get("registered", ""),
        recorded=request.args.get("recorded", ""),
        withdrawn=request.args.get("withdrawn", ""),
        upload_url=url_for("console.preview_entrant_import", competition_id=competition.id),
        template_url=url_for("evaluations.import_template", kind=KIND),
        reason_max=REASON_MAX,
        **values,
    )


@console.route("/competitions/<uuid:competition_id>/entrants", methods=["GET"])
def competition_entrants(competition_id: UUID) -> Any:
    competition = competition_for(competition_id)
    caught_up(request.args.get("at"))
    return entrants_page(competition)


def refusal(error: DomainRuleViolation | InvalidValue) -> str:
    """A refusal as the page says it: the rule's meaning (when known) and its name."""
    if isinstance(error, InvalidValue):
        return gettext("输入有误：%(field)s %(detail)s", field=error.field, detail=error.detail)
    known = RULES.get(error.rule)
    detail = gettext(known) if known else error.detail
    return gettext("不符合规则 %(rule)s：%(detail)s", rule=error.rule, detail=detail)


def _worker(form: dict[str, str], errors: dict[str, str]) -> UUID | None:
    """The worker the form names: picked from the search, or by ID number and name."""
    if form["worker_id"]:
        try:
            return UUID(form["worker_id"])
        except ValueError:
            errors["worker"] = gettext("请从查找结果中选择一名人员。")
            return None
    if not form["id_number"]:
        errors["worker"] = gettext("请按姓名查找并选择一名人员，或输入其证件号码和姓名。")
        return None
    id_number = read_id_number(form, errors)
    if not form["name"]:
        errors["name"] = gettext("请填写姓名。")
    if id_number is None or "name" in errors:
        return None
    worker_id = ledger().worker_id_for(id_number)
    try:
        registered = ledger().worker(worker_id)
    except NotFound:
        errors["id_number"] = gettext("没有登记这个证件号码的人员：请其所在单位先登记。")
        return None
    if registered.name != form["name"]:
        errors["name"] = gettext("这个证件号码登记在另一个姓名下，请核对姓名。")
        return None
    return worker_id


@console.route("/competitions/<uuid:competition_id>/entrants", methods=["POST"])
def register_competition_entrant(competition_id: UUID) -> Any:
    """Register one entrant; a refusal stays on the form (422), the ID number not echoed."""
    competition = competition_for(competition_id, change=True)
    form = {key: request.form.get(key, "").strip() for key in FIELDS}
    kept = {**form, "id_number": ""}
    errors: dict[str, str] = {}
    worker_id = _worker(form, errors)
    if form["entrant_kind"] not in {kind.value for kind in EntrantKind}:
        errors["entrant_kind"] = gettext("请选择职工或学生。")
    if len(form["employer"]) > EMPLOYER_MAX:
        errors["employer"] = gettext("最多 %(max)s 个字。", max=EMPLOYER_MAX)
    elif form["entrant_kind"] == EntrantKind.STUDENT and not form["employer"]:
        errors["employer"] = gettext("学生选手请填写学校。")
    if errors or worker_id is None:
        return entrants_page(competition, 422, errors=errors, form=kept)
    person = current_person()
    assert person is not None
    try:
        recorded = ledger().competitions.register_entrant(
            competition_id,
            worker_id=worker_id,
            entrant_kind=form["entrant_kind"],
            employer_name=form["employer"] or None,
            actor=person.principal.actor,
        )
    except NotFound:
        errors["worker"] = gettext("没有这名人员，请重新查找。")
    except (DomainRuleViolation, InvalidValue) as error:
        key = error.rule if isinstance(error, DomainRuleViolation) else error.field
        errors[RULE_FIELDS.get(key, "form")] = refusal(error)
    if errors:
        return entrants_page(ledger().competition(competition_id), 422, errors=errors, form=kept)
    return redirect(
        url_for(
            "console.competition_entrants",
            competition_id=competition_id,
            registered=recorded.aggregate.entrant(worker_id)["entrant_number"],
        )
        + "#entrants-heading",
        code=303,
    )


@console.route(
    "/competitions/<uuid:competition_id>/entrants/<uuid:worker_id>/withdraw", methods=["POST"]
)
def withdraw_competition_entrant(competition_id: UUID, worker_id: UUID) -> Any:
    """Withdraw an entrant with a reason; a refusal shows beside that entrant's reason."""
    competition = competition_for(competition_id, change=True)
    if str(worker_id) not in competition.entrants:
        raise PageNotFound()
    reason = request.form.get("reason", "").strip()
    field = f"reason_{competition.entrants[str(worker_id)]['entrant_number']}"
    if not reason or len(reason) > REASON_MAX:
        message = gettext("请填写退赛原因（最多 %(max)s 个字）。", max=REASON_MAX)
        return entrants_page(competition, 422, errors={field: message}, open_withdrawal=field)
    person = current_person()
    assert person is not None
    try:
        ledger().competitions.withdraw_entrant(
            competition_id, worker_id, reason=reason, actor=person.principal.actor
        )
    except (DomainRuleViolation, InvalidValue) as error:
        return entrants_page(
            ledger().competition(competition_id),
            422,
            errors={field: refusal(error)},
            open_withdrawal=field,
        )
    number = competition.entrants[str(worker_id)]["entrant_number"]
    return redirect(
        url_for("console.competition_entrants", competition_id=competition_id, withdrawn=number)
        + "#entrants-heading",
        code=303,
    )


# -- import -------------------------------------------------------------------------------------


ENTRANTS: ConsoleImport[Competition] = ConsoleImport(
    kind=KIND,
    run=lambda competition, data, dry_run, actor: ledger().competitions.import_entrants(
        competition.id, data, dry_run=dry_run, actor=actor
    ),
    target_id=lambda competition: competition.id,
    columns=ENTRANT_COLUMNS,
    extra_columns={"entrant_kind": N_("选手类别"), "employer": N_("工作单位或学校")},
    heading=lambda competition: gettext("导入选手：预览") + " · " + competition.name,
    upload_endpoint="console.preview_entrant_import",
    record_endpoint="console.record_entrant_import",
    back_endpoint="console.competition_entrants",
    url_values=lambda competition: {"competition_id": competition.id},
    page=entrants_page,
    recorded=lambda report: {"recorded": report.changes.get("entered", 0)},
    refusal=refusal,  # registration has closed
    fresh=lambda competition: ledger().competition(competition.id),
    context=lambda competition: {"competition": competition},
)


@console.route("/competitions/<uuid:competition_id>/entrants/import", methods=["POST"])
def preview_entrant_import(competition_id: UUID) -> Any:
    """The dry run of an uploaded entrant list: every row and its problems; nothing recorded."""
    return ENTRANTS.preview(competition_for(competition_id, change=True))


@console.route("/competitions/<uuid:competition_id>/entrants/import/record", methods=["POST"])
def record_entrant_import(competition_id: UUID) -> Any:
    """Record the previewed entrants (all or nothing)."""
    return ENTRANTS.record(competition_for(competition_id, change=True))


add_competition_tab("console.competition_entrants", N_("选手"), 10)
