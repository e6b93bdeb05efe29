"""``/console/staff``: an issuer officer's body's staff (在职人员): the list, one person
registered and employed by hand, and the roster (花名册) imported from a spreadsheet with a
dry-run preview first.

The list is the directory read model's (names shown: the body knows its own staff; ID numbers
always masked). Registering is ``ledger.workers.register_worker`` then ``start_employment``
with the body as claimant, what ``POST /api/v1/workers`` and ``.../start-employment`` do; a
person already registered is employed (or, if another organisation registered them, claimed,
awaiting their confirmation), as the import does. The import is ``ledger.workers.import_staff``
(``?dry_run`` first), its report the API's ``ImportReport``; the file is held between preview
and record by :mod:`service.pages.console_uploads`, the steps run by
:mod:`service.pages.console_imports`.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import mask_id_numbers
from domain.id_number import IdKind, IdNumber
from domain.person_account import AccountRole
from domain.worker import EmploymentRelation
from service.app_services import ledger, services
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, console
from service.pages.console_imports import ConsoleImport
from service.pages.console_uploads import caught_up
from service.pages.i18n import N_, gettext
from service.pages.people import current_person
from service.pages.verify import ID_KINDS, ID_PARTS
from service.workers.roster import STAFF_COLUMNS

SHOWN = 200
NAME_MAX = 100
KIND = "staff"


def _body_id() -> UUID | None:
    """The signed-in officer's body (None for anyone else: the page is an officer's)."""
    person = current_person()
    assert person is not None
    if person.account.role is not AccountRole.ISSUER_OFFICER:
        return None
    return person.account.organisation_id  # type: ignore[no-any-return]


def _refused() -> Any:
    return render_error(403, gettext("只有评价机构经办人可以管理本机构的在职人员。"))


def staff_page(status: int = 200, **values: Any) -> Any:
    body_id = _body_id()
    assert body_id is not None
    name = mask_id_numbers(request.args.get("name", "").strip()[:NAME_MAX])  # shown back
    directory = services().directory
    workers = (
        directory.list_workers(
            employer_id=body_id, name=name or None, after=request.args.get("after"), limit=SHOWN
        )
        if directory is not None
        else None
    )
    values.setdefault("errors", {})
    values.setdefault("form", {})
    values.setdefault("upload_error", None)
    return render(
        "pages/console_staff.html",
        status=status,
        title=gettext("在职人员"),
        workers=workers.items if workers else [],
        next_cursor=workers.next_cursor if workers else None,
        count=directory.count_workers(body_id) if directory is not None else 0,
        name=name,
        id_kinds=ID_KINDS,
        relations=list(EmploymentRelation),
        registered=request.args.get("registered", ""),
        claimed=request.args.get("claimed", ""),
        recorded=request.args.get("recorded", ""),
        upload_url=url_for("console.preview_staff_import"),
        template_url=url_for("evaluations.import_template", kind=KIND),
        **values,
    )


@console.route("/staff", methods=["GET"])
def staff() -> Any:
    if _body_id() is None:
        return _refused()
    caught_up(request.args.get("at"))
    return staff_page()


FIELDS = ("name", "id_kind", "id_number", "relation", "since")


def read_id_number(form: dict[str, str], errors: dict[str, str]) -> IdNumber | None:
    """The form's ``id_kind`` and ``id_number`` as an ID number, or None with the problem put
    in ``errors`` beside the field (the number itself never echoed)."""
    if form["id_kind"] not in {kind.value for kind in IdKind}:
        errors["id_kind"] = gettext("请选择证件类型。")
        return None
    if not form["id_number"]:
        errors["id_number"] = gettext("请填写证件号码。")
        return None
    try:
        return IdNumber.parse(form["id_number"][:40], form["id_kind"], today=ledger().china_today())
    except InvalidValue as error:
        part = ID_PARTS.get(error.field, N_("格式不符"))
        errors["id_number"] = gettext(
            "证件号码有误：%(what)s。请核对后重新输入。", what=gettext(part)
        )
        return None


def _checked_form(form: dict[str, str]) -> tuple[dict[str, str], IdNumber | None, date | None]:
    """The form's problems by field, the ID number and the start date when they are valid."""
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = gettext("请填写姓名。")
    elif len(form["name"]) > NAME_MAX:
        errors["name"] = gettext("姓名最多 %(max)s 个字。", max=NAME_MAX)
    id_number = read_id_number(form, errors)
    if form["relation"] not in {relation.value for relation in EmploymentRelation}:
        errors["relation"] = gettext("请选择用工关系。")
    since = None
    try:
        since = date.fromisoformat(form["since"])
    except ValueError:
        errors["since"] = gettext("请填写入职日期（年-月-日）。")
    else:
        if since > ledger().china_today():
            errors["since"] = gettext("入职日期不能晚于今天。")
    return errors, id_number, since


