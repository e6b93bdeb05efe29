"""Bearer-token authentication and role-based access.

A request without ``Authorization`` is the public; ``Authorization: Bearer TOKEN`` is resolved
with :meth:`Ledger.lookup_token` (tokens are stored only as hashes). A malformed header, an
unknown, a revoked or an expired token is answered 401 (``invalid-token``, or ``token-expired``
naming the moment) even on public endpoints, so a client never silently falls back to public
access. Each accepted token's last use is noted in a side table (``service.tokens.usage``, at
most once a minute per token), never as an event: a read does not write to the log.

Roles (``domain.api_token.Role``):

========== ===================================================================================
admin      HR bureau / platform admin: every command, every record
issuer     bound to one evaluation body: acts only for that organisation and its own staff
organiser  bound to one union: competitions and honour ladders of that union
auditor    reads everything, writes nothing
worker     bound to one worker: sees only themself
public     no token: public, masked summaries only
========== ===================================================================================

:func:`access` declares which roles may call an operation (and documents it in OpenAPI);
the resource-bound checks (own organisation, own staff, self) are made by the views with
:func:`require_organisation` and friends, once they have loaded the resource.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from flask import Flask, current_app, g, request

from domain.api_token import Role
from service.api.openapi import BEARER_SCHEME
from service.api.problems import Problem, validation_problem
from service.principal import PUBLIC, PUBLIC_PRINCIPAL, Principal, current_principal
from service.tokens import TokenState
from service.tokens.usage import TokenUsage, usage_for

__all__ = [
    "PUBLIC",
    "Principal",
    "access",
    "current_principal",
    "install_authentication",
    "require_organisation",
]

_BEARER = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]+=*) *", re.IGNORECASE)
_CHALLENGE = 'Bearer realm="craftledger"'


def authenticate() -> None:
    """``before_request``: resolve the bearer token (401 for a bad one), then apply the
    operation's :func:`access` roles -- before the body is read or an idempotency key claimed,
    so a caller without the right token learns nothing about its request."""
    g.principal = g.pop("resolved_principal", None) or resolve_principal()
    if request.method == "OPTIONS":  # Flask answers it itself (Allow), whatever the roles
        return
    view = current_app.view_functions.get(request.endpoint or "")
    rules = getattr(view, "access_rules", None)
    if rules is not None:
        check_role(rules)


def resolve_principal() -> Principal:
    header = request.headers.get("Authorization")
    if header is None or not request.path.startswith("/api/"):
        return PUBLIC_PRINCIPAL
    match = _BEARER.fullmatch(header)
    if match is None or len(match.group(1)) > 512:
        raise Problem(
            401,
            "invalid-token",
            "the Authorization header must be 'Bearer <token>'",
            headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_request"'},
        )
    grant, state = current_app.extensions["craftledger"].ledger.tokens.lookup_token(match.group(1))
    if state is TokenState.EXPIRED and grant is not None and grant.expires_at is not None:
        raise Problem(
            401,
            "token-expired",
            f"the token expired at {grant.expires_at.isoformat()}; ask for a new one",
            headers={
                "WWW-Authenticate": _CHALLENGE
                + ', error="invalid_token", error_description="the token expired"'
            },
            expired_at=grant.expires_at.isoformat(),
        )
    if grant is None or state is not TokenState.ACTIVE:
        raise Problem(
            401,
            "invalid-token",
            "the token is unknown or revoked",
            headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_token"'},
        )
    token_usage().touch(grant.id)
    return Principal(
        role=grant.role,
        token_id=grant.id,
        organisation_id=grant.organisation_id,
        worker_id=grant.worker_id,
    )


def exempt_from_rate_limit() -> bool:
    """Whether this request carries one of the API tokens the app exempts from the verify rate
    limit (``RATE_LIMIT_EXEMPT_TOKENS``, from ``CRAFTLEDGER_RATE_LIMIT_EXEMPT_TOKENS``), still
    active. Runs before authentication (the limiter comes first), so it resolves the token
    itself, and only when some token is exempt, leaving the principal for
    :func:`authenticate`; a bad token is not exempt (authentication answers it 401 next)."""
    exempt = current_app.config.get("RATE_LIMIT_EXEMPT_TOKENS")
    if not exempt or "Authorization" not in request.headers:
        return False
    try:
        principal = resolve_principal()
    except Problem:
        return False
    g.resolved_principal = principal
    return principal.token_id in exempt


ANYONE = {
    role: "anyone" for role in ("public", "admin", "auditor", "issuer", "organiser", "worker")
}
"""Access rules of a public operation every role may call alike (``@access(**ANYONE)``)."""


def check_role(rules: Mapping[str, str]) -> None:
    """401 for the public, 403 for a role that ``rules`` do not name."""
    principal = current_principal()
    if principal.role_name not in rules:
        if principal.is_public:
            raise authentication_required()
        raise forbidden(f"a {principal.role_name} token may not do this")


def install_authentication(app: Flask) -> None:
    """Resolve every request's token; needs ``app.extensions["craftledger"]`` (the ledger)."""
    app.extensions["craftledger_token_usage"] = usage_for(app.extensions["craftledger"].ledger)
    app.before_request(authenticate)


