"""``/console/talents``: the talent database (人才库) for the HR bureau and the union.

Everyone with a standing honour title, a competition medal or 优胜奖, a valid 技师 (二级) or higher
certificate, or a standing post (特级技师, 首席技师), from the ``talents`` read model (the rows
``GET /api/v1/talents?view=people`` answers): a filter form (GET), the people with what qualifies
them, their count, pages, and ``/console/talents.xlsx``, the Excel workbook of the same filters.
Names are shown in full to these roles; ID numbers are masked (the read model keeps nothing
else). The district is the region code the ID number begins with (``projections.talents``).
"""

from __future__ import annotations

from typing import Any

from flask import request

from domain.occupation import KNOWN_OCCUPATIONS
from domain.person_account import AccountRole
from projections.pagination import InvalidCursor
from projections.talents import KINDS, LEVEL_FILTERS, Talents, TalentsQuery
from service.app_services import ledger
from service.attachments import XLSX, attachment
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, console
from service.pages.i18n import N_, gettext
from service.pages.people import current_person
from service.read_models import read_models
from service.talents import talent_rows, talent_workbook

PAGE_SIZE = 50
READERS = frozenset(
    {AccountRole.HR_OFFICIAL, AccountRole.UNION_OFFICIAL, AccountRole.ADMIN, AccountRole.AUDITOR}
)
KIND_LABELS = {
    "title": N_("荣誉称号"),
    "medal": N_("竞赛奖牌或优胜奖"),
    "certificate": N_("技师及以上证书"),
    "post": N_("岗位聘任"),
}
ROW_KINDS = {
    "title": N_("称号"),
    "medal": N_("获奖"),
    "certificate": N_("等级证书"),
    "post": N_("聘任"),
}
"""The same kinds, short, beside each qualification in the table."""
FILTERS = ("kind", "occupation", "level", "honour", "district", "employer_id", "year", "q")


def _may_read() -> bool:
    person = current_person()
    return person is not None and person.account.role in READERS


def parse_filters(args: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The form's values (as given), ``TalentsQuery.search``'s filters from the valid ones,
    and an error per invalid field. ``honour`` is a ladder id or ``<ladder id>:<tier>``."""
    form = {name: args.get(name, "").strip() for name in FILTERS}
    filters: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if form["kind"] in KINDS:
        filters["kind"] = form["kind"]
    if form["level"] in LEVEL_FILTERS:
        filters["level"] = form["level"]
    if form["occupation"]:
        filters["occupation"] = form["occupation"]
    if form["honour"]:
        ladder, _, tier = form["honour"].partition(":")
        filters["ladder_id"] = ladder
        if tier:
            filters["tier"] = tier
    if form["employer_id"]:
        filters["employer_id"] = form["employer_id"]
    if form["district"]:
        if form["district"].isdigit() and 2 <= len(form["district"]) <= 6:
            filters["district"] = form["district"]
        else:
            errors["district"] = gettext(
                "地区代码是 2 到 6 位数字，例如 110105（朝阳区）或 11（北京）。"
            )
    if form["year"]:
        if form["year"].isdigit() and 1949 <= int(form["year"]) <= 2100:
            filters["year"] = int(form["year"])
        else:
            errors["year"] = gettext("年份是 1949 到 2100 之间的四位数字。")
    if form["q"]:
        filters["name"] = form["q"][:50]
    return form, filters, errors


@console.route("/talents", methods=["GET"])
def talents() -> Any:
    if not _may_read():
        return render_error(403, gettext("人才库供人社部门、工会、平台管理员和审计人员查看。"))
    form, filters, errors = parse_filters(request.args)
    cursor = request.args.get("cursor") or None
    with read_models(lambda: [Talents()], None, ledger().log_position) as view:
        query = TalentsQuery(view.store)
        try:
            page = query.search(after=cursor, limit=PAGE_SIZE, **filters)
        except InvalidCursor:
            page = query.search(limit=PAGE_SIZE, **filters)
            cursor = None
        except ValueError:  # an id that is not one (only a hand-made URL)
            return render_error(400, gettext("筛选条件无效。"))
        ladders, employers = query.ladders(), query.employers()
    export_args = {name: value for name, value in form.items() if value and name not in errors}
    return render(
        "pages/console_talents.html",
        status=422 if errors else 200,
        title=gettext("人才库"),
        people=page.items,
        total=page.extra["total"],
        next_cursor=page.next_cursor,
        paged=cursor is not None,
        form=form,
        errors=errors,
        page_args={name: value for name, value in form.items() if value},
        export_args=export_args,
        kinds=KIND_LABELS,
        row_kinds=ROW_KINDS,
        levels=LEVEL_FILTERS,
        occupations=KNOWN_OCCUPATIONS,
        ladders=ladders,
        employers=employers,
    )


@console.route("/talents.xlsx", methods=["GET"])
def talents_export() -> Any:
    if not _may_read():
        return render_error(403, gettext("人才库供人社部门、工会、平台管理员和审计人员查看。"))
    _, filters, errors = parse_filters(request.args)
    if errors:
        return render_error(422, gettext("筛选条件无效。"))
    with read_models(lambda: [Talents()], None, ledger().log_position) as view:
        try:
            rows = list(talent_rows(TalentsQuery(view.store), filters))
        except ValueError:
            return render_error(400, gettext("筛选条件无效。"))
    return attachment(talent_workbook(iter(rows)), XLSX, "talents.xlsx")


add_console_link(
    "console.talents",
    N_("人才库"),
    READERS,
    N_("获得荣誉、竞赛奖项、技师及以上证书或岗位聘任的人员：筛选并导出 Excel。"),
)
