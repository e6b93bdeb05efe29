"""Words the pages show for the ledger's codes (statuses, kinds, tiers, checks), translatable.

Each mapping holds Chinese message ids marked with ``N_``; :func:`label` translates at render
time. A code without a label is shown as it is. Level and occupation names are not kept here:
they come from the domain (:func:`level_name`, :func:`occupation_label`).
"""

from __future__ import annotations

import re

from domain.competition import CompetitionStatus
from domain.errors import InvalidValue
from domain.occupation import find_occupation
from domain.skill_level import SkillLevel
from service.pages.i18n import N_, aside, current_language, gettext

CERTIFICATE_STATUS = {
    "valid": N_("有效"),
    "suspended": N_("暂停"),
    "revoked": N_("已撤销"),
    "not_found": N_("未查到"),
}
ORGANISATION_KIND = {
    "Y": N_("用人单位（企业自主评价）"),
    "S": N_("社会培训评价组织"),
    "union": N_("工会"),
    "authority": N_("人力资源社会保障部门"),
}
ORGANISATION_STATUS = {
    "active": N_("备案有效"),
    "suspended": N_("备案暂停"),
    "revoked": N_("备案已撤销"),
}
CHECK_NAME = {
    "signature": N_("签名"),
    "key_valid_at_created": N_("签名时密钥有效"),
    "issuer_binding": N_("签发机构与密钥一致"),
    "validity_dates": N_("有效期"),
    "status": N_("证书状态"),
    "issuer_filed": N_("签发机构备案及范围"),
    "log_inclusion": N_("透明日志收录"),
    "credential": N_("证书文件"),
    "data_model": N_("凭证数据模型（VC 2.0）"),
    "ledger_record": N_("与账本记录一致"),
    "challenge": N_("挑战值"),
    "domain": N_("域"),
    "holder_binding": N_("持有人签名"),
    "subject_binding": N_("凭证主体为持有人"),
    "credentials": N_("所含凭证"),
}
CHECK_STATUS = {
    "passed": N_("通过"),
    "failed": N_("未通过"),
    "unknown": N_("无法确认"),
    "skipped": N_("未检查"),
    "valid": N_("通过"),
    "invalid": N_("未通过"),
    "verified": N_("通过"),
    "unsupported": N_("不支持的密码套件"),
}
AWARD = {
    "gold": N_("金牌"),
    "silver": N_("银牌"),
    "bronze": N_("铜牌"),
    "excellence": N_("优胜奖"),
}
TIER = {
    "world": N_("世界技能大赛"),
    "national_1": N_("国家级一类"),
    "national_2": N_("国家级二类"),
    "provincial_1": N_("省（市）级一类"),
    "provincial_2": N_("省（市）级二类"),
    "district": N_("区级"),
    "enterprise_or_school": N_("企业和院校级"),
}
COMPETITION_STATUS: dict[str, str] = {
    CompetitionStatus.ANNOUNCED: N_("已公布"),
    CompetitionStatus.MARKING: N_("评分中"),
    CompetitionStatus.FINALISED: N_("成绩已发布"),
}
ENTRANT_KIND = {"employee": N_("职工"), "student": N_("学生"), "all": N_("全部")}
STAGE = {
    "exploration": N_("探索期"),
    "growth": N_("成长期"),
    "maturity": N_("成熟期"),
    "development": N_("发展期"),
    "leading": N_("引领期"),
}
STAGE_ORDER = ("exploration", "growth", "maturity", "development", "leading")
SHARE_STATE = {
    "active": N_("有效"),
    "expired": N_("已过期"),
    "revoked": N_("已撤销"),
}
EMPLOYMENT_RELATION = {
    "staff": N_("本单位职工"),
    "dispatched": N_("劳务派遣"),
    "outsourced": N_("业务外包"),
    "affiliated": N_("平台/挂靠"),
}
ROLE = {
    "admin": N_("管理员"),
    "issuer": N_("评价机构"),
    "organiser": N_("竞赛组织方"),
    "auditor": N_("审计人员"),
    "worker": N_("工人"),
    "judge": N_("裁判"),
    "public": N_("访客"),
}
ACCOUNT_ROLE = {
    "admin": N_("平台管理员"),
    "hr_official": N_("人社局工作人员"),
    "issuer_officer": N_("评价机构经办人"),
    "organiser": N_("竞赛组织者"),
    "union_official": N_("总工会工作人员"),
    "auditor": N_("审计人员"),
    "judge": N_("裁判"),
}
SESSION_STATUS = {
    "planned": N_("已计划"),
    "published": N_("公示中"),
    "issued": N_("已发证"),
    "reported": N_("已上报"),
}
ROUTE = {
    "evaluation": N_("企业自主评价"),
    "competition": N_("以赛代评"),
    "direct_recognition": N_("直接认定"),
}


