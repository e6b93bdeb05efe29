"""``/``: the home page, whose main box is the certificate check (it posts to ``/verify``),
with the list of current 公示 (``/gongshi``).

In demo mode (``craftledger serve --demo``) it also shows the demo's access sheet: fictitious
people to look up and a token for each role (:mod:`service.demo.access`). A real deployment
is never in demo mode and has no sheet, so it shows nothing of the kind.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from service.demo.access import DEMO_PASSWORD, read_access
from service.pages.blueprints import pages, render
from service.pages.gongshi import current_notices
from service.pages.i18n import gettext
from service.pages.verify import ID_KINDS, VerifyForm


def demo_sheet() -> dict[str, Any] | None:
    settings = current_app.extensions["craftledger"].ledger.settings
    return read_access(settings.data_dir) if settings.demo else None


@pages.route("/", methods=["GET"])
def home() -> Any:
    return render(
        "pages/home.html",
        form=VerifyForm(),
        id_kinds=ID_KINDS,
        demo=demo_sheet(),
        notices=current_notices(),
        demo_password=DEMO_PASSWORD,
        title=gettext("职业技能等级证书查询"),
    )
