"""``/console/reports``: the reports (上报) the HR bureau has received from evaluation bodies.

The bureau's inbox: every session a body reported, the latest first, with the body, occupation,
level, the certificates issued, to whom and when it was reported and the body's reference; each
session links to its page and its event history. Read from the ``evaluation_sessions`` read model
(the rows ``GET /api/v1/evaluations/reports`` answers). HR-bureau officials and administrators
see every body's; an auditor reads them too.
"""

from __future__ import annotations

from typing import Any

from flask import request

from domain.person_account import AccountRole
from service.app_services import caught_up, services
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, console, organisation_named
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

READERS = frozenset({AccountRole.HR_OFFICIAL, AccountRole.ADMIN, AccountRole.AUDITOR})
SHOWN = 100


@console.route("/reports", methods=["GET"])
def reports() -> Any:
    person = current_person()
    if person is None or person.account.role not in READERS:
        return render_error(403, gettext("只有人社部门和审计人员查看评价机构的上报。"))
    query = services().evaluation_sessions
    if query is None:
        return render_error(503, gettext("上报列表暂时不可用，请稍后再试。"))
    caught_up("evaluation_sessions")
    found = query.list_reports(after=request.args.get("after") or None, limit=SHOWN)
    bodies = {row["body_id"]: organisation_named(row["body_id"]) for row in found.items}
    return render(
        "pages/console_reports.html",
        title=gettext("上报"),
        reports=found.items,
        bodies={key: (body or {}).get("name", str(key)) for key, body in bodies.items()},
        next_cursor=found.next_cursor,
    )


add_console_link(
    "console.reports",
    N_("收到的上报"),
    READERS,
    N_("评价机构上报的评价批次：发证数量、上报日期和文号。"),
)