def token_usage() -> TokenUsage:
    """Where the app notes when each token was last used."""
    return current_app.extensions["craftledger_token_usage"]  # type: ignore[no-any-return]


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", detail)


def authentication_required() -> Problem:
    return Problem(
        401,
        "authentication-required",
        "this operation needs a bearer token",
        headers={"WWW-Authenticate": _CHALLENGE},
    )


def access(**rules: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the named roles (``public``, ``admin``, ``issuer``…) with a documented condition.

    ``@access(admin="any organisation", issuer="its own organisation")`` lets admins and
    issuers in (the view checks the condition), answers 401 to the public and 403 to the other
    roles, and writes the rules into the operation's OpenAPI description, ``security`` and
    ``x-access`` extension.
    """
    unknown = set(rules) - {PUBLIC, *(role.value for role in Role)}
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    public = PUBLIC in rules

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_role(rules)  # already checked before the request; kept for direct calls
            return func(*args, **kwargs)

        wrapper.access_rules = dict(rules)  # type: ignore[attr-defined]

        lines = [f"- **{role}**: {condition}" for role, condition in rules.items()]
        wrapper.__doc__ = (func.__doc__ or "").rstrip() + "\n\nAccess:\n\n" + "\n".join(lines)
        apidoc = dict(getattr(wrapper, "_apidoc", {}))
        manual = dict(apidoc.get("manual_doc", {}))
        manual["security"] = ([{}] if public else []) + [{BEARER_SCHEME: []}]
        manual["x-access"] = dict(rules)
        apidoc["manual_doc"] = manual
        responses = apidoc.setdefault("response", {}).setdefault("responses", {})
        responses.setdefault(401, []).append("UNAUTHORIZED")
        # Resource-bound checks (own organisation, self, full disclosure) may refuse any
        # caller that is let in, the public included.
        responses.setdefault(403, []).append("FORBIDDEN")
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapper

    return decorator


def require_organisation(organisation_id: UUID | None, what: str = "organisation") -> None:
    """Admins act for any organisation; issuers and organisers only for their own."""
    principal = current_principal()
    if principal.is_(Role.ADMIN) or principal.acts_for(organisation_id):
        return
    raise forbidden(f"a {principal.role_name} token acts only for its own {what}")


def acting_organisation(
    requested: UUID | None, pointer: str, role: Role, what: str = "organisation"
) -> UUID:
    """The organisation a command creates something for: ``requested``, or the caller's own
    when a ``role`` token (issuer or organiser) leaves it out -- an admin must name it (422 at
    ``pointer``); then :func:`require_organisation`."""
    principal = current_principal()
    if requested is None:
        if not principal.is_(role):
            raise validation_problem(
                [{"location": "json", "pointer": pointer, "detail": "required for admins"}]
            )
        requested = principal.organisation_id
    require_organisation(requested, what)  # refuses a missing organisation to all but admins
    assert requested is not None  # and an admin had to name one
    return requested


def own_scope(requested: Any, role: Role, own: Any, refusal: str) -> Any:
    """The value of a list's owner filter (issuer, body, union, employer, worker): a ``role``
    token lists only what is its own -- ``requested`` must be left out or be ``own`` (403 with
    ``refusal`` otherwise) and becomes ``own``; every other principal keeps ``requested``."""
    if not current_principal().is_(role):
        return requested
    if requested is not None and requested != own:
        raise forbidden(refusal)
    return own


def require_self(worker_id: UUID) -> None:
    principal = current_principal()
    if principal.is_(Role.WORKER) and principal.worker_id != worker_id:
        raise forbidden("a worker token sees only its own worker")
