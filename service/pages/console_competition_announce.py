"""``/console/competitions/new``: an organiser announces a competition (发布竞赛) of their union,
the same command as ``POST /api/v1/competitions`` (``ledger.competitions.announce_competition``).

The occupation is picked by name from the catalogue (``domain.occupation``), the level from the
levels it has; the marking scheme is a few rows of components (name, kind, weight) -- more rows
come by submitting "add a row" (no script needed) -- with the judge combination and the largest
spread before review; the promotion rule set is one of the known ones (or none); the provisional
board is public after each lock (the default), public while marking, or private until final. A
refusal is shown with its rule beside the field it concerns (a rule set not covering the tier
beside the rule-set field), 422, the form kept; an announcement recorded goes to the
competition's overview (303).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.competition import BoardVisibility, CompetitionTier
from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import ComponentKind, JudgeCombination, MarkingScheme
from domain.occupation import KNOWN_OCCUPATIONS, find_occupation
from domain.organisation import OrganisationKind
from domain.promotion_rule_sets import RULE_SETS
from domain.skill_level import SkillLevel
from service.app_services import ledger, services
from service.pages.blueprints import render, render_error
from service.pages.console import console
from service.pages.console_competition import UNION_ROLES, competition_for
from service.pages.console_session_plan import rule_error
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

__all__ = ["BOARDS", "may_announce"]

REFERENCE = re.compile(r"[!-~]{1,64}")
NAME_MAX = 200
REGION_MAX = 100
ROWS = 3  # component rows shown at first
ROWS_MAX = 20  # the API's limit
BODIES = 200
KINDS = {"measurement": N_("测量评分（客观）"), "judgement": N_("评价评分（主观）")}
COMBINATIONS = {
    "mean": N_("平均分"),
    "trimmed": N_("去掉一个最高分和一个最低分后平均（至少 3 名裁判）"),
}
BOARDS = {
    "public-after-lock": N_("封分后公开：只公开已封分赛项的成绩（默认）"),
    "public": N_("公开：评分中即公开实时排行榜"),
    "private": N_("不公开：结果公布前只有组织者可见"),
}
assert set(KINDS) == {kind.value for kind in ComponentKind}
assert set(BOARDS) == {board.value for board in BoardVisibility}
assert set(COMBINATIONS) == {combination.value for combination in JudgeCombination}
RULES = {
    "duplicate-reference": N_("本单位已有这个竞赛编号。"),
    "unknown-occupation": N_("职业目录中没有这个职业。"),
    "level-not-allowed-for-occupation": N_("该职业的国家职业标准没有这个等级。"),
    "not-an-evaluation-body": N_("发证机构须是评价机构。"),
    "outside-filed-scope": N_("发证机构的备案评价范围不含这个职业。"),
    "tier-not-allowed": N_("社会组织只能举办企业和院校级竞赛。"),
    "rule-set-not-in-force": N_("这套晋级规则在竞赛年度尚未生效。"),
    "rule-set-does-not-cover-tier": N_("这套晋级规则不适用于这个竞赛级别。"),
    "promotion-needs-issuing-body": N_("以赛代评（有晋级规则）须指定发证机构。"),
    "organiser-not-active": N_("本单位状态不是正常，不能发布竞赛。"),
    "weights-must-sum-to-100": N_("各赛项权重之和须为 100。"),
}
FIELD_OF_RULE = {
    "duplicate-reference": "reference",
    "invalid-competition": "name",
    "unknown-occupation": "occupation_code",
    "level-not-allowed-for-occupation": "exam_level",
    "not-an-evaluation-body": "issuing_body_id",
    "outside-filed-scope": "issuing_body_id",
    "promotion-needs-issuing-body": "issuing_body_id",
    "tier-not-allowed": "tier",
    "rule-set-not-in-force": "promotion_rule_set",
    "rule-set-does-not-cover-tier": "promotion_rule_set",
}
FIELD_OF_VALUE = {"max_spread": "max_spread", "combination": "combination", "year": "year"}


def may_announce() -> bool:
    """Whether the signed-in person announces competitions (for their own union)."""
    person = current_person()
    return person is not None and person.account.role in UNION_ROLES


def _bodies() -> list[dict[str, Any]]:
    """Active evaluation bodies (who may issue promotion certificates), by name."""
    directory = services().directory
    if directory is None:
        return []
    rows = directory.list_organisations(status="active", limit=BODIES).items
    evaluating = {kind.value for kind in OrganisationKind if kind.evaluates}
    return [row for row in rows if row["kind"] in evaluating]


def _row_count(form: Any) -> int:
    try:
        rows = int(form.get("rows", ROWS))
    except ValueError:
        rows = ROWS
    return max(1, min(rows, ROWS_MAX))


def _announce_page(
    status: int = 200, errors: dict[str, Any] | None = None, rows: int = ROWS, keep: bool = False
) -> Any:
    return render(
        "pages/console_competition_new.html",
        status=status,
        title=gettext("发布竞赛"),
        occupations=sorted(KNOWN_OCCUPATIONS, key=lambda o: o.code),
        levels=[SkillLevel.from_code(code) for code in ("5", "4", "3", "2", "1")],
        tiers=[tier.value for tier in CompetitionTier],
        bodies=_bodies(),
        kinds=KINDS,
        combinations=COMBINATIONS,
        rule_sets=RULE_SETS,
        boards=BOARDS,
        rows=rows,
        rows_max=ROWS_MAX,
        this_year=ledger().china_today().year,
        errors=errors or {},
        form=request.form if keep else {},
    )


def _components(form: Any, rows: int) -> tuple[list[dict[str, str]], str | None]:
    """The filled component rows, and what is wrong with them before the scheme sees them."""
    components = []
    for index in range(rows):
        name = form.get(f"component_{index}_name", "").strip()
        weight = form.get(f"component_{index}_weight", "").strip()
        kind = form.get(f"component_{index}_kind", "")
        if not name and not weight:
            continue
        if not name or len(name) > 64:
            return [], gettext("第 %(row)s 行：请填写赛项名称（最多 64 个字）。", row=index + 1)
        if kind not in KINDS:
            return [], gettext("第 %(row)s 行：请选择评分方式。", row=index + 1)
        components.append({"name": name, "weight": weight, "kind": kind})
    if not components:
        return [], gettext("请至少填写一个赛项及其权重。")
    return components, None


def _read(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The announcement the form asks for, and what is wrong with it before the domain sees
    it (field -> message, or a refusal as :func:`_refusal` shows it)."""
    problems: dict[str, Any] = {}
    name = form.get("name", "").strip()
    if not name or len(name) > NAME_MAX:
        problems["name"] = gettext("请填写竞赛名称（最多 %(max)s 个字）。", max=NAME_MAX)
    reference = form.get("reference", "").strip()
    if not REFERENCE.fullmatch(reference):
        problems["reference"] = gettext("请填写竞赛编号：1–64 个字母、数字或符号，不含空格。")
    tier = form.get("tier", "")
    if tier not in {t.value for t in CompetitionTier}:
        problems["tier"] = gettext("请选择竞赛级别。")
    occupation = find_occupation(form.get("occupation_code", ""))
    if occupation is None:
        problems["occupation_code"] = gettext("请选择职业（工种）。")
    level = form.get("exam_level", "")
    if level not in {"5", "4", "3", "2", "1"}:
        problems["exam_level"] = gettext("请选择等级。")
    try:
        year = int(form.get("year", ""))
        if not 1949 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = 0
        problems["year"] = gettext("请填写年度（四位数字）。")
    region = form.get("region", "").strip()
    if not region or len(region) > REGION_MAX:
        problems["region"] = gettext("请填写地区（最多 %(max)s 个字）。", max=REGION_MAX)
    body_id = None
    if form.get("issuing_body_id"):
        known = {str(body["id"]): UUID(str(body["id"])) for body in _bodies()}
        body_id = known.get(form["issuing_body_id"])
        if body_id is None:
            problems["issuing_body_id"] = gettext("请从列表中选择发证机构。")
    rule_set = form.get("promotion_rule_set", "") or None
    if rule_set is not None and rule_set not in {r.name for r in RULE_SETS}:
        problems["promotion_rule_set"] = gettext("请从列表中选择晋级规则。")
    components, trouble = _components(form, _row_count(form))
    if trouble:
        problems["components"] = trouble
    board = form.get("provisional_board", "") or BoardVisibility.PUBLIC_AFTER_LOCK.value
    if board not in BOARDS:
        problems["provisional_board"] = gettext("请选择排行榜何时公开。")
    combination = form.get("combination", "")
    if combination not in COMBINATIONS:
        problems["combination"] = gettext("请选择裁判评分合成方式。")
    scheme = {
        "components": components,
        "combination": combination,
        "max_spread": form.get("max_spread", "").strip() or None,
    }
    if components and "combination" not in problems:
        try:
            MarkingScheme.from_dict(scheme)
        except (InvalidValue, DomainRuleViolation) as error:
            field = error.field if isinstance(error, InvalidValue) else ""
            where = FIELD_OF_VALUE.get(field, "components")
            problems[where] = _refusal(error)
    announcement = {
        "reference": reference,
        "name": name,
        "tier": tier,
        "occupation_code": occupation.code if occupation else "",
        "exam_level": level,
        "year": year,
        "region": region,
        "issuing_body_id": body_id,
        "marking_scheme": scheme,
        "promotion_rule_set": rule_set,
        "separate_groups": form.get("separate_groups") == "1",
        "provisional_board": board,
    }
    return announcement, problems


