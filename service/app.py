"""The Flask application factory: the HTTP API over one ``Ledger``.

``create_app(config, ledger=None)`` builds the app: one ``Ledger`` per process shared by the
threads (made from ``Settings.from_env()`` unless given), problem+json errors, strict JSON
bodies, bearer-token auth, ``Idempotency-Key`` on every POST, rate-limited public verification,
lists from the projections' directory with read-your-writes, and the OpenAPI document at
``/openapi.json`` (browsable at ``/docs``, a page of ``service.pages.api_docs``: flask-smorest's
own Swagger UI page, which loads its scripts from a CDN, is not registered). Every answer says
``X-Content-Type-Options: nosniff``, and none that sets a cookie is publicly cacheable
(:func:`common_headers`).

Config keys (besides Flask's):

=========================  =====================================================  ===========
``SETTINGS``               a ``service.config.Settings`` (else from the environment)
``MAX_CONTENT_LENGTH``     largest request body, bytes                            1 MiB
``VERIFY_RATE_LIMIT``      limit of ``POST /api/v1/verify`` per client address    30/minute
``RATELIMIT_ENABLED``      rate limiting on or off                                 on
``READ_WAIT_SECONDS``      longest wait for ``X-Wait-For-Position``               5
``RUN_PROJECTIONS``        keep the read models up to date in a background thread  on
``TRUSTED_PROXIES``        reverse proxies in front (for the client address)       0
=========================  =====================================================  ===========

``RATE_LIMIT_EXEMPT_TOKENS`` (default: the settings', ``CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS``)
names API token ids whose ``POST /api/v1/verify`` calls the per-address limit does not count.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from projections import all_projections
from projections.directory import DirectoryQuery
from projections.evaluation_sessions import EvaluationSessionsQuery
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.api import (
    audit,
    calendars,
    certificate_pdfs,
    certificates,
    competitions,
    credentials,
    eligibility,
    evaluations,
    health,
    honour_ladders,
    jobs,
    keys,
    ladders,
    objections,
    occupations,
    organisations,
    points,
    posts,
    statistics,
    statistics_report,
    tokens,
    verify,
    workers,
)
from service.api.auth import exempt_from_rate_limit, install_authentication
from service.api.idempotency import AnswerSeal, install_idempotency, store_for
from service.api.openapi import CraftledgerApi
from service.api.problems import install_request_body_reader
from service.app_services import Services
from service.audit import Audit, HeadPolicy
from service.config import Settings
from service.ledger import Ledger
from service.pages import register_pages
from service.read_replica import install_read_replica

__all__ = ["create_app"]

log = logging.getLogger(__name__)

API_DESCRIPTION = """\
craftledger: an event-sourced ledger of skill-grade certificates (职业技能等级证书),
self-evaluations, competitions and honours for China's industrial-worker reform (产改).

* **Errors** are RFC 9457 `application/problem+json`; domain rule violations answer 422 with
  `type` `urn:craftledger:rule:<rule>` and the rule in `rule`; validation problems list
  per-field `errors` with JSON pointers.
* **Auth**: `Authorization: Bearer TOKEN` (tokens from `craftledger token create`). Each
  operation lists which roles may call it under *Access* and in `x-access`.
* **Commands** are `POST`s; every one answers `X-Log-Position` and accepts `Idempotency-Key`.
* **Lists** are cursor-paginated (`?cursor=`, `?limit=`) and can wait for a log position
  (`X-Wait-For-Position` or `?wait_for=`) to read your own writes.
* ID numbers travel only in request bodies and are masked in every answer.
"""

DEFAULTS: dict[str, Any] = {
    "API_TITLE": "craftledger",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": API_DESCRIPTION,
            "license": {"name": "Apache-2.0"},
        },
    },
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "VERIFY_RATE_LIMIT": "30 per minute",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "READ_WAIT_SECONDS": 5.0,
    "RUN_PROJECTIONS": True,
    "TRUSTED_PROXIES": 0,
}

BLUEPRINTS = (
    health,
    organisations,
    keys,
    workers,
    certificates,
    certificate_pdfs,
    verify,
    evaluations,
    posts,
    jobs,
    competitions,
    honour_ladders,
    tokens,
    credentials,
    audit,
    ladders,
    points,
    statistics,
    statistics_report,
    calendars,
    objections,
    eligibility,
    occupations,
)


def create_app(config: dict[str, Any] | None = None, *, ledger: Ledger | None = None) -> Flask:
    """Build the HTTP API app; see the module docstring for ``config``."""
    app = Flask("craftledger")
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    owns_ledger = ledger is None
    if ledger is None:
        ledger = Ledger(app.config.get("SETTINGS") or Settings.from_env())
    settings = ledger.settings
    shared = Services(
        ledger=ledger,
        idempotency=store_for(ledger, settings.data_dir),
        idempotency_seal=AnswerSeal(settings.identity_key()),
        owns_ledger=owns_ledger,
    )
    _attach_read_models(app, shared, settings)
    app.extensions["craftledger"] = shared

    # Order matters: rate limit, then who is calling (and may they), then body, then idempotency.
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        default_limits=[],
    )
    shared.limiter = limiter
    if settings.read_replica:
        install_read_replica(app)
    install_authentication(app)
    install_request_body_reader(app)
    install_idempotency(app)

    api = CraftledgerApi(app)
    for module in BLUEPRINTS:
        api.register_blueprint(module.blp)
    app.config.setdefault("RATE_LIMIT_EXEMPT_TOKENS", settings.rate_limit_exempt_tokens)
    limiter.limit(lambda: str(app.config["VERIFY_RATE_LIMIT"]), exempt_when=exempt_from_rate_limit)(
        verify.blp
    )
    register_pages(app, limiter)
    app.after_request(common_headers)
    return app


def common_headers(response: Response) -> Response:
    """Headers every answer gets (API, pages, assets, docs), after the blueprints' own:
    ``X-Content-Type-Options: nosniff``; and an answer that sets a cookie is never publicly
    cacheable (a shared cache would hand one visitor's cookie to the next), so its
    ``Cache-Control`` becomes ``private, no-cache``."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if "Set-Cookie" in response.headers:
        cache = response.cache_control
        if not (cache.no_store or cache.private):
            response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Cookie")
    return response


def _attach_read_models(app: Flask, shared: Services, settings: Settings) -> None:
    """The read models (directory for the lists) and the runner that keeps them current."""
    store = ProjectionStore.from_settings(settings)
    shared.directory = DirectoryQuery(store)
    shared.evaluation_sessions = EvaluationSessionsQuery(store)
    shared.runner = ProjectionRunner(shared.ledger, store, all_projections())
    shared.projection_store = store
    # The read models' tables exist before the first request, whether or not this process
    # keeps them current (a list answered before the runner thread's first pass is a 500).
    shared.runner.ensure_ready()
    # The audit service: its head table is made here; heads (and the ledger's key, with the
    # first) are signed by the runner's listener after each pass, never by a request.
    shared.audit = Audit(
        shared.ledger,
        store,
        policy=HeadPolicy(
            every_seconds=float(app.config.get("AUDIT_HEAD_INTERVAL_SECONDS", 60.0)),
            every_events=int(app.config.get("AUDIT_HEAD_EVERY_EVENTS", 1000)),
        ),
    )
    shared.audit.ensure_ready()
    shared.runner.listeners.append(shared.audit.publish_due)
    if app.config["RUN_PROJECTIONS"] and not settings.read_replica:
        shared.runner.start()  # a replica's read models arrive by replication
        # Catch up right after each save rather than at the next poll (live boards follow it).
        shared.ledger.saved_listeners.append(shared.runner.wake)
