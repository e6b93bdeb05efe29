"""``/console/sessions/new``: an issuer officer plans an evaluation session (评价批次) of their
body, the same command as ``POST /api/v1/evaluations`` (``ledger.evaluations.plan_evaluation``).

The occupation is picked from the body's filing scope (备案评价范围) as the directory read model
has it, the level from the levels that scope covers; the examiner panels (考评员) are one field
per component, one examiner a line (practical, and review for levels 2 and 1, need an odd number
of at least three). A plan the domain refuses (``DomainRuleViolation``) is shown with its rule
beside the field it concerns (or above the form), 422, the form kept; a plan recorded goes to
the session's page (303).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import redirect, request, url_for

from domain.errors import DomainRuleViolation, InvalidValue
from domain.occupation import find_occupation
from domain.person_account import AccountRole
from domain.skill_level import SkillLevel
from service.app_services import ledger
from service.pages.blueprints import render, render_error
from service.pages.console import console, organisation_named
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

__all__ = ["COMPONENTS", "RULES", "rule_error"]

REFERENCE = re.compile(r"[!-~]{1,64}")
EXAMINER_MAX = 100
PANEL_MAX = 51
COMPONENTS = {"practical": N_("操作技能"), "review": N_("综合评审"), "theory": N_("理论知识")}
"""The components a panel may be named for, as ``PlanEvaluationSchema`` takes them."""
PANEL_HINTS = {
    "practical": N_("必填：不少于 3 人的奇数，每行一人。"),
    "review": N_("一级、二级必填：不少于 3 人的奇数，每行一人。"),
    "theory": N_("可不填；填写时每行一人。"),
}
RULES = {
    "duplicate-reference": N_("本机构已有这个批次编号。"),
    "outside-filed-scope": N_("本机构的备案评价范围不含该职业的这个等级。"),
    "level-not-allowed-for-occupation": N_("该职业的国家职业标准没有这个等级。"),
    "invalid-dates": N_("结束日期早于开始日期。"),
    "panel-size": N_("考评员须为不少于 3 人的奇数。"),
    "panel-duplicate-examiner": N_("同一考评组中有重复的考评员。"),
    "issuer-suspended": N_("本机构备案已暂停，不能操作。"),
    "issuer-revoked": N_("本机构备案已撤销，不能操作。"),
    "not-an-evaluation-body": N_("本机构不是评价机构。"),
}
"""What a plan's rules mean, in the pages' words (the rule's own detail is shown beside)."""
FIELD_OF_RULE = {
    "unknown-occupation": "occupation_code",
    "duplicate-reference": "reference",
    "outside-filed-scope": "level",
    "level-not-allowed-for-occupation": "level",
    "invalid-dates": "ends_on",
}


def rule_error(
    error: DomainRuleViolation, rules: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A refusal as a page shows it: what the rule means (translated when known, from
    ``rules``, the session plan's :data:`RULES` by default), its name, and the domain's own
    detail."""
    known = (RULES if rules is None else rules).get(error.rule)
    return {
        "text": gettext(known) if known else error.detail,
        "rule": error.rule,
        "detail": error.detail if known else "",
    }


def plan_field(error: DomainRuleViolation) -> str:
    """The form field a refused plan concerns (``form`` for the whole plan)."""
    if error.rule in ("panel-size", "panel-duplicate-examiner"):
        for name in COMPONENTS:
            if f"the {name} panel" in error.detail:
                return f"panel_{name}"
    return FIELD_OF_RULE.get(error.rule, "form")


def scope_choices(scope: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The occupations of a filing scope: name, code and the levels filed for it."""
    occupations = []
    for code, codes in sorted(scope.items()):
        filed = sorted(SkillLevel.from_code(level) for level in codes)
        known = find_occupation(code)
        occupations.append({"code": code, "name": known.name if known else code, "levels": filed})
    return occupations


def _planner() -> Any:
    """The signed-in issuer officer (who plans for their own body), or None."""
    person = current_person()
    if person is None or person.account.role is not AccountRole.ISSUER_OFFICER:
        return None
    return person


def _plan_page(status: int = 200, errors: dict[str, Any] | None = None) -> Any:
    person = _planner()
    organisation = organisation_named(person.account.organisation_id) or {}
    occupations = scope_choices(organisation.get("scope") or {})
    return render(
        "pages/console_session_plan.html",
        status=status,
        title=gettext("新建评价批次"),
        occupations=occupations,
        components=COMPONENTS,
        panel_hints=PANEL_HINTS,
        errors=errors or {},
        form=request.form if errors else {},
    )


def _panel(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _read_plan(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The plan the form asks for, and what is wrong with it before the domain sees it."""
    problems: dict[str, str] = {}
    reference = form.get("reference", "").strip()
    if not REFERENCE.fullmatch(reference):
        problems["reference"] = gettext("请填写批次编号：1–64 个字母、数字或符号，不含空格。")
    occupation = find_occupation(form.get("occupation_code", ""))
    if occupation is None:
        problems["occupation_code"] = gettext("请选择职业（工种）。")
    try:
        level = SkillLevel.from_code(form.get("level", ""))
    except InvalidValue:
        level = None
        problems["level"] = gettext("请选择等级。")
    dates: dict[str, date] = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = date.fromisoformat(form.get(name, ""))
        except ValueError:
            problems[name] = gettext("请填写日期（年-月-日）。")
    panels = {}
    for name in COMPONENTS:
        examiners = _panel(form.get(f"panel_{name}", ""))
        if len(examiners) > PANEL_MAX or any(len(e) > EXAMINER_MAX for e in examiners):
            problems[f"panel_{name}"] = gettext(
                "最多 %(count)s 人，每人姓名不超过 %(max)s 个字。",
                count=PANEL_MAX,
                max=EXAMINER_MAX,
            )
        elif examiners:
            panels[name] = examiners
    plan = {
        "reference": reference,
        "occupation_code": occupation.code if occupation else "",
        "level": level,
        "starts_on": dates.get("starts_on"),
        "ends_on": dates.get("ends_on"),
        "panels": panels,
    }
    return plan, problems


@console.route("/sessions/new", methods=["GET"])
def plan_session_form() -> Any:
    if _planner() is None:
        return render_error(403, gettext("只有评价机构经办人可以新建评价批次。"))
    return _plan_page()


@console.route("/sessions/new", methods=["POST"])
def plan_session() -> Any:
    person = _planner()
    if person is None:
        return render_error(403, gettext("只有评价机构经办人可以新建评价批次。"))
    plan, problems = _read_plan(request.form)
    if problems:
        return _plan_page(422, {field: {"text": text} for field, text in problems.items()})
    try:
        recorded = ledger().evaluations.plan_evaluation(
            body_id=person.account.organisation_id, **plan, actor=person.principal.actor
        )
    except DomainRuleViolation as error:
        return _plan_page(422, {plan_field(error): rule_error(error)})
    return redirect(
        url_for("console.session_overview", session_id=recorded.aggregate.id, planned=1), code=303
    )
