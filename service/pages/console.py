"""The console (工作台): where a signed-in person works, in a frame the console pages share.

For other console pages (and their modules), the whole API is:

* ``console`` -- the blueprint (``/console/...``): every view on it is for a signed-in person
  only (anyone else is sent to ``/signin`` and back), who has enrolled a second factor where
  their role needs one; its forms' POSTs are CSRF-checked like every page's.
* ``pages/console_base.html`` -- the frame to extend: navigation for the person's role, their
  organisation's name, sign-out and the language switch; fill ``{% block console %}``.
* :func:`current_person` (``service.pages.people``) -- the person, with ``.account`` (role,
  organisation) and ``.principal`` (whose ``actor`` every command they make must record).
* :func:`add_console_link` -- put a page in the navigation of some roles.

``/console`` itself: an issuer officer's dashboard (the body's evaluation sessions by state
and what each needs next, its filing scope and its staff count, all from the read models);
every other role a list of what it can do here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import segno
from flask import redirect, request, url_for

from domain.evaluation import EvaluationStatus
from domain.person_account import AccountRole
from projections.publicity import Publicity, PublicityQuery
from service.app_services import caught_up, ledger, services
from service.pages.blueprints import page_blueprint, render
from service.pages.console_competition import COMPETITION_TABS
from service.pages.console_session import SESSION_TABS
from service.pages.i18n import N_, gettext
from service.pages.people import current_person
from service.read_models import read_models

__all__ = ["ConsoleLink", "add_console_link", "console", "current_person"]

console = page_blueprint("console", __name__, url_prefix="/console")

EVERYONE = frozenset(AccountRole)
ADMINISTRATORS = frozenset({AccountRole.ADMIN, AccountRole.HR_OFFICIAL})


@dataclass(frozen=True)
class ConsoleLink:
    """A page in the console's navigation: its endpoint, label and what it is for (both
    marked with ``N_``), and the roles that see it."""

    endpoint: str
    label: str
    roles: frozenset[AccountRole]
    description: str = ""


LINKS: list[ConsoleLink] = [
    ConsoleLink("console.home", N_("工作台"), EVERYONE),
    ConsoleLink("console.people", N_("人员账号"), ADMINISTRATORS, N_("邀请人员、停用账号。")),
    ConsoleLink(
        "pages.audit_page",
        N_("审计"),
        frozenset({AccountRole.AUDITOR, AccountRole.HR_OFFICIAL, AccountRole.ADMIN}),
        N_("查看任一记录的完整事件历史，核对透明日志的树头和证明。"),
    ),
    ConsoleLink(
        "pages.competitions",
        N_("技能竞赛"),
        frozenset({AccountRole.ORGANISER, AccountRole.UNION_OFFICIAL, AccountRole.ADMIN}),
        N_("竞赛排行榜（组织方可看实时排行）。"),
    ),
    ConsoleLink("pages.statistics_page", N_("统计"), EVERYONE, N_("技能人才与高技能人才占比。")),
    ConsoleLink("pages.verify_form", N_("证书查询"), EVERYONE, N_("按编号、姓名和证件号码核验。")),
    ConsoleLink("console.second_factor", N_("两步验证"), EVERYONE, N_("启用或更换验证器应用。")),
]


def add_console_link(
    endpoint: str, label: str, roles: frozenset[AccountRole], description: str = ""
) -> None:
    """Show ``endpoint`` in the navigation of ``roles`` (before the common links)."""
    LINKS.insert(1, ConsoleLink(endpoint, label, roles, description))


ENROLMENT = {
    "console.second_factor",
    "console.second_factor_start",
    "console.second_factor_confirm",
}


@console.before_request
def signed_in_person() -> Any:
    person = current_person()
    if person is None:
        return redirect(url_for("pages.signin_form", next=request.path), code=303)
    if person.account.role is AccountRole.JUDGE:  # a judge's one page is their marking page
        return redirect(person.home, code=303)
    if person.must_enrol and request.endpoint not in ENROLMENT:
        return redirect(url_for("console.second_factor"), code=303)
    return None


@console.context_processor
def frame() -> dict[str, Any]:
    person = current_person()
    if person is None:
        return {}
    organisation_id = person.account.organisation_id
    return {
        "organisation": organisation_named(organisation_id) if organisation_id else None,
        "console_links": [link for link in LINKS if person.account.role in link.roles],
        "must_enrol": person.must_enrol,
        "session_tabs": SESSION_TABS,
        "competition_tabs": COMPETITION_TABS,
    }


def organisation_named(organisation_id: UUID) -> dict[str, Any] | None:
    """The organisation as the directory read model has it (None until it is projected)."""
    directory = services().directory
    return directory.get_organisation(organisation_id) if directory is not None else None


NEXT_STEP = {
    EvaluationStatus.PLANNED: N_("评价结束后录入成绩，公示评价结果"),
    EvaluationStatus.PUBLISHED: N_("公示期满、异议处理完毕后确认结果并发证"),
    EvaluationStatus.ISSUED: N_("向人社部门上报本批次"),
    EvaluationStatus.REPORTED: N_("已完成，无需操作"),
}


def next_step(session: dict[str, Any], notice: dict[str, Any] | None, objections: int) -> str:
    """What a session of the dashboard needs next, as far as the read models say: candidates
    or scores missing, the 公示 window's last day, objections open, ready to confirm, report
    due."""
    status = EvaluationStatus(session["status"])
    if status is EvaluationStatus.PLANNED:
        missing = session["marks_expected"] - session["marks_recorded"]
        if session["candidates"] == 0:
            return gettext("报名考生")
        if missing > 0:
            return gettext("尚缺 %(count)s 个成绩", count=missing)
        return gettext("成绩已齐，可以公示")
    if status is EvaluationStatus.PUBLISHED:
        if objections:
            return gettext("%(count)s 条异议待处理", count=objections)
        ends = notice.get("window_ends_on") if notice else None
        if ends and ends >= ledger().china_today().isoformat():
            return gettext("公示至 %(date)s 结束", date=ends)
        return gettext("可以确认结果并发证")
    if status is EvaluationStatus.REPORTED and session.get("report"):
        return gettext("已于 %(date)s 上报", date=session["report"]["reported_on"])
    return gettext(NEXT_STEP[status])


def next_steps(body_id: UUID, sessions: list[dict[str, Any]]) -> dict[str, str]:
    """:func:`next_step` of each session, by id (the 公示 and objections from ``publicity``)."""
    published = [s for s in sessions if s["status"] == EvaluationStatus.PUBLISHED.value]
    notices: dict[str, Any] = {}
    open_by_session: Counter[str] = Counter()
    if published:
        with read_models(lambda: [Publicity()], None, ledger().log_position) as view:
            query = PublicityQuery(view.store)
            for session in published:
                notices[str(session["id"])] = query.notice(session["id"])
            found = query.objections(body_id=body_id, state="open", limit=500)
            open_by_session.update(str(o["session_id"]) for o in found.items)
    return {
        str(s["id"]): next_step(s, notices.get(str(s["id"])), open_by_session[str(s["id"])])
        for s in sessions
    }


def body_sessions(body_id: UUID) -> list[dict[str, Any]]:
    """Every evaluation session of ``body_id``, from the sessions read model."""
    query = services().evaluation_sessions
    sessions: list[dict[str, Any]] = []
    after = None
    while query is not None:
        page = query.list_sessions(after=after, limit=500, body_id=body_id)
        sessions.extend(page.items)
        after = page.next_cursor
        if after is None:
            break
    return sessions


@console.route("", methods=["GET"])
def home() -> Any:
    person = current_person()
    assert person is not None  # signed_in_person let only a person in
    account = person.account
    if account.role is AccountRole.ISSUER_OFFICER:
        caught_up("evaluation_sessions")  # a session just planned is listed
        sessions = body_sessions(account.organisation_id)
        counts = Counter(session["status"] for session in sessions)
        directory = services().directory
        return render(
            "pages/console_issuer.html",
            title=gettext("工作台"),
            sessions=sessions,
            states=[(status, counts.get(status.value, 0)) for status in EvaluationStatus],
            next_step=next_steps(account.organisation_id, sessions),
            staff=directory.count_workers(account.organisation_id) if directory else 0,
        )
    return render("pages/console_home.html", title=gettext("工作台"))


@console.route("/second-factor", methods=["GET"])
def second_factor() -> Any:
    return _enrolment_page()


@console.route("/second-factor/start", methods=["POST"])
def second_factor_start() -> Any:
    """Draw a new secret to enrol (the one enrolled, if any, works until it is confirmed)."""
    person = current_person()
    assert person is not None
    ledger().accounts.start_enrolment(person.id)
    return redirect(url_for("console.second_factor"), code=303)


@console.route("/second-factor", methods=["POST"])
def second_factor_confirm() -> Any:
    person = current_person()
    assert person is not None
    if ledger().accounts.confirm_enrolment(person.id, request.form.get("code", "")[:12]):
        return redirect(url_for("console.home", enrolled=1), code=303)
    return _enrolment_page(422, gettext("验证码不正确：请输入验证器应用中当前显示的 6 位数字。"))


def _enrolment_page(status: int = 200, error: str | None = None) -> Any:
    """Whether a second factor is enrolled; the secret being enrolled, if one was drawn, as a
    QR code of its otpauth URI and as text, with the field for its first code."""
    person = current_person()
    assert person is not None
    accounts = ledger().accounts
    pending = accounts.pending_secret(person.id)
    uri = accounts.provisioning_uri(person.account, pending) if pending else None
    return render(
        "pages/console_second_factor.html",
        status=status,
        title=gettext("两步验证"),
        qr=segno.make(uri, error="m").svg_data_uri(scale=4) if uri else None,
        uri=uri,
        secret=" ".join(pending[i : i + 4] for i in range(0, len(pending), 4)) if pending else "",
        enrolled=accounts.has_second_factor(person.id),
        error=error,
    )
