"""``/judge``: a judge (裁判) marks on their phone, one entrant at a time or in a table.

A judge's account is scoped to one competition (``AccountRole.JUDGE``, invited by its
organiser); signing in lands here. ``/judge`` lists the components the judge's login is on a
panel of, with progress; ``/judge/<competition>/<component>`` is the marking page: the active
entrants by entrant number (参赛号; judges mark blind), one at a time with a large numeric
field and 上一位/下一位 (``?at=<index>``), or a table (``?view=table``), and 已评 N / M.

Each mark is saved on its own (``POST …/marks``: a form POST that goes on to the next entrant
without script; ``judge-marks.js`` saves on change with ``fetch`` and the CSRF header and
answers JSON), always under the judge's own name from the panel (never a name the form
gives). Before submitting, a judge may change their own mark: recorded as a correction with
the reason :data:`OWN_CORRECTION`. 提交 (``POST …/submit``) records ``MarksSubmitted`` once
every entrant is marked; after it (or the lock 封分, or the final results) the page shows
已提交 and takes no more marks. Until the component is locked the judge sees only their own
marks (``service.competitions.judge_sheet``). A refusal is shown beside the field with its
rule. Another competition, or a component the judge is not on, is not found (404).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.competition_marks import mark_text
from domain.errors import DomainRuleViolation, InvalidValue
from domain.person_account import AccountRole
from service.app_services import ledger
from service.commands import NotFound
from service.competitions.judge_sheet import JudgeSheet, judge_sheet, judge_sheets
from service.pages.blueprints import page_blueprint, render, render_error
from service.pages.i18n import N_, gettext
from service.pages.people import Person, current_person

__all__ = ["OWN_CORRECTION", "judge_pages"]

judge_pages = page_blueprint("judge", __name__, url_prefix="/judge")

OWN_CORRECTION = "裁判提交前自行更正"
"""The reason recorded when a judge changes their own mark before submitting it."""

REFUSALS = {
    "mark-already-recorded": N_("您已为此选手评过分。"),
    "component-locked": N_("此项已封分，不再接受评分。"),
    "results-final": N_("竞赛成绩已发布，不再接受评分。"),
    "judge-not-assigned": N_("您不在此项的裁判组中。"),
    "marks-submitted": N_("您已提交此项评分，不能再更改；如需更正，请联系裁判长。"),
    "marks-already-submitted": N_("您已提交过此项评分。"),
    "judge-marks-incomplete": N_("还有选手未评分，全部评完后才能提交。"),
    "not-an-entrant": N_("此人不是本竞赛的选手，或已退赛。"),
    "mark": N_("分数须为 0 至 100 之间的数，最多两位小数。"),
    "mark-missing": N_("请填写分数。"),
}


def _refusal(rule: str) -> str:
    text = REFUSALS.get(rule)
    return gettext(text) if text else rule


def _judge() -> Person | None:
    person = current_person()
    return person if person is not None and person.account.role is AccountRole.JUDGE else None


@judge_pages.before_request
def signed_in_judge() -> Any:
    """Nobody signed in: to ``/signin`` and back; a person who is not a judge: 403."""
    person = current_person()
    if person is None:
        return redirect(url_for("pages.signin_form", next=request.path), code=303)
    if person.account.role is not AccountRole.JUDGE:
        return render_error(403, gettext("此页面只供裁判评分使用。"))
    return None


def _sheet(competition_id: UUID, component: str) -> tuple[Person, JudgeSheet]:
    """The signed-in judge and their sheet; NotFound (404) for another competition or a
    component they are not on."""
    person = _judge()
    if person is None or not person.principal.judges(competition_id):
        raise NotFound("no such marking page")
    sheet = judge_sheet(ledger().competition(competition_id), component, person.account.login)
    if sheet is None:
        raise NotFound("no such marking page")
    return person, sheet


@judge_pages.route("", methods=["GET"])
def judge_home() -> Any:
    """The judge's competition: the components they mark, each with its progress."""
    person = _judge()
    assert person is not None  # signed_in_judge let only judges in
    competition_id = person.account.competition_id
    try:
        competition = ledger().competition(competition_id) if competition_id else None
    except NotFound:
        competition = None
    sheets = judge_sheets(competition, person.account.login) if competition else []
    return render(
        "pages/judge_home.html",
        title=gettext("我评的项目"),
        competition=competition,
        sheets=sheets,
    )


def _sheet_page(
    sheet: JudgeSheet,
    status: int = 200,
    *,
    at: int | None = None,
    errors: dict[str, str] | None = None,
    rule: str | None = None,
    typed: str = "",
) -> Any:
    table = request.values.get("view") == "table"
    if at is None:
        try:
            at = int(request.args.get("at", ""))
        except ValueError:
            at = sheet.first_unmarked()
    at = max(0, min(at, sheet.total - 1)) if sheet.total else 0
    return render(
        "pages/judge_sheet.html",
        status=status,
        title=f"{sheet.component} · {sheet.competition_name}",
        sheet=sheet,
        table=table,
        at=at,
        current=sheet.rows[at] if sheet.rows else None,
        errors=errors or {},
        rule=rule,
        typed=typed,
    )


