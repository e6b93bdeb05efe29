"""One evaluation session (评价批次) in the console: its overview with the actions its state
allows, the confirm job's progress, its downloads and its history.

==================================================  ============================================
``/console/sessions/<id>``                          plan, status, results, the 公示 window and
                                                    the calendar it was counted on, objections,
                                                    certificates, report; publish, confirm,
                                                    report (上报) as forms
``/console/sessions/<id>/confirm/<job_id>``         the confirm job's progress (refreshes itself
                                                    with ``<meta http-equiv="refresh">``, no JS)
``/console/sessions/<id>/export.xlsx``              the workbook ``GET .../export.xlsx`` answers
``/console/sessions/<id>/archive``                  a job: every certificate PDF in one ZIP
``/console/sessions/<id>/certificates/<n>.pdf``     one certificate's signed PDF
``/console/sessions/<id>/history``                  every event, oldest first, with its actor
==================================================  ============================================

Every page starts with :func:`session_for` (another body's session answers 404, an auditor reads
but changes nothing). The commands are the API's: ``ledger.evaluations.publish_results``,
``check_confirmation`` then :func:`submit_confirmation` on the app's job runner, and
``report_evaluation``; a refusal shows its rule beside the form, 422.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import redirect, request, send_file, url_for
from werkzeug.exceptions import NotFound as PageNotFound

from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation import Evaluation
from service.app_services import (
    current_audit,
    job_runner,
    ledger,
    submit_archive,
    submit_confirmation,
)
from service.attachments import XLSX, attachment, session_workbook_name
from service.certificate_pdf import CertificatePdfs, MissingGlyphs
from service.certificate_pdf.archive import ARCHIVE_JOB, archive_path
from service.commands import NotFound
from service.credentials import CredentialUnavailable
from service.evaluations.confirmation import CONFIRM_JOB
from service.evaluations.exports import session_workbook
from service.pages.blueprints import render, render_error
from service.pages.console import console
from service.pages.console_session import add_session_tab, may_change, session_for
from service.pages.console_session_plan import COMPONENTS, rule_error
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

HISTORY_LIMIT = 500
TEXT_MAX = 200
RESULTS = {
    "passed": N_("合格"),
    "failed": N_("不合格"),
    "incomplete": N_("成绩未齐"),
    "withdrawn": N_("已撤销（异议成立）"),
}
JOB_STATES = {
    "queued": N_("排队中"),
    "running": N_("进行中"),
    "succeeded": N_("已完成"),
    "failed": N_("失败"),
}
STAGES = {
    "queued": N_("排队中"),
    "started": N_("已开始"),
    "loading": N_("读取考生"),
    "checking": N_("核对考生"),
    "building": N_("生成证书"),
    "allocating status list entries": N_("分配状态列表位置"),
    "saving": N_("保存"),
    "saved": N_("已保存"),
}
EVENTS = {
    "Evaluation.Planned": N_("计划批次"),
    "Evaluation.CandidateEnrolled": N_("报名考生"),
    "Evaluation.CandidatesEnrolled": N_("批量报名考生"),
    "Evaluation.ScoreRecorded": N_("录入成绩"),
    "Evaluation.ScoresRecorded": N_("批量录入成绩"),
    "Evaluation.ScoreCorrected": N_("更正成绩"),
    "Evaluation.ResultsPublished": N_("公示结果"),
    "Evaluation.ObjectionLodged": N_("收到异议"),
    "Evaluation.ObjectionLodgedOnThePublicPage": N_("收到异议（公示页面）"),
    "Evaluation.ObjectionResolved": N_("处理异议"),
    "Evaluation.Confirmed": N_("确认结果"),
    "Evaluation.CertificatesIssued": N_("颁发证书"),
    "Evaluation.Reported": N_("上报人社部门"),
}


def actor_of() -> str:
    person = current_person()
    assert person is not None  # the console lets only people in
    return str(person.principal.actor)


# -- the overview -------------------------------------------------------------------------


def overview_page(
    evaluation: Evaluation,
    status: int = 200,
    errors: dict[str, dict[str, Any]] | None = None,
) -> Any:
    """The session's overview; ``errors`` by action (publish, confirm, report) then field."""
    today = ledger().china_today()
    certificates = [
        c for c in evaluation.candidates.values() if c.get("certificate_number") is not None
    ]
    return render(
        "pages/console_session.html",
        status=status,
        title=gettext("评价批次 %(reference)s", reference=evaluation.reference),
        evaluation=evaluation,
        components=COMPONENTS,
        results=RESULTS,
        may_change=may_change(evaluation),
        today=today,
        confirmable=evaluation.confirmable_from is not None
        and today >= evaluation.confirmable_from,
        open_objections=evaluation.unresolved_objections,
        certificates=certificates,
        default_days=ledger().evaluations.publication_working_days(),
        errors=errors or {},
        form=request.form if errors else {},
        text_max=TEXT_MAX,
        planned=request.args.get("planned"),
        done=request.args.get("done", ""),
    )


