"""``/console/sessions/<id>/candidates``: a session's candidates (考生), a session tab.

The list is the session aggregate's (masked ID numbers, route, scores so far, result). While the
session is planned, its officer enrols a worker of the body on one of the eligibility routes
(申报条件) that apply to it -- the same list ``GET /api/v1/evaluations/{id}/eligibility-routes``
answers (``domain.eligibility_listing``) -- with the evidence the route needs, through
``ledger.evaluations.enrol_candidate`` (what ``POST .../candidates`` does); a refusal names its
rule beside the field it concerns (``service.evaluations.imports.RULE_COLUMNS``). Candidates are
also imported from a spreadsheet: ``ledger.evaluations.import_candidates``, dry run first, the
file held between preview and record by :mod:`service.pages.console_uploads`, the steps run by
:mod:`service.pages.console_imports`.

Who may see or change it: :func:`service.pages.console_session.session_for`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.eligibility import DiplomaKind, TitleGrade
from domain.eligibility_listing import routes_that_apply
from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation import Evaluation, EvaluationStatus
from domain.free_text import mask_id_numbers
from service.app_services import ledger, services
from service.commands import NotFound
from service.evaluations.imports import CANDIDATE_COLUMNS, RULE_COLUMNS
from service.pages.blueprints import render
from service.pages.console import console
from service.pages.console_imports import ConsoleImport
from service.pages.console_session import add_session_tab, may_change, session_for
from service.pages.gongshi import RESULTS
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

KIND = "candidates"
PICKABLE = 500
REFERENCE_MAX = 500
COMPONENTS = {"theory": N_("理论知识"), "practical": N_("操作技能"), "review": N_("综合评审")}
DIPLOMAS = {
    "apprenticeship": N_("学徒期满"),
    "technical_school": N_("技工学校"),
    "secondary_vocational": N_("中等职业学校（中级技能）"),
    "senior_technical_school": N_("高级技工学校或技师学院"),
    "higher_vocational": N_("高等职业学校（高级技能）"),
    "preparatory_technician": N_("技师学院预备技师班"),
    "college": N_("大专及以上"),
}
TITLE_GRADES = {
    "junior": N_("初级"),
    "intermediate": N_("中级"),
    "associate_senior": N_("副高级"),
    "senior": N_("正高级"),
}
assert set(DIPLOMAS) == {kind.value for kind in DiplomaKind}
assert set(TITLE_GRADES) == {grade.value for grade in TitleGrade}

FIELDS = (
    "worker_id",
    "route",
    "experience_since",
    "experience_until",
    "diploma_kind",
    "diploma_awarded_on",
    "title_series",
    "title_grade",
    "title_awarded_on",
    "evidence_reference",
)
# a field of the API's evidence (as candidate_facts names it) → the form's field
EVIDENCE_FIELDS = {
    "evidence.experience[0].start": "experience_since",
    "evidence.experience[0].end": "experience_until",
    "evidence.diplomas[0].kind": "diploma_kind",
    "evidence.diplomas[0].awarded_on": "diploma_awarded_on",
    "evidence.titles[0].grade": "title_grade",
    "evidence.titles[0].awarded_on": "title_awarded_on",
}
# a refused rule's column in an import (RULE_COLUMNS) → the form's field
COLUMN_FIELDS = {"id_number": "worker_id", "route": "route"}


NEEDS = {
    "held": N_("已取得的下一级证书（从账本读取，无需填写）"),
    "experience": N_("从业经历"),
    "diploma": N_("学历"),
    "title": N_("职称"),
    "reference": N_("批准文件或记录编号"),
}


def _needs(route: dict[str, Any]) -> list[str]:
    """What a route (as ``routes_that_apply`` lists it) needs: keys of :data:`NEEDS`."""
    kind = route["kind"]
    if route["needs_evidence_reference"]:
        return ["reference"]
    needs = ["held"] if route["previous_level"] else []
    if kind == "diploma":
        needs.append("diploma")
    if kind == "title_plus_years":
        needs.append("title")
    if route["years"]:
        needs.append("experience")
    return needs


def _routes(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The routes a candidate of ``evaluation`` may be enrolled on today, each with what it
    needs."""
    today = ledger().china_today()
    listing = routes_that_apply(evaluation.occupation_code, evaluation.level, today)
    return [{**route, "needs": _needs(route)} for route in listing["routes"]]


