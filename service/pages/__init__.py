"""Server-rendered pages: verify a certificate, see a certificate, a worker's ladder, a
competition, the statistics and the audit trail, in Chinese with an English switch.

=====================================  ===========================================================
``/`` and ``/verify``                   the national-query-style check (number + name + ID number,
                                        POSTed, rate-limited)
``/c/{number}``                         the public certificate: QR code, signed credential, print
                                        view, verification of an uploaded credential file
``/signin``, ``/signout``               a person's login, password and TOTP code (flask-login);
                                        ``/signin/token``: a machine's token, kept as its hash
``/invitation/{account}/{token}``       an invited person chooses a password
``/console``                            a signed-in person's console (``service.pages.console``):
                                        the issuer officer's dashboard, ``/console/people``
                                        (administrators invite and deactivate people),
                                        ``/console/sessions/...`` an evaluation session: plan,
                                        overview and actions, confirm job, downloads, history;
                                        the HR bureau's ``/console/bodies`` (filings, 备案),
                                        ``/console/approvals`` (核准) and ``/console/keys``,
                                        ``/console/statistics`` (统计报表, Excel export)
``/judge``, ``/judge/{id}/{component}``  a judge marks on their phone (``service.pages.judge``):
                                        one entrant at a time or a table, saved as they go
``/me``                                 the signed-in worker: ladder, honours, career stage,
                                        points statements, share links
``/s/{token}``                          a worker's share link (expiry, optional 提取码, revocable)
``/competitions``, ``/competitions/{id}``  leaderboards (live for organisers, public once final);
                                        ``…/events`` their changes as Server-Sent Events,
                                        ``…/screen`` the venue's big screen
``/competitions/{id}/results[.xlsx]``   the final results to print or as Excel; awards as PDF
``/statistics``                         SVG charts, as of a date
``/gongshi``, ``/gongshi/{session}``    the public 公示 of self-evaluation results (masked), and
                                        objections to them (rate-limited)
``/audit``                              auditors: histories, the tree head, a proof checker
``/docs``                               the OpenAPI document in Swagger UI, served from the
                                        ``swagger-ui-bundle`` package (works offline)
=====================================  ===========================================================

:func:`register_pages` wires them into an app (``service.app.create_app`` calls it).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

__all__ = ["register_pages"]

DEFAULTS = {
    "SHARE_CODE_RATE_LIMIT": "10 per minute",
    "PAGES_SESSION_HOURS": 8,
    "PAGES_COOKIE_SECURE": None,
    "LIVE_HEARTBEAT_SECONDS": 15,
    "LIVE_STREAM_SECONDS": 300,
    "LIVE_RETRY_MS": 2000,
    "LIVE_POLL_SECONDS": 0.5,
    "LIVE_MAX_STREAMS": None,
    "SIGNIN_RATE_LIMIT": "20 per minute",
    "OBJECTION_RATE_LIMIT": "5 per hour",
}


def register_pages(app: Flask, limiter: Any) -> None:
    """Register the pages' blueprints on ``app``, with their rate limits on ``limiter``."""
    from werkzeug.exceptions import HTTPException

    from service.pages import (  # noqa: F401 - the modules register their routes
        achievement,
        api_docs,
        audit,
        certificate,
        certificate_pdf,
        competition,
        competition_live,
        competition_results,
        console,
        console_approvals,
        console_bodies,
        console_candidates,
        console_competition_announce,
        console_competition_entrants,
        console_competition_judges,
        console_competition_locks,
        console_competition_promotions,
        console_competition_review,
        console_competitions,
        console_honours,
        console_keys,
        console_objections,
        console_people,
        console_reports,
        console_scores,
        console_session_plan,
        console_sessions,
        console_staff,
        console_statistics,
        console_talents,
        favicon,
        gongshi,
        home,
        invitation,
        judge,
        share,
        signin,
        statistics,
        verify,
        worker,
    )
    from service.pages.blueprints import (
        ALL_BLUEPRINTS,
        handle_outside_pages,
        share_pages,
        signin_pages,
        verify_pages,
    )
    from service.pages.i18n import install_i18n
    from service.pages.people import install_people

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    install_i18n(app)
    install_people(app)
    # Replaces the API's app-wide handler (installed before, by CraftledgerApi), which it calls
    # for everything but a browser's request for an address no route has.
    app.register_error_handler(HTTPException, handle_outside_pages)
    limiter.limit(lambda: str(app.config["VERIFY_RATE_LIMIT"]), methods=["POST"])(verify_pages)
    limiter.limit(lambda: str(app.config["SHARE_CODE_RATE_LIMIT"]), methods=["POST"])(share_pages)
    limiter.limit(lambda: str(app.config["SIGNIN_RATE_LIMIT"]), methods=["POST"])(signin_pages)
    limiter.limit(lambda: str(app.config["OBJECTION_RATE_LIMIT"]), methods=["POST"])(
        gongshi.objection_pages
    )
    for blueprint in ALL_BLUEPRINTS:
        app.register_blueprint(blueprint)
