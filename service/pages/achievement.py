"""``/achievements/{occupation}/{level}``: what a certificate's ``achievement.id`` names.

Machines (``Accept: application/json`` or ``application/ld+json``, or anything that does not
prefer HTML) get the Open Badges 3.0 ``Achievement`` the certificates of that occupation and
level embed, with the credentials' ``@context``; people get a page with the criteria: the
assessment (the components and the pass mark) and the routes to apply by (申报条件) from the
eligibility-route edition in force, in Chinese or English (the routes in the standard's own
Chinese wording). An occupation or level the catalogue does not have is a 404 naming which
(problem+json, or the error page). The JSON is public and cached for an hour; the page, like
every page, is not cached (its header shows who is signed in).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from domain.evaluation.scores import COMPONENT_NAMES_ZH
from service.app_services import ledger
from service.credentials.achievements import (
    COMPONENT_NAMES_EN,
    UnknownAchievement,
    certificate_achievement,
    find_achievement,
    requirements,
)
from service.credentials.credential_document import OB3_CONTEXT, VC2_CONTEXT
from service.pages.blueprints import pages, render, render_error
from service.pages.i18n import current_language, gettext
from service.problems import problem_response

JSON_TYPES = ("application/ld+json", "application/json")
MAX_AGE = 3600


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match([*JSON_TYPES, "text/html"])
    return best in JSON_TYPES


@pages.route("/achievements/<string:occupation_code>/<string:level_code>", methods=["GET"])
def achievement(occupation_code: str, level_code: str) -> Any:
    try:
        occupation, level = find_achievement(occupation_code, level_code)
    except UnknownAchievement as unknown:
        if _wants_json():
            return problem_response(
                404, type_="urn:craftledger:unknown-achievement", detail=str(unknown)
            )
        return render_error(404, gettext("没有这个职业技能等级。"), str(unknown))
    urls = ledger().credentials.credential_urls
    document = certificate_achievement(
        urls.achievement_id(occupation.code, level.code),
        occupation.code,
        occupation.name,
        level.code,
    )
    if _wants_json():
        contexts = [VC2_CONTEXT, OB3_CONTEXT, urls.craftledger_context]
        body = json.dumps({"@context": contexts, **document}, ensure_ascii=False, indent=2)
        best = request.accept_mimetypes.best_match(JSON_TYPES) or "application/ld+json"
        response = Response(body, mimetype=best)
        response.charset = "utf-8"
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    else:
        english = current_language() == "en"
        response = render(
            "pages/achievement.html",
            achievement=document,
            required=requirements(occupation, level, ledger().china_today()),
            component_names=(
                {key: name.capitalize() for key, name in COMPONENT_NAMES_EN.items()}
                if english
                else COMPONENT_NAMES_ZH
            ),
            title=f"{occupation.name} {level.name_en if english else level.name_zh}",
        )
    response.vary.add("Accept")
    return response
