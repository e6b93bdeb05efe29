"""``/console/competitions/<id>/judges``: a competition's judging panels (裁判组), a tab.

Per component, the panel as the competition has it (``Competition.panels``: each judge's name
and login, and when they submitted their marks) and a form replacing it: one judge a line,
"姓名, 登录名" (the login may be left out for a judge who marks on paper). Recording is
``ledger.competitions.assign_judges`` (what ``POST /api/v1/competitions/{id}/panels`` does);
refused once the component is locked (``component-locked``), when a judge who has marked would be
removed (``judge-has-marks``) or a name is on the panel twice (``duplicate-judge``), the rule
shown beside that component's field, 422, the lines kept.

A judge with a login and no account yet is invited, when asked, as a judge of this competition
(``ledger.accounts.invite_judge``, an account scoped to it): the single-use invitation links are
shown on the answer, only this once, to be handed to each judge. A login that already belongs to
another account is refused before anything is recorded.

Who may see or change it: :func:`service.pages.console_competition.competition_for`.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.competition import Competition
from domain.competition_panels import MAX_PANEL
from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import mask_id_numbers
from domain.person_account import AccountRole, parse_login
from service.app_services import ledger
from service.pages.blueprints import render
from service.pages.console import console
from service.pages.console_competition import (
    add_competition_tab,
    competition_for,
    may_change_competition,
)
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

__all__ = ["judge_lines"]

SEPARATOR = re.compile(r"[,，\s]+")
RULES = {
    "component-locked": N_("该赛项已封分，不能再更改裁判组。"),
    "judge-has-marks": N_("已评分的裁判不能移出裁判组。"),
    "duplicate-judge": N_("同一裁判组中有重复的裁判（姓名或登录名）。"),
    "panel-too-small": N_("裁判组人数少于评分方案的要求（去掉最高最低分时至少 3 人）。"),
    "results-final": N_("竞赛结果已公布，不能再更改。"),
}


def judge_lines(text: str) -> tuple[list[dict[str, str | None]], str | None]:
    """The judges of a panel's field (one a line: name, then optionally the login after a
    comma or a space), and what is wrong with them (translated) or None."""
    judges: list[dict[str, str | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = SEPARATOR.split(line.strip(), maxsplit=1)
        name = parts[0]
        login = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
        if login is not None:
            try:
                login = parse_login(login)
            except InvalidValue:
                return [], gettext(
                    "第 %(line)s 行：登录名须为电子邮箱或 11 位手机号。", line=number
                )
        judges.append({"name": name, "login": login})
    if len(judges) > MAX_PANEL:
        return [], gettext("每个裁判组最多 %(max)s 人。", max=MAX_PANEL)
    return judges, None


def _panel_text(panel: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{judge['name']}, {judge['login']}" if judge.get("login") else judge["name"]
        for judge in panel
    )


def _panels(competition: Competition) -> list[dict[str, Any]]:
    """Per component (in the scheme's order): its panel, each judge with whether they have an
    account and when they submitted."""
    panels = getattr(competition, "panels", {}) or {}
    submitted = getattr(competition, "submitted", {}) or {}
    accounts = ledger().accounts
    rows = []
    for index, component in enumerate(competition.scheme.components):
        panel = panels.get(component.name, [])
        judges = []
        for judge in panel:
            account = accounts.find(judge["login"]) if judge.get("login") else None
            judges.append(
                {
                    **judge,
                    "account": account is not None,
                    "submitted": submitted.get(component.name, {}).get(judge["name"]),
                }
            )
        rows.append(
            {
                "index": index,
                "name": component.name,
                "judges": judges,
                "text": _panel_text(panel),
                "locked": component.name in competition.locks,
            }
        )
    return rows


def judges_page(competition: Competition, status: int = 200, **values: Any) -> Any:
    values.setdefault("errors", {})
    values.setdefault("kept", {})
    values.setdefault("invited", [])
    values.setdefault("assigned", request.args.get("assigned", ""))
    return render(
        "pages/console_competition_judges.html",
        status=status,
        title=gettext("裁判组") + " · " + competition.name,
        competition=competition,
        panels=_panels(competition),
        may_change=may_change_competition(competition) and not competition.is_final,
        **values,
    )


@console.route("/competitions/<uuid:competition_id>/judges", methods=["GET"])
def competition_judges(competition_id: UUID) -> Any:
    return judges_page(competition_for(competition_id))


def _refusal(error: DomainRuleViolation | InvalidValue) -> str:
    if isinstance(error, InvalidValue):
        return gettext("输入有误：%(field)s %(detail)s", field=error.field, detail=error.detail)
    known = RULES.get(error.rule)
    detail = gettext(known) if known else error.detail
    return gettext("不符合规则 %(rule)s：%(detail)s", rule=error.rule, detail=detail)


def _taken(competition: Competition, judges: list[dict[str, str | None]]) -> str | None:
    """A login of ``judges`` that belongs to an account other than a judge of this
    competition (translated), or None."""
    accounts = ledger().accounts
    for judge in judges:
        login = judge["login"]
        account = accounts.find(login) if login else None
        if account is None:
            continue
        if account.role is not AccountRole.JUDGE or account.competition_id != competition.id:
            return gettext("登录名 %(login)s 已属于另一个账号，请换一个。", login=login)
    return None


@console.route("/competitions/<uuid:competition_id>/judges", methods=["POST"])
def assign_competition_judges(competition_id: UUID) -> Any:
    """Replace one component's panel; invite the new logins' judges when asked."""
    competition = competition_for(competition_id, change=True)
    component = request.form.get("component", "")
    names = competition.scheme.component_names
    if component not in names:
        return judges_page(competition, 422, errors={"form": gettext("请选择赛项。")})
    field = f"judges_{names.index(component)}"
    text = request.form.get("judges", "")
    judges, trouble = judge_lines(text)
    trouble = trouble or _taken(competition, judges)
    if trouble:
        return judges_page(
            competition, 422, errors={field: trouble}, kept={field: mask_id_numbers(text)}
        )
    person = current_person()
    assert person is not None
    actor = person.principal.actor
    try:
        ledger().competitions.assign_judges(
            competition_id, component=component, judges=judges, actor=actor
        )
    except (DomainRuleViolation, InvalidValue) as error:
        return judges_page(
            ledger().competition(competition_id),
            422,
            errors={field: _refusal(error)},
            kept={field: mask_id_numbers(text)},
        )
    invited = []
    accounts = ledger().accounts
    if request.form.get("invite") == "1":
        for judge in judges:
            login = judge["login"]
            if login is None or accounts.find(login) is not None:
                continue
            invitation = accounts.invite_judge(
                competition_id, login=login, name=judge["name"], actor=actor
            )
            invited.append(
                {
                    "name": judge["name"],
                    "login": login,
                    "link": invitation.link(ledger().credentials.credential_urls.base_url),
                    "expires": invitation.expires_at,
                }
            )
    if not invited:
        return redirect(
            url_for("console.competition_judges", competition_id=competition_id, assigned=component)
            + f"#{field}",
            code=303,
        )
    return judges_page(
        ledger().competition(competition_id), 201, invited=invited, assigned=component
    )


add_competition_tab("console.competition_judges", N_("裁判组"), 20)