@console.route("/sessions/<uuid:session_id>", methods=["GET"])
def session_overview(session_id: UUID) -> Any:
    return overview_page(session_for(session_id))


def _refused(evaluation: Evaluation, action: str, field: str, error: Exception) -> Any:
    if isinstance(error, DomainRuleViolation):
        shown = rule_error(error)
    else:
        shown = {"text": gettext("输入有误。"), "rule": str(getattr(error, "field", ""))}
    return overview_page(evaluation, 422, {action: {field: shown}})


def _done(session_id: UUID, action: str) -> Any:
    return redirect(url_for("console.session_overview", session_id=session_id, done=action), 303)


@console.route("/sessions/<uuid:session_id>/publish", methods=["POST"])
def publish_session(session_id: UUID) -> Any:
    """Publish (公示) the results for N working days (default: configured, 5)."""
    evaluation = session_for(session_id, change=True)
    text = request.form.get("working_days", "").strip()
    days = int(text) if text.isdigit() else None
    if days is None or not 1 <= days <= 60:
        problem = {"text": gettext("公示期为 1–60 个工作日。")}
        return overview_page(evaluation, 422, {"publish": {"publish_days": problem}})
    try:
        ledger().evaluations.publish_results(session_id, working_days=days, actor=actor_of())
    except (DomainRuleViolation, InvalidValue) as error:
        return _refused(evaluation, "publish", "publish_days", error)
    return _done(session_id, "published")


@console.route("/sessions/<uuid:session_id>/confirm", methods=["POST"])
def confirm_session(session_id: UUID) -> Any:
    """Check now what confirming would refuse, then start the confirm job (as the API does)."""
    evaluation = session_for(session_id, change=True)
    try:
        checked = ledger().evaluations.check_confirmation(evaluation)
    except DomainRuleViolation as error:
        return _refused(evaluation, "confirm", "confirm", error)
    job, _created = submit_confirmation(checked, actor_of())
    return redirect(
        url_for("console.confirm_progress", session_id=session_id, job_id=job.id), code=303
    )


@console.route("/sessions/<uuid:session_id>/report", methods=["POST"])
def report_session(session_id: UUID) -> Any:
    """Report (上报) the issued certificates to the HR bureau."""
    evaluation = session_for(session_id, change=True)
    reported_to = request.form.get("reported_to", "").strip()
    reference = request.form.get("report_reference", "").strip()
    problems = {}
    if not reported_to or len(reported_to) > TEXT_MAX:
        problems["reported_to"] = {
            "text": gettext("请填写上报的人社部门（最多 %(max)s 个字）。", max=TEXT_MAX)
        }
    if len(reference) > TEXT_MAX:
        problems["report_reference"] = {"text": gettext("最多 %(max)s 个字。", max=TEXT_MAX)}
    if problems:
        return overview_page(evaluation, 422, {"report": problems})
    try:
        ledger().evaluations.report_evaluation(
            session_id, reported_to=reported_to, reference=reference, actor=actor_of()
        )
    except (DomainRuleViolation, InvalidValue) as error:
        return _refused(evaluation, "report", "reported_to", error)
    return _done(session_id, "reported")


# -- the confirm job ------------------------------------------------------------------------


def session_job(session_id: UUID, job_id: UUID, kind: str) -> Any:
    """Job ``job_id`` of ``kind`` started for this session; 404 for any other."""
    job = job_runner().get(str(job_id))
    if job is None or job.kind != kind or job.params.get("evaluation_id") != str(session_id):
        raise PageNotFound()
    return job


def job_page(session_id: UUID, job_id: UUID, kind: str, template: str, title: str) -> Any:
    """A job's progress bar (done of total, from the job store), refreshing itself every 2 s
    until the job has finished; the template says what then."""
    evaluation = session_for(session_id)
    job = session_job(session_id, job_id, kind)
    return render(
        template,
        title=title,
        evaluation=evaluation,
        job=job,
        job_states=JOB_STATES,
        stages=STAGES,
        finished=job.finished,
    )


@console.route("/sessions/<uuid:session_id>/confirm/<uuid:job_id>", methods=["GET"])
def confirm_progress(session_id: UUID, job_id: UUID) -> Any:
    """The confirm job's progress, then a link to the certificates."""
    return job_page(
        session_id, job_id, CONFIRM_JOB, "pages/console_session_confirm.html",
        gettext("确认结果并发证"),
    )  # fmt: skip