@judge_pages.route("/<uuid:competition_id>/<component>", methods=["GET"])
def judge_component(competition_id: UUID, component: str) -> Any:
    _, sheet = _sheet(competition_id, component)
    return _sheet_page(sheet)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _closed_rule(sheet: JudgeSheet) -> str | None:
    if sheet.final:
        return "results-final"
    return "component-locked" if sheet.locked else None


def _save(person: Person, sheet: JudgeSheet, worker: str, typed: str) -> str | None:
    """Record the judge's mark of ``worker`` (a correction when it changes their own earlier
    one); the rule that refuses it, or None when it is saved (or unchanged)."""
    row = sheet.row(worker)
    if row is None:
        return "not-an-entrant"
    closed = _closed_rule(sheet)
    if closed:
        return closed
    if not sheet.editable(row):
        return "marks-submitted"
    if not typed:
        return "mark-missing"
    try:
        mark = mark_text(typed, "mark")
        competitions = ledger().competitions
        actor = person.principal.actor
        if row.mark is None:
            competitions.record_mark(
                sheet.competition_id,
                worker_id=row.worker_id,
                component=sheet.component,
                judge=sheet.judge,
                mark=mark,
                actor=actor,
            )
        elif not _same(row.mark, mark):
            competitions.correct_mark(
                sheet.competition_id,
                worker_id=row.worker_id,
                component=sheet.component,
                judge=sheet.judge,
                mark=mark,
                reason=OWN_CORRECTION,
                actor=actor,
            )
    except InvalidValue:
        return "mark"
    except DomainRuleViolation as refused:
        return refused.rule
    return None


def _same(recorded: str | None, typed: str) -> bool:
    try:
        return recorded is not None and Decimal(mark_text(typed, "mark")) == Decimal(recorded)
    except InvalidValue:
        return False


@judge_pages.route("/<uuid:competition_id>/<component>/marks", methods=["POST"])
def save_mark(competition_id: UUID, component: str) -> Any:
    """One mark, saved on its own: JSON for the script, else on to the next entrant."""
    person, sheet = _sheet(competition_id, component)
    worker = request.form.get("worker_id", "")[:40]
    typed = request.form.get("mark", "").strip()[:12]
    refused = _save(person, sheet, worker, typed)
    _, sheet = _sheet(competition_id, component)  # as it stands now
    row = sheet.row(worker)
    if refused == "mark-already-recorded" and row is not None and _same(row.mark, typed):
        refused = None  # the same mark, saved twice (the script's save and the form's)
    index = sheet.index_of(worker)
    if _wants_json():
        answer: dict[str, Any] = {
            "saved": refused is None,
            "marked": sheet.marked,
            "total": sheet.total,
            "may_submit": sheet.may_submit,
            "progress": gettext(
                "已评 %(marked)s / %(total)s", marked=sheet.marked, total=sheet.total
            ),
        }
        if refused is not None:
            answer.update(rule=refused, error=_refusal(refused))
        else:
            answer["mark"] = row.mark if row else None
        return answer, (422 if refused else 200)
    if refused is not None:
        errors = {
            f"mark-{worker}" if request.form.get("view") == "table" else "mark": _refusal(refused)
        }
        return _sheet_page(sheet, 422, at=index, errors=errors, rule=refused, typed=typed)
    if request.form.get("view") == "table":
        target = url_for(
            ".judge_component", competition_id=competition_id, component=component, view="table"
        )
        return redirect(f"{target}#entrant-{index}", code=303)
    last = index is None or index + 1 >= sheet.total
    following = sheet.first_unmarked() if last else index + 1  # type: ignore[operator]
    return redirect(
        url_for(
            ".judge_component", competition_id=competition_id, component=component, at=following
        ),
        code=303,
    )


@judge_pages.route("/<uuid:competition_id>/<component>/submit", methods=["POST"])
def submit_marks(competition_id: UUID, component: str) -> Any:
    """提交: record ``MarksSubmitted`` for the judge's marks of this component."""
    person, sheet = _sheet(competition_id, component)
    refused = _closed_rule(sheet) or ("marks-already-submitted" if sheet.submitted else None)
    if refused is None:
        try:
            ledger().competitions.submit_marks(
                competition_id,
                component=component,
                judge=sheet.judge,
                actor=person.principal.actor,
            )
        except DomainRuleViolation as refusal:
            refused = refusal.rule
    if refused is not None:
        return _sheet_page(sheet, 422, errors={"submit": _refusal(refused)}, rule=refused)
    return redirect(
        url_for(".judge_component", competition_id=competition_id, component=component), code=303
    )