def label(mapping: dict[str, str], code: object) -> str:
    """The label of ``code`` in the current language (the code itself when unlabelled)."""
    text = mapping.get(str(code))
    return gettext(text) if text is not None else str(code)


def level_name(code: object) -> str:
    """A level's name from the domain's one table (:class:`domain.skill_level.SkillLevel`), the
    same words the credentials and the API use: 三级/高级工, or Level 3 / Senior Worker in
    English. An unknown code is shown as it is."""
    try:
        level = SkillLevel.from_code(str(code))
    except InvalidValue:
        return str(code)
    return level.name_en if current_language() == "en" else level.name_zh


def occupation_label(code: object, name: str | None = None) -> str:
    """An occupation as 电工（6-31-01-03）, or 电工 (6-31-01-03) in English: ``name`` as
    recorded (a certificate keeps the name it was issued with), else the catalogue's
    (:func:`domain.occupation.find_occupation`); only the code when neither knows it."""
    if name is None:
        known = find_occupation(str(code))
        name = known.name if known is not None else None
    return f"{name}{aside(str(code))}" if name else str(code)


CALENDAR_NAMES = (
    (
        re.compile(r"^(?P<year>\d{4}) arrangement as shipped \((?P<source>.+)\)$"),
        N_("%(year)s 年节假日安排，随软件发布（%(source)s）"),
    ),
    (
        re.compile(r"^(?P<year>\d{4}) arrangement v(?P<version>\d+) \((?P<source>.+)\)$"),
        N_("%(year)s 年节假日安排第 %(version)s 版（%(source)s）"),
    ),
    (
        re.compile(r"^chinesecalendar (?P<version>\S+) \(mainland China working days\)$"),
        N_("chinesecalendar %(version)s（中国大陆工作日）"),
    ),
)


def calendar_name(recorded: str) -> str:
    """The working-day calendars a 公示 window was counted on, as recorded with it
    (:attr:`domain.working_day_calendar.PublicationWindow.calendar_name`, English, stable in
    stored events), in the page's language; a part of another shape is shown as recorded."""
    if current_language() == "en":
        return recorded
    shown = []
    for part in recorded.split("; "):
        for pattern, text in CALENDAR_NAMES:
            found = pattern.match(part)
            if found:
                shown.append(gettext(text, **found.groupdict()))
                break
        else:
            shown.append(part)
    return "；".join(shown)


ALL = {
    "certificate_status": CERTIFICATE_STATUS,
    "organisation_kind": ORGANISATION_KIND,
    "organisation_status": ORGANISATION_STATUS,
    "check_name": CHECK_NAME,
    "check_status": CHECK_STATUS,
    "award": AWARD,
    "tier": TIER,
    "competition_status": COMPETITION_STATUS,
    "entrant_kind": ENTRANT_KIND,
    "stage": STAGE,
    "share_state": SHARE_STATE,
    "employment_relation": EMPLOYMENT_RELATION,
    "route": ROUTE,
    "role": ROLE,
    "account_role": ACCOUNT_ROLE,
    "session_status": SESSION_STATUS,
}
