"""``/s/{token}``: a worker's share link, as the person it was shared with sees it.

An unknown token is 404; a revoked or expired link is 410 with the reason. A link with an
extraction code (提取码) first asks for it: ``POST /s/{token}`` (rate-limited per client address,
``SHARE_CODE_RATE_LIMIT``) checks it and remembers in the visitor's session that this link is
unlocked. The page shows the worker's ladder, honours, career stage and points statements, read
only; the link is checked again on every request, so a revocation takes effect at once.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from domain.share_link import ShareLink
from service.pages.blueprints import pages, render, render_error, share_pages
from service.pages.i18n import N_, gettext
from service.pages.web_session import current_session
from service.pages.worker import share_links, statement_download, worker_view
from service.share_links import ShareLinkRefused

REFUSALS = {
    "unknown": (404, N_("没有这个分享链接。")),
    "revoked": (410, N_("此分享链接已被持有人撤销。")),
    "expired": (410, N_("此分享链接已过期。")),
}


def _refused(reason: str) -> Any:
    status, message = REFUSALS.get(reason, REFUSALS["unknown"])
    return render_error(status, gettext(message), title=gettext("分享链接不可用"))


def _open(token: str) -> ShareLink | Any:
    """The link if it may be shown to this visitor; else the page to answer with."""
    links = share_links()
    try:
        link = links.find(token)
        unlocked = current_session().is_unlocked(link.id)
        return links.open(token, code_checked=unlocked)
    except ShareLinkRefused as refused:
        if refused.reason == "code-required":
            return render(
                "pages/share_code.html", token=token, error=None, title=gettext("请输入提取码")
            )
        return _refused(refused.reason)


@pages.route("/s/<string:token>", methods=["GET"])
def share_view(token: str) -> Any:
    opened = _open(token)
    if not isinstance(opened, ShareLink):
        return opened
    return render(
        "pages/worker.html",
        view=worker_view(opened.worker_id),
        links=[],
        shared=True,
        token=token,
        expires_at=opened.expires_at,
        made=None,
        share_errors={},
        title=gettext("技能档案（分享）"),
    )


@share_pages.route("/s/<string:token>", methods=["POST"])
def share_unlock(token: str) -> Any:
    code = request.form.get("code", "")
    links = share_links()
    try:
        link = links.open(token, code)
    except ShareLinkRefused as refused:
        if refused.reason in ("code-required", "code-wrong"):
            message = (
                gettext("请输入提取码。")
                if refused.reason == "code-required"
                else gettext("提取码不正确，请核对后重新输入。")
            )
            return render(
                "pages/share_code.html",
                status=403,
                token=token,
                error=message,
                title=gettext("请输入提取码"),
            )
        return _refused(refused.reason)
    current_session().unlock(link.id)
    return redirect(url_for("pages.share_view", token=token), code=303)


@pages.route("/s/<string:token>/points/<string:policy_id>.json", methods=["GET"])
def share_points(token: str, policy_id: str) -> Any:
    opened = _open(token)
    if not isinstance(opened, ShareLink):
        return opened
    return statement_download(opened.worker_id, policy_id)
