"""When the pages' cookies are ``Secure``: the one rule both cookies (the pages' own and the
person's session) follow."""

from __future__ import annotations

from flask import current_app, request

__all__ = ["cookie_secure"]

LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


def cookie_secure() -> bool:
    """Whether this answer's cookies carry ``Secure`` (see ``web_session``'s docstring)."""
    forced = current_app.config.get("PAGES_COOKIE_SECURE")
    if forced is not None:
        return bool(forced)
    base_url = current_app.extensions["craftledger"].ledger.settings.base_url
    if base_url and base_url.startswith("https://"):  # served over https behind a proxy
        return True
    host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else "[::1]"
    return request.is_secure or host not in LOOPBACK
