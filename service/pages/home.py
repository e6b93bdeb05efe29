"""``/``: the home page, whose main box is the certificate check (it posts to ``/verify``)."""

from __future__ import annotations

from typing import Any

from service.pages.blueprints import pages, render
from service.pages.i18n import gettext
from service.pages.verify import ID_KINDS, VerifyForm


@pages.route("/", methods=["GET"])
def home() -> Any:
    return render(
        "pages/home.html",
        form=VerifyForm(),
        id_kinds=ID_KINDS,
        title=gettext("职业技能等级证书查询"),
    )
