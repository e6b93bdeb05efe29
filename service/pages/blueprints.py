"""The pages' blueprints and what every page request shares.

Blueprints, so that rate limits can be set per blueprint (flask-limiter limits a blueprint as
a whole): ``pages`` (everything, with the templates and static files), ``pages_verify``
(``POST /verify``, limited like the API's check), ``pages_share`` (opening a share link with
its extraction code, limited against guessing), ``pages_signin`` (a person's sign-in, limited
against guessing) and ``console`` (``service.pages.console``); :func:`page_blueprint` makes one
more with everything below.

Every page request: the language is chosen, the pages' cookie is read and the signed-in person
or token resolved (``g.principal``, so the API's access helpers see the same caller), a POST's
CSRF token checked (all but the public ``POST /verify``), and the answer gets
security headers (a strict CSP with no inline script, ``Referrer-Policy: no-referrer`` so a
share link's token never leaves in a Referer, ``no-store`` for anything personal). Errors are
pages in the visitor's language (JSON endpoints keep problem+json), every one drawn by
:func:`render_error`: what went wrong, the status code, and what to do about it. A browser that
asks for an address no route has (a mistyped URL: 404; a form's address opened as a link: 405)
gets such a page too (:func:`handle_outside_pages`); API clients keep problem+json.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import mask_id_numbers
from service.credentials.credential_document import masked_name
from service.ledger import ConcurrencyConflict, NotFound
from service.log_masking import masked_url
from service.pages import labels
from service.pages.cookies import cookie_secure
from service.pages.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    N_,
    choose_language,
    current_language,
    gettext,
)
from service.pages.moments import moment
from service.pages.people import check_csrf, csrf_token, current_person
from service.pages.web_session import (
    load_session,
    page_principal,
    role_label,
    save_session,
)
from service.problems import Problem, handle_http_exception, problem_response

__all__ = [
    "ALL_BLUEPRINTS",
    "handle_outside_pages",
    "page_blueprint",
    "pages",
    "render",
    "render_error",
    "share_pages",
    "verify_pages",
]

log = logging.getLogger(__name__)

pages = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets/pages",
)
verify_pages = Blueprint("pages_verify", __name__)
share_pages = Blueprint("pages_share", __name__)
signin_pages = Blueprint("pages_signin", __name__)
NO_CSRF = {"pages_verify"}  # the public certificate check changes nothing

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def begin() -> None:
    g.language = choose_language()
    load_session()
    g.principal = page_principal()
    routed = request.url_rule is not None
    if request.method == "POST" and routed and request.blueprint not in NO_CSRF:
        check_csrf()


def finish(response: Response) -> Response:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            asked,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=cookie_secure(),
        )
    save_session(response)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/assets/"):
        headers.setdefault("Cache-Control", "no-store")
    response.vary.add("Cookie")
    return response


def _wants_json() -> bool:
    return request.path.endswith(".json") and not request.path.endswith("/credential.json")


def render_error(
    status: int, message: str, detail: str | None = None, *, title: str | None = None
) -> Response:
    """The error page (problem+json for a ``.json`` address): ``message`` as its heading, the
    status code, ``detail`` when there is one, and the status's hint of what to do next."""
    if _wants_json():
        return problem_response(status, detail=detail or message)
    hint = HINTS.get(status)
    body = render_template(
        "pages/error.html",
        **context(),  # the blueprints' context processor does not run for an unrouted address
        status=status,
        message=message,
        detail=detail,
        hint=gettext(hint) if hint else None,
        title=title or message,
    )
    return Response(body, status=status, mimetype="text/html")


MESSAGES = {
    400: N_("请求无效，请返回后重试。"),
    401: N_("请先登录。"),
    403: N_("您没有查看此页面的权限。"),
    404: N_("没有找到您要的页面或记录。"),
    405: N_("此网址不能这样打开。"),
    410: N_("此链接已失效。"),
    413: N_("上传的文件太大。"),
    429: N_("查询过于频繁，请稍后再试。"),
    503: N_("服务暂时不可用，请稍后再试。"),
}
HINTS = {
    403: N_("如果您有相应的令牌，请登录后再打开此页面。"),
    404: N_("请检查网址是否输错或缺了一部分。证书可以在首页按证书编号查询。"),
    405: N_(
        "这个地址只接受页面上的表单提交（例如“查询”“退出”按钮），不能直接打开或刷新。"
        "请返回上一页，用页面上的按钮重新操作。"
    ),
    410: N_("请向把链接发给您的人索取新的链接。"),
}