def _refusal(error: DomainRuleViolation | InvalidValue) -> dict[str, str]:
    if isinstance(error, DomainRuleViolation):
        return rule_error(error, RULES)
    text = gettext("输入有误：%(field)s %(detail)s", field=error.field, detail=error.detail)
    return {"text": text}


def _refused() -> Any:
    return render_error(403, gettext("只有工会的竞赛组织者可以发布竞赛。"))


@console.route("/competitions/new", methods=["GET"])
def announce_competition_form() -> Any:
    if not may_announce():
        return _refused()
    return _announce_page()


@console.route("/competitions/new", methods=["POST"])
def announce_competition() -> Any:
    person = current_person()
    if person is None or not may_announce() or person.account.organisation_id is None:
        return _refused()
    rows = _row_count(request.form)
    if "add_row" in request.form:  # "add a row": the same form, one more component row
        return _announce_page(rows=min(rows + 1, ROWS_MAX), keep=True)
    announcement, problems = _read(request.form)
    if problems:
        errors = {
            field: text if isinstance(text, dict) else {"text": text}
            for field, text in problems.items()
        }
        return _announce_page(422, errors, rows, keep=True)
    try:
        recorded = ledger().competitions.announce_competition(
            organiser_id=person.account.organisation_id,
            **announcement,
            actor=person.principal.actor,
        )
    except (DomainRuleViolation, InvalidValue) as error:
        if isinstance(error, DomainRuleViolation):
            field = FIELD_OF_RULE.get(error.rule, "form")
        else:
            field = FIELD_OF_VALUE.get(error.field, "form")
        return _announce_page(422, {field: _refusal(error)}, rows, keep=True)
    return redirect(
        url_for("console.competition_overview", competition_id=recorded.aggregate.id, announced=1),
        code=303,
    )


@console.route("/competitions/<uuid:competition_id>/board-visibility", methods=["POST"])
def choose_board_visibility(competition_id: UUID) -> Any:
    """Choose, after the announcement, who sees the provisional board (the overview's form)."""
    competition = competition_for(competition_id, change=True)
    person = current_person()
    assert person is not None
    visibility = request.form.get("provisional_board", "")
    if visibility not in BOARDS:
        return render_error(422, gettext("请选择排行榜何时公开。"))
    try:
        ledger().competitions.choose_board_visibility(
            competition.id, visibility=visibility, actor=person.principal.actor
        )
    except DomainRuleViolation as error:
        return render_error(422, rule_error(error, RULES)["text"] + f" ({error.rule})")
    return redirect(
        url_for("console.competition_overview", competition_id=competition.id, board=1)
        + "#board-heading",
        code=303,
    )