@console.route("/staff/workers", methods=["POST"])
def register_staff() -> Any:
    """Register a person (if new) and record their employment at the officer's body."""
    body_id = _body_id()
    if body_id is None:
        return _refused()
    form = {key: request.form.get(key, "").strip() for key in FIELDS}
    errors, id_number, since = _checked_form(form)
    kept = {**form, "id_number": ""}  # the number is never sent back
    if errors or id_number is None or since is None:
        return staff_page(422, errors=errors, form=kept)
    person = current_person()
    assert person is not None
    actor = person.principal.actor
    workers = ledger().workers
    worker_id = ledger().worker_id_for(id_number)
    try:
        workers.register_worker(
            id_number=id_number, name=form["name"], actor=actor, registered_by=body_id
        )
    except DomainRuleViolation:  # already registered: employ them, as the import does
        if ledger().worker(worker_id).name != form["name"]:
            errors["name"] = gettext("这个证件号码已登记在另一个姓名下，请核对姓名。")
            return staff_page(422, errors=errors, form=kept)
    try:
        recorded = workers.start_employment(
            worker_id,
            body_id,
            relation=EmploymentRelation(form["relation"]),
            since=since,
            actor=actor,
            claimant=body_id,
        )
    except (DomainRuleViolation, InvalidValue) as error:
        rule = error.rule if isinstance(error, DomainRuleViolation) else error.field
        errors["since"] = gettext("未记录：%(rule)s（%(detail)s）", rule=rule, detail=error.detail)
        return staff_page(422, errors=errors, form=kept)
    claim = recorded.aggregate.pending_employment(body_id) is not None
    done = {"claimed": 1} if claim else {"registered": 1}  # no name in an address: logs keep them
    return redirect(url_for("console.staff", at=recorded.position, **done), code=303)


# -- import -------------------------------------------------------------------------------------


ROSTER: ConsoleImport[UUID] = ConsoleImport(
    kind=KIND,
    run=lambda body_id, data, dry_run, actor: ledger().workers.import_staff(
        body_id, data, dry_run=dry_run, actor=actor, claimant=body_id
    ),
    target_id=lambda body_id: body_id,
    columns=STAFF_COLUMNS,
    extra_columns={"relation": N_("用工关系"), "since": N_("入职日期")},
    heading=lambda _body_id: gettext("导入在职人员：预览"),
    upload_endpoint="console.preview_staff_import",
    record_endpoint="console.record_staff_import",
    back_endpoint="console.staff",
    url_values=lambda _body_id: {},
    page=lambda _body_id, status, **values: staff_page(status, **values),
    recorded=lambda report: {"recorded": report.rows, "at": report.position or ""},
)


@console.route("/staff/import", methods=["POST"])
def preview_staff_import() -> Any:
    """The dry run of an uploaded roster: every row and its problems; nothing recorded."""
    body_id = _body_id()
    if body_id is None:
        return _refused()
    return ROSTER.preview(body_id)


@console.route("/staff/import/record", methods=["POST"])
def record_staff_import() -> Any:
    """Record the previewed roster (all or nothing)."""
    body_id = _body_id()
    if body_id is None:
        return _refused()
    return ROSTER.record(body_id)


add_console_link(
    "console.staff",
    N_("在职人员"),
    frozenset({AccountRole.ISSUER_OFFICER}),
    N_("本机构的在职人员：逐个登记，或用花名册表格批量导入。"),
)