def handle_http(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 400 and error.description == "csrf":
        return render_error(400, gettext("表单已过期，请刷新页面后重新提交。"))
    message = MESSAGES.get(status, N_("出错了，请稍后再试。"))
    response = render_error(status, gettext(message))
    for name, value in error.get_headers():
        if name in ("Retry-After", "Allow"):
            response.headers[name] = value
    return response


def handle_problem(error: Problem) -> Response:
    if _wants_json():
        return error.response()
    message = MESSAGES.get(error.status, N_("出错了，请稍后再试。"))
    response = render_error(error.status, gettext(message), error.detail)
    for name, value in error.headers.items():
        if name == "Retry-After":
            response.headers[name] = value
    return response


def handle_not_found(error: NotFound) -> Response:
    return render_error(404, gettext(MESSAGES[404]))


def handle_rule(error: DomainRuleViolation) -> Response:
    return render_error(422, gettext("操作未完成：不符合业务规则。"), error.rule)


def handle_invalid(error: InvalidValue) -> Response:
    return render_error(422, gettext("输入有误。"), error.field)


def handle_conflict(error: ConcurrencyConflict) -> Response:
    response = render_error(409, gettext("记录正被同时修改，请稍后重试。"))
    response.headers["Retry-After"] = "1"
    return response


def handle_outside_pages(error: HTTPException) -> Response:
    """The app's handler of HTTP errors that no blueprint handled.

    When routing fails (no route has the address: 404; the route takes another method: 405)
    and the visitor is a browser asking for a page (it prefers HTML, and the address is not
    under ``/api/`` or a ``.json``), the answer is the error page in the visitor's language with
    the pages' headers; every other error keeps the API's problem+json
    (:func:`service.problems.handle_http_exception`)."""
    if request.url_rule is None and _browser_wants_page():
        begin()
        return finish(handle_http(error))
    return handle_http_exception(error)


def _browser_wants_page() -> bool:
    if request.path.startswith("/api/") or _wants_json():
        return False
    offered = ["application/json", "application/problem+json", "text/html"]
    return request.accept_mimetypes.best_match(offered) == "text/html"


def handle_unexpected(error: Exception) -> Response:
    log.exception("unexpected error on page %s %s", request.method, masked_url(request.path))
    return render_error(500, gettext("出错了，请稍后再试。"))


def context() -> dict[str, Any]:
    principal = g.get("principal")
    language = current_language()
    return {
        "lang": language,
        "html_lang": LANGUAGES[language],
        "other_lang": "en" if language == "zh" else "zh",
        "switch_url": switch_url("en" if language == "zh" else "zh"),
        "principal": principal,
        "person": current_person(),
        "role": role_label(principal) if principal is not None else "public",
        "csrf_token": csrf_token,
        "label": labels.label,
        "calendar_name": labels.calendar_name,
        "labels": labels.ALL,
        "level_name": labels.level_name,
        "occupation_label": labels.occupation_label,
        "masked_name": masked_name,
        "moment": moment,
    }


def switch_url(language: str) -> str:
    """This page's URL in ``language`` (other query parameters kept), ID numbers in its path
    or parameters masked: the link is printed on the page (a 404 for ``/c/<an ID number>``
    too)."""
    kept = [
        (key, mask_id_numbers(value))
        for key, value in request.args.items(multi=True)
        if key != "lang"
    ]
    return mask_id_numbers(request.path) + "?" + urlencode([*kept, ("lang", language)])


def render(template: str, status: int = 200, **values: Any) -> Response:
    return Response(render_template(template, **values), status=status, mimetype="text/html")


def as_page_blueprint(blueprint: Blueprint) -> Blueprint:
    """Give ``blueprint`` what every page shares (language, sign-in, CSRF, headers, errors)."""
    blueprint.before_request(begin)
    blueprint.after_request(finish)
    blueprint.context_processor(context)
    blueprint.register_error_handler(HTTPException, handle_http)
    blueprint.register_error_handler(Problem, handle_problem)
    blueprint.register_error_handler(NotFound, handle_not_found)
    blueprint.register_error_handler(DomainRuleViolation, handle_rule)
    blueprint.register_error_handler(InvalidValue, handle_invalid)
    blueprint.register_error_handler(ConcurrencyConflict, handle_conflict)
    blueprint.register_error_handler(Exception, handle_unexpected)
    ALL_BLUEPRINTS.append(blueprint)
    return blueprint


def page_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A new blueprint of pages (``register_pages`` registers every one made before it runs;
    the templates are the ``pages`` blueprint's)."""
    return as_page_blueprint(Blueprint(name, import_name, **options))


ALL_BLUEPRINTS: list[Blueprint] = []
for _blueprint in (pages, verify_pages, share_pages, signin_pages):
    as_page_blueprint(_blueprint)