# -- downloads -------------------------------------------------------------------------------


@console.route("/sessions/<uuid:session_id>/export.xlsx", methods=["GET"])
def session_export(session_id: UUID) -> Any:
    """The session's workbook (概况, 考生, 成绩; ID numbers masked), as the API exports it."""
    evaluation = session_for(session_id)
    name = session_workbook_name(evaluation.reference)
    return attachment(session_workbook(evaluation), XLSX, name)


def _pdf_unavailable(error: Exception) -> Any:
    return render_error(409, gettext("暂时无法生成 PDF"), str(error))


@console.route("/sessions/<uuid:session_id>/archive", methods=["POST"])
def session_archive(session_id: UUID) -> Any:
    """Start (or find running) the job that puts every valid certificate's signed PDF in one
    ZIP (ID numbers masked), and show its progress."""
    evaluation = session_for(session_id)
    if evaluation.issued is None:
        raise PageNotFound()
    job, _created = submit_archive(evaluation, actor_of())
    return redirect(
        url_for("console.session_archive_progress", session_id=session_id, job_id=job.id),
        code=303,
    )


@console.route("/sessions/<uuid:session_id>/archive/<uuid:job_id>", methods=["GET"])
def session_archive_progress(session_id: UUID, job_id: UUID) -> Any:
    """The archive job's progress, then the link to the ZIP."""
    return job_page(
        session_id, job_id, ARCHIVE_JOB, "pages/console_session_archive.html",
        gettext("打包下载证书"),
    )  # fmt: skip


@console.route("/sessions/<uuid:session_id>/archive/<uuid:job_id>.zip", methods=["GET"])
def session_archive_file(session_id: UUID, job_id: UUID) -> Any:
    """The finished archive (kept a day after it was made)."""
    evaluation = session_for(session_id)
    job = session_job(session_id, job_id, ARCHIVE_JOB)
    path = archive_path(ledger(), job.id)
    if job.state != "succeeded" or not path.exists():
        raise PageNotFound()
    return send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"certificates-{evaluation.reference}.zip",
    )


@console.route("/sessions/<uuid:session_id>/certificates/<string:number>.pdf", methods=["GET"])
def session_certificate_pdf(session_id: UUID, number: str) -> Any:
    """One certificate of the session as its signed PDF (ID number masked)."""
    evaluation = session_for(session_id)
    numbers = {c.get("certificate_number") for c in evaluation.candidates.values()}
    if number not in numbers:
        raise PageNotFound()
    try:
        body = CertificatePdfs(ledger()).certificate_pdf(number, "masked", actor=actor_of())
    except (DomainRuleViolation, CredentialUnavailable, MissingGlyphs) as error:
        return _pdf_unavailable(error)
    return attachment(body, "application/pdf", f"{number}.pdf")


# -- history ---------------------------------------------------------------------------------

PERSON_ACTOR = re.compile(r"[a-z_]+:person:([0-9a-f-]{36})")


def actor_names(events: list[dict[str, Any]]) -> dict[str, str]:
    """The name of each person among the events' actors (``<role>:person:<account id>``)."""
    names: dict[str, str] = {}
    for event in events:
        actor = str(event.get("actor") or "")
        found = PERSON_ACTOR.fullmatch(actor)
        if found and actor not in names:
            try:
                names[actor] = ledger().accounts.account(UUID(found.group(1))).name
            except (NotFound, ValueError):
                continue
    return names


@console.route("/sessions/<uuid:session_id>/history", methods=["GET"])
def session_history(session_id: UUID) -> Any:
    """Every event of the session, oldest first, as the audit log has it (what the API's
    ``GET /api/v1/evaluations/<id>/history`` answers): nothing is deleted, a correction is a
    new event with its reason."""
    evaluation = session_for(session_id)
    try:
        found = current_audit().histories.aggregate_events(session_id, 0, HISTORY_LIMIT)
    except LookupError:
        found = None
    person = current_person()
    return render(
        "pages/console_session_history.html",
        title=f"{gettext('批次历史')} {evaluation.reference}",
        evaluation=evaluation,
        events=found["items"] if found else None,
        actor_names=actor_names(found["items"]) if found else {},
        more=bool(found and found.get("next_after") is not None),
        event_names=EVENTS,
        components=COMPONENTS,
        auditor=person is not None and person.account.role.value == "auditor",
    )


add_session_tab("console.session_overview", N_("概况"), 0)
add_session_tab("console.session_history", N_("历史"), 90)
