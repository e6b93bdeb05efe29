"""``/gongshi``: the public 公示 of self-evaluation results, and objections (异议) to them.

No sign-in. ``/gongshi`` lists the sessions whose 公示 window is open today and the latest
whose window has ended (the home page lists the open ones); ``/gongshi/<session id>`` shows one:
the evaluating body, occupation (name and code), level, the window (published on, last day,
working days) with the working-day calendar it was counted on and that calendar's version, and
each candidate as the rules allow (design §"Self-evaluation": masked names).

What a candidate row shows, and why nothing more: the masked name (张*, the same masking as
certificates, ``masked_name``), the employer, the occupation and level, and the result
(合格 / 不合格, or 已撤销 after an upheld objection). No ID number, not even masked (a 公示 names
people to the public; the body knows who they are), and no scores (the rules publish results,
not marks). All of it is read from the ``publicity`` read model; no GET here writes anything.

While the window is open anyone can lodge an objection on the page: which candidate, a contact
(phone or e-mail, so the body can answer) and the grounds (ID numbers in them are masked before
anything is stored). The form carries the pages' CSRF token (``flask-wtf``, checked before the
view runs), its fields are read and checked by a ``flask-wtf`` form, errors are shown beside the
fields, and ``POST /gongshi/<id>/objections`` is rate-limited per client address
(``OBJECTION_RATE_LIMIT``, 5 per hour). A worker signed in (``/signin`` with a worker token)
who is a candidate may object to their own result: the objection is recorded as the
candidate's. Outside the window the form is closed with the dates. The objection reaches the
body (``GET /api/v1/evaluations/<id>/objections``) and the HR bureau
(``GET /api/v1/objections?state=open``).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import redirect, session, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from wtforms import SelectField, StringField, TextAreaField, ValidationError

from domain.api_token import Role
from domain.errors import DomainRuleViolation
from domain.evaluation.publication import CONTACT_MAX, require_contact
from projections.publicity import Publicity, PublicityQuery
from service.app_services import ledger
from service.credentials.credential_document import masked_name
from service.pages.blueprints import page_blueprint, pages, render, render_error
from service.pages.i18n import N_, gettext
from service.pages.web_session import page_principal
from service.problems import Problem
from service.read_models import read_models

__all__ = ["ObjectionForm", "objection_pages"]

GROUNDS_MAX = 2000
LODGED_KEY = "gongshi_lodged"
RESULTS = {
    "passed": N_("合格"),
    "failed": N_("不合格"),
    "withdrawn": N_("已撤销（异议成立）"),
    "incomplete": N_("成绩不全"),
}


objection_pages = page_blueprint("pages_objection", __name__)


class ObjectionForm(FlaskForm):  # type: ignore[misc]
    """The objection form; its messages are translated when it is validated. Its CSRF token
    is the pages' own (``csrf``), checked for every page POST before the view runs
    (``service.pages.blueprints.begin``), so the form does not check it again."""

    class Meta:
        csrf = False

    candidate = SelectField(validate_choice=False)
    contact = StringField()
    grounds = TextAreaField()

    def validate_candidate(self, field: Any) -> None:
        if field.data not in {value for value, _label in self.candidate.choices}:
            raise ValidationError(gettext("请选择您要提出异议的考生。"))

    def validate_contact(self, field: Any) -> None:
        try:
            field.data = require_contact(field.data or "")
        except DomainRuleViolation:
            raise ValidationError(
                gettext("请填写手机号码或电子邮箱，以便评价机构答复您。")
            ) from None

    def validate_grounds(self, field: Any) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError(gettext("请写明异议的理由。"))
        if len(text) > GROUNDS_MAX:
            raise ValidationError(gettext("理由最多 %(max)s 个字。", max=GROUNDS_MAX))


def publicity_read() -> Any:
    """The ``publicity`` read model, caught up with the log."""
    return read_models(lambda: [Publicity()], None, ledger().log_position)


def today() -> date:
    return ledger().china_today()  # type: ignore[no-any-return]


def current_notices(limit: int = 5) -> list[dict[str, Any]]:
    """The sessions whose 公示 window is open today (for the home page: no wait, and none
    while the read models are not available)."""
    try:
        with read_models(lambda: [Publicity()], None) as view:
            found = PublicityQuery(view.store).notices(today().isoformat(), recent=0)
    except Problem:
        return []
    return found["current"][:limit]


def window_open(notice: dict[str, Any]) -> bool:
    return notice["status"] == "published" and today().isoformat() <= notice["window_ends_on"]


def candidate_rows(candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the page shows of each candidate (see the module docstring): nothing else leaves."""
    return [
        {
            "number": index,
            "worker_id": str(candidate["worker_id"]),
            "masked_name": masked_name(candidate["name"]),
            "employer": candidate["employer_name"],
            "result": candidate["result"],
        }
        for index, candidate in enumerate(candidates, start=1)
    ]