def _candidates(evaluation: Evaluation) -> list[dict[str, Any]]:
    return [
        {
            **candidate,
            "result": evaluation.result_of(candidate).value,
            "shown_scores": {
                component: (candidate["scores"].get(component) or {}).get("score")
                for component in evaluation.components
            },
        }
        for candidate in evaluation.candidates.values()
    ]


def _workers(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The body's staff not yet candidates, for the picker (names, masked ID numbers)."""
    directory = services().directory
    if directory is None:
        return []
    enrolled = set(evaluation.candidates)
    rows = directory.list_workers(
        employer_id=evaluation.body_id,
        name=request.args.get("name", "").strip()[:100] or None,
        limit=PICKABLE,
    ).items
    return [row for row in rows if str(row["id"]) not in enrolled]


def candidates_page(evaluation: Evaluation, status: int = 200, **values: Any) -> Any:
    open_for_enrolment = evaluation.status is EvaluationStatus.PLANNED and may_change(evaluation)
    values.setdefault("errors", {})
    values.setdefault("form", {})
    values.setdefault("upload_error", None)
    return render(
        "pages/console_candidates.html",
        status=status,
        title=gettext("考生名单") + " · " + evaluation.reference,
        evaluation=evaluation,
        candidates=_candidates(evaluation),
        components=COMPONENTS,
        results=RESULTS,
        open_for_enrolment=open_for_enrolment,
        workers=_workers(evaluation) if open_for_enrolment else [],
        routes=_routes(evaluation) if open_for_enrolment else [],
        needs=NEEDS,
        diplomas=DIPLOMAS,
        title_grades=TITLE_GRADES,
        name=mask_id_numbers(request.args.get("name", "").strip()[:100]),  # shown back
        enrolled=request.args.get("enrolled", ""),
        recorded=request.args.get("recorded", ""),
        upload_url=url_for("console.preview_candidate_import", session_id=evaluation.id),
        template_url=url_for("evaluations.import_template", kind=KIND),
        reference_max=REFERENCE_MAX,
        **values,
    )


@console.route("/sessions/<uuid:session_id>/candidates", methods=["GET"])
def candidates(session_id: UUID) -> Any:
    return candidates_page(session_for(session_id))


def _evidence(form: dict[str, str]) -> dict[str, Any]:
    """The API's ``evidence`` (EnrolSchema) from the form's fields; empty groups left out."""
    evidence: dict[str, Any] = {"evidence_reference": form["evidence_reference"]}
    if form["experience_since"] or form["experience_until"]:
        evidence["experience"] = [
            {"start": form["experience_since"], "end": form["experience_until"] or None}
        ]
    if form["diploma_kind"] or form["diploma_awarded_on"]:
        evidence["diplomas"] = [
            {"kind": form["diploma_kind"], "awarded_on": form["diploma_awarded_on"] or None}
        ]
    if form["title_grade"] or form["title_awarded_on"] or form["title_series"]:
        evidence["titles"] = [
            {
                "series": form["title_series"],
                "grade": form["title_grade"],
                "awarded_on": form["title_awarded_on"],
            }
        ]
    return evidence


def _refusal_field(error: DomainRuleViolation | InvalidValue) -> tuple[str, str]:
    """Where a refusal shows (a field of the form, or ``form``) and what it says."""
    if isinstance(error, InvalidValue):
        field = EVIDENCE_FIELDS.get(error.field, "form")
        if field.endswith(("_kind", "_grade")):
            return field, gettext("请从列表中选择。")
        if field != "form":
            return field, gettext("请填写有效日期（年-月-日）。")
        detail = error.detail
        return field, gettext("输入有误：%(field)s %(detail)s", field=error.field, detail=detail)
    field = COLUMN_FIELDS.get(RULE_COLUMNS.get(error.rule, ""), "form")
    return field, gettext("不符合规则 %(rule)s：%(detail)s", rule=error.rule, detail=error.detail)


@console.route("/sessions/<uuid:session_id>/candidates", methods=["POST"])
def enrol_candidate(session_id: UUID) -> Any:
    """Enrol one worker on a route with its evidence; a refusal stays on the form (422)."""
    evaluation = session_for(session_id, change=True)
    form = {key: request.form.get(key, "").strip() for key in FIELDS}
    errors: dict[str, str] = {}
    worker_id = None
    try:
        worker_id = UUID(form["worker_id"])
    except ValueError:
        errors["worker_id"] = gettext("请选择一名人员。")
    if form["route"] not in {route["id"] for route in _routes(evaluation)}:
        errors["route"] = gettext("请选择申报条件。")
    if len(form["evidence_reference"]) > REFERENCE_MAX:
        errors["evidence_reference"] = gettext("最多 %(max)s 个字。", max=REFERENCE_MAX)
    if errors or worker_id is None:
        return candidates_page(evaluation, 422, errors=errors, form=form)
    person = current_person()
    assert person is not None
    try:
        ledger().evaluations.enrol_candidate(
            session_id,
            worker_id=worker_id,
            route_id=form["route"],
            evidence=_evidence(form),
            actor=person.principal.actor,
        )
    except NotFound:
        errors["worker_id"] = gettext("没有这名人员，请从列表中选择。")
    except (DomainRuleViolation, InvalidValue) as error:
        field, message = _refusal_field(error)
        errors[field] = message
    if errors:
        return candidates_page(ledger().evaluation(session_id), 422, errors=errors, form=form)
    return redirect(
        url_for("console.candidates", session_id=session_id, enrolled=1) + "#candidates-heading",
        code=303,
    )


# -- import -------------------------------------------------------------------------------------


def _refusal(error: DomainRuleViolation) -> str:
    """An import the session refuses (it is no longer planned), as the page says it."""
    return gettext("不符合规则 %(rule)s：%(detail)s", rule=error.rule, detail=error.detail)


CANDIDATES: ConsoleImport[Evaluation] = ConsoleImport(
    kind=KIND,
    run=lambda evaluation, data, dry_run, actor: ledger().evaluations.import_candidates(
        evaluation.id, data, dry_run=dry_run, actor=actor
    ),
    target_id=lambda evaluation: evaluation.id,
    columns=CANDIDATE_COLUMNS,
    extra_columns={"route": N_("申报条件")},
    heading=lambda evaluation: gettext("导入考生：预览") + " · " + evaluation.reference,
    upload_endpoint="console.preview_candidate_import",
    record_endpoint="console.record_candidate_import",
    back_endpoint="console.candidates",
    url_values=lambda evaluation: {"session_id": evaluation.id},
    page=candidates_page,
    recorded=lambda report: {"recorded": report.rows},
    refusal=_refusal,
    fresh=lambda evaluation: ledger().evaluation(evaluation.id),
    context=lambda evaluation: {"evaluation": evaluation},
)


@console.route("/sessions/<uuid:session_id>/candidates/import", methods=["POST"])
def preview_candidate_import(session_id: UUID) -> Any:
    """The dry run of an uploaded candidate list: every row and its problems; nothing
    recorded."""
    return CANDIDATES.preview(session_for(session_id, change=True))


@console.route("/sessions/<uuid:session_id>/candidates/import/record", methods=["POST"])
def record_candidate_import(session_id: UUID) -> Any:
    """Record the previewed candidates (all or nothing)."""
    return CANDIDATES.record(session_for(session_id, change=True))


add_session_tab("console.candidates", N_("考生"), 10)
