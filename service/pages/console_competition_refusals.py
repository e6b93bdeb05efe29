"""A refused competition command in the console, in the page's language, with its rule.

The chief judge's pages (review, locks, promotions) show a refusal beside the field or button it
concerns, as "<what the rule says> (rule <rule>)": the words come from :data:`RULES` where the
rule is known here, else the domain's own message. :func:`refusal_text` gives that text;
:func:`field_of` says which field of a form a rule concerns.
"""

from __future__ import annotations

from domain.errors import DomainRuleViolation, InvalidValue
from service.pages.i18n import N_, gettext

__all__ = ["RULES", "field_of", "refusal_text"]

RULES = {
    "correction-changes-nothing": N_("新分数与原分数相同，更正不会改变任何分数。"),
    "component-locked": N_("该赛项已封分，评分不能再更正或复核。"),
    "no-mark-to-correct": N_("这位裁判没有给该选手这一赛项评分。"),
    "nothing-to-review": N_("这组评分没有超出差异上限，或已有复核确认这组评分。"),
    "reason-required": N_("请写明原因，原因会记录在案。"),
    "results-final": N_("竞赛结果已公布，不能再改动。"),
    "entrant-withdrawn": N_("该选手已退赛。"),
    "not-an-entrant": N_("此人不是本竞赛的选手。"),
    "marks-incomplete": N_("还有选手未评完：每位选手都要有足够的裁判评分才能封分。"),
    "flagged-marks-unreviewed": N_("还有评分差异超出上限、未经复核的选手：请先更正或复核。"),
    "no-entrants": N_("本竞赛没有参赛选手。"),
    "components-not-locked": N_("还有赛项未封分：全部赛项封分后才能公布结果。"),
    "standings-outdated": N_("成绩在计算期间有变动，请重试。"),
    "no-proposals-to-submit": N_("没有待报送的晋级建议。"),
    "results-not-final": N_("竞赛结果尚未公布。"),
}

# which field of a form a rule is about (others: the form as a whole, beside its button)
FIELDS = {
    "correction-changes-nothing": "mark",
    "no-mark-to-correct": "judge",
    "reason-required": "reason",
}


def field_of(error: DomainRuleViolation | InvalidValue, default: str = "form") -> str:
    """The form field ``error`` concerns: ``mark``, ``judge``, ``reason`` or ``default``."""
    if isinstance(error, InvalidValue):
        if error.field.startswith("mark"):
            return "mark"
        return "judge" if error.field == "judge" else default
    return FIELDS.get(error.rule, default)


def refusal_text(error: DomainRuleViolation | InvalidValue) -> str:
    """What was refused and why, in the page's language, naming the rule."""
    if isinstance(error, InvalidValue):
        if error.field.startswith("mark"):
            return gettext("请填写 0 到 100 的分数，最多两位小数（例如 85 或 85.5）。")
        return error.detail
    known = RULES.get(error.rule)
    detail = gettext(known) if known else error.detail
    return gettext("%(detail)s（规则 %(rule)s）", detail=detail, rule=error.rule)