def own_candidate(rows: list[dict[str, Any]]) -> str | None:
    """The signed-in worker's own row, when they are a candidate of this session."""
    principal = page_principal()
    if not principal.is_(Role.WORKER) or principal.worker_id is None:
        return None
    mine = str(principal.worker_id)
    return mine if any(row["worker_id"] == mine for row in rows) else None


def objection_form(rows: list[dict[str, Any]], mine: str | None) -> ObjectionForm:
    form = ObjectionForm()
    choices = [
        (row["worker_id"], f"{row['number']}. {row['masked_name']} · {row['employer']}")
        for row in rows
    ]
    form.candidate.choices = [("", gettext("请选择考生")), *choices]
    if mine is not None and not form.is_submitted():
        form.candidate.data = mine
    return form


def notice_page(session_id: UUID, form: ObjectionForm | None = None, status: int = 200) -> Any:
    with publicity_read() as view:
        query = PublicityQuery(view.store)
        notice = query.notice(session_id)
        candidates = query.candidates(session_id) if notice is not None else []
    if notice is None:
        return render_error(404, gettext("没有找到这项公示。"))
    rows = candidate_rows(candidates)
    mine = own_candidate(rows)
    form = form or objection_form(rows, mine)
    return render(
        "pages/gongshi.html",
        status=status,
        notice=notice,
        rows=rows,
        results=RESULTS,
        open=window_open(notice),
        form=form,
        errors={name: messages[0] for name, messages in form.errors.items()},
        mine=mine,
        contact_max=CONTACT_MAX,
        grounds_max=GROUNDS_MAX,
        title=gettext("评价结果公示"),
    )


@pages.route("/gongshi", methods=["GET"])
def gongshi_list() -> Any:
    with publicity_read() as view:
        notices = PublicityQuery(view.store).notices(today().isoformat())
    return render("pages/gongshi_list.html", notices=notices, title=gettext("评价结果公示"))


@pages.route("/gongshi/<uuid:session_id>", methods=["GET"])
def gongshi_notice(session_id: UUID) -> Any:
    return notice_page(session_id)


@pages.route("/gongshi/<uuid:session_id>/objections/lodged", methods=["GET"])
def gongshi_lodged(session_id: UUID) -> Any:
    """The confirmation, once, after an objection was lodged (post/redirect/get)."""
    lodged = session.pop(LODGED_KEY, None)
    if not isinstance(lodged, dict) or lodged.get("session") != str(session_id):
        return redirect(url_for("pages.gongshi_notice", session_id=session_id), code=303)
    return render(
        "pages/gongshi_lodged.html",
        session_id=session_id,
        objection_id=lodged["objection"],
        by_candidate=lodged.get("by_candidate", False),
        title=gettext("异议已提交"),
    )


@objection_pages.route("/gongshi/<uuid:session_id>/objections", methods=["POST"])
def gongshi_object(session_id: UUID) -> Any:
    with publicity_read() as view:
        query = PublicityQuery(view.store)
        notice = query.notice(session_id)
        rows = candidate_rows(query.candidates(session_id)) if notice is not None else []
    if notice is None:
        return render_error(404, gettext("没有找到这项公示。"))
    mine = own_candidate(rows)
    form = objection_form(rows, mine)
    if not window_open(notice):
        return notice_page(session_id, form, status=409)
    if not form.validate_on_submit():
        return notice_page(session_id, form, status=422)
    by_candidate = mine is not None and form.candidate.data == mine
    recorded = ledger().evaluations.lodge_public_objection(
        session_id,
        worker_id=UUID(form.candidate.data),
        grounds=form.grounds.data,
        contact=form.contact.data,
        by_candidate=by_candidate,
        actor=page_principal().actor if by_candidate else "public",
    )
    objection_id = list(recorded.aggregate.objections)[-1]
    session[LODGED_KEY] = {
        "session": str(session_id),
        "objection": objection_id,
        "by_candidate": by_candidate,
    }
    return redirect(url_for("pages.gongshi_lodged", session_id=session_id), code=303)


@objection_pages.errorhandler(429)
def too_many_objections(error: HTTPException) -> Any:
    response = render_error(
        429,
        gettext("提交过于频繁：同一网络地址提交的异议已达上限，请过一段时间再提交。"),
    )
    for name, value in error.get_headers():
        if name == "Retry-After":
            response.headers[name] = value
    return response
