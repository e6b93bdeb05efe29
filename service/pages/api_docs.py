"""``/docs``: the OpenAPI document (``/openapi.json``) browsable with Swagger UI, offline.

Swagger UI's files come from the ``swagger-ui-bundle`` package (installed with craftledger, no
CDN), served here under ``/assets/swagger-ui/``; the page is an ordinary page of this site, so it
has the pages' strict CSP (no inline script: ``static/api-docs.js`` starts Swagger UI), their
security headers, their header and language switch. Swagger UI's own validator badge, which
would send the document to an outside service, is switched off.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

from service.pages.blueprints import pages, render
from service.pages.i18n import gettext

__all__ = ["SWAGGER_UI_FILES"]

#: The only files of the bundle that are served: the stylesheet and the script that holds the
#: whole UI (the standalone preset is the top bar that loads other documents; it is not used).
SWAGGER_UI_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})


@pages.route("/docs", methods=["GET"])
def api_docs() -> Any:
    return render(
        "pages/api_docs.html",
        spec_url=url_for("api-docs.openapi_json"),
        title=gettext("接口文档"),
    )


@pages.route("/assets/swagger-ui/<name>", methods=["GET"])
def swagger_ui_asset(name: str) -> Response:
    if name not in SWAGGER_UI_FILES:
        abort(404)
    return send_from_directory(str(swagger_ui_path), name, max_age=24 * 3600)
