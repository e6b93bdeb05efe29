"""Errors as RFC 9457 problem details (``application/problem+json``), for every 4xx and 5xx.

Every error the service answers is a problem document::

    {"type": "urn:craftledger:rule:outside-filed-scope", "title": "Outside filed scope",
     "status": 422, "detail": "…", "instance": "/api/v1/certificates",
     "rule": "outside-filed-scope"}

* ``type`` names the kind of problem: ``urn:craftledger:problem:<slug>`` for the service's own
  problems (validation, malformed JSON, not found, conflicts, idempotency), ``urn:craftledger:rule:
  <rule>`` for a broken domain rule (the rule name is also in ``rule``), and ``about:blank`` for
  plain HTTP errors whose status says it all (an unknown path, a method not allowed).
* A rule may add the facts a client acts on, e.g. ``"year": 2027`` for
  ``calendar-missing-year``.
* Validation problems list per-field ``errors``: ``{"location": "json", "pointer": "/name",
  "detail": "…"}`` for the body (an RFC 6901 JSON pointer) and ``{"location": "query",
  "parameter": "limit", "detail": "…"}`` for parameters.
* Nothing here echoes request values: details come from schemas and the domain, which never
  repeat an ID number.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import mask_id_numbers
from service.api.strict_json import MalformedJSON
from service.ledger import ConcurrencyConflict, NotFound
from service.log_masking import masked_url

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "FieldErrorSchema",
    "Problem",
    "ProblemSchema",
    "field_errors",
    "install_problem_handlers",
    "problem_response",
    "validation_problem",
]

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
_PATH_SAFE = "/:@-._~!$&'()*+,;="
PROBLEM_TYPE = "urn:craftledger:problem:"
RULE_TYPE = "urn:craftledger:rule:"

TITLES = {
    "validation-failed": "The request is not valid",
    "malformed-json": "The request body is not acceptable JSON",
    "malformed-url": "The request URL is not acceptable",
    "unsupported-media-type": "Unsupported media type",
    "not-found": "Not found",
    "concurrency-conflict": "Concurrent change",
    "authentication-required": "Authentication required",
    "invalid-token": "Invalid or revoked token",
    "token-expired": "The token has expired",
    "forbidden": "Not permitted for this token",
    "idempotency-key-reused": "Idempotency key reused with a different request",
    "idempotency-key-in-progress": "A request with this idempotency key is in progress",
    "idempotency-outcome-unknown": "The outcome of an earlier request with this key is unknown",
    "invalid-idempotency-key": "Invalid idempotency key",
    "invalid-cursor": "Invalid pagination cursor",
    "position-not-reached": "Read model has not reached the position yet",
    "not-yet-signed": "No signed tree head covers it yet",
    "rate-limited": "Too many requests",
    "store-unavailable": "The data store is unavailable",
    "internal-error": "Internal error",
}


class FieldErrorSchema(ma.Schema):
    """One field-level error of a validation problem."""

    location = ma.fields.String(
        required=True,
        metadata={"description": "json (the body), query, headers or path"},
    )
    pointer = ma.fields.String(
        metadata={"description": "RFC 6901 JSON pointer into the body (location json)"}
    )
    parameter = ma.fields.String(
        metadata={"description": "name of the parameter (location query, headers, path)"}
    )
    detail = ma.fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(
        required=True,
        metadata={
            "description": "urn:craftledger:problem:<slug>, urn:craftledger:rule:<rule> or "
            "about:blank"
        },
    )
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    instance = ma.fields.String(metadata={"description": "the request path"})
    rule = ma.fields.String(
        metadata={"description": "the domain rule broken (for urn:craftledger:rule:… types)"}
    )
    errors = ma.fields.List(
        ma.fields.Nested(FieldErrorSchema),
        metadata={"description": "per-field errors of a validation problem"},
    )
    year = ma.fields.Integer(
        metadata={
            "description": "calendar-missing-year: the year no working-day calendar covers "
            "(add its holiday arrangement: POST /api/v1/calendars)"
        }
    )
    expired_at = ma.fields.String(
        metadata={"description": "token-expired: when the token expired (ISO 8601, UTC)"}
    )


class Problem(Exception):
    """Raise to answer with a problem document of the service's own kind ``slug``."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or slug)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = extensions

    def response(self) -> Response:
        return problem_response(
            self.status,
            type_=PROBLEM_TYPE + self.slug,
            title=TITLES.get(self.slug, HTTPStatus(self.status).phrase),
            detail=self.detail,
            headers=self.headers,
            **self.extensions,
        )


def problem_response(
    status: int,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """A ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or _phrase(status),
        "status": status,
    }
    if detail:
        body["detail"] = mask_id_numbers(detail)  # may name what was asked for
    with contextlib.suppress(RuntimeError):
        body["instance"] = quote(masked_url(request.path), safe=_PATH_SAFE)  # never an ID number
    body.update({key: value for key, value in extensions.items() if value is not None})
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(errors: list[dict[str, str]], detail: str | None = None) -> Problem:
    """A 422 ``validation-failed`` problem with these field errors."""
    if detail is None:
        shown = "; ".join(_describe(error) for error in errors[:5])
        detail = f"{len(errors)} field error{'s' if len(errors) != 1 else ''}: {shown}"
    return Problem(422, "validation-failed", detail, errors=errors)


@contextlib.contextmanager
def field_errors(pointer: str, location: str = "json") -> Iterator[None]:
    """Report a domain :class:`InvalidValue` raised inside as a field error at ``pointer``."""
    try:
        yield
    except InvalidValue as error:
        entry = {"location": location, "detail": f"{error.field}: {error.detail}"}
        if location == "json":
            entry["pointer"] = pointer
        else:
            entry["parameter"] = pointer
        raise validation_problem([entry]) from None


def flatten_messages(messages: Any) -> list[dict[str, str]]:
    """webargs' ``{"json": {"field": ["msg"]}}`` as a flat list of field errors."""
    errors: list[dict[str, str]] = []
    if not isinstance(messages, Mapping):
        return [{"location": "json", "pointer": "", "detail": str(messages)}]
    for location, tree in messages.items():
        for path, message in _walk(tree, ()):
            entry = {"location": str(location), "detail": message}
            if location == "json":
                entry["pointer"] = "".join("/" + _escape(part) for part in path)
            else:
                entry["parameter"] = ".".join(path) if path else ""
            errors.append(entry)
    return errors


def _walk(tree: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(tree, Mapping):
        for key, sub in tree.items():
            yield from _walk(sub, path if key == "_schema" else (*path, str(key)))
    elif isinstance(tree, list | tuple):
        for item in tree:
            yield from _walk(item, path)
    else:
        yield path, str(tree)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _describe(error: Mapping[str, str]) -> str:
    if error.get("location") == "json":
        where = error.get("pointer") or "(body)"
    else:
        where = error.get("parameter") or error.get("location", "")
    return f"{where}: {error['detail']}"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# -- handlers -----------------------------------------------------------------------------


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        with contextlib.suppress(Exception):
            for key, value in error.get_headers():
                if key == name:
                    headers[key] = value
    if "messages" in data:  # webargs validation
        errors = flatten_messages(data["messages"])
        return (
            validation_problem(errors).response()
            if status == 422
            else Problem(status, "validation-failed", errors=errors).response()
        )
    if status == 413:
        return problem_response(
            413,
            detail=f"the request body is larger than {_limit()} bytes",
            headers=headers,
        )
    if status == 429:
        return problem_response(
            429,
            type_=PROBLEM_TYPE + "rate-limited",
            title=TITLES["rate-limited"],
            detail=f"rate limit exceeded ({error.description}); try again later",
            headers=headers,
        )
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, masked_url(request.path), error)
    detail = data.get("message") if isinstance(data.get("message"), str) else None
    if detail is None and status not in (404, 405):
        detail = error.description
    return problem_response(status, detail=detail, headers=headers)


def _limit() -> int | str:
    from flask import current_app

    return current_app.config.get("MAX_CONTENT_LENGTH") or "the limit of"


def handle_problem(error: Problem) -> Response:
    return error.response()


def handle_rule_violation(error: DomainRuleViolation) -> Response:
    facts = {key: value for key, value in error.facts.items() if key not in _PROBLEM_MEMBERS}
    return problem_response(
        422,
        type_=RULE_TYPE + error.rule,
        title=error.rule.replace("-", " ").capitalize(),
        detail=error.detail,
        rule=error.rule,
        **facts,
    )


_PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "rule", "errors"})
"""Members a rule's facts never overwrite."""


def handle_invalid_value(error: InvalidValue) -> Response:
    return validation_problem(
        [{"location": "json", "pointer": "", "detail": f"{error.field}: {error.detail}"}]
    ).response()


def handle_not_found(error: NotFound) -> Response:
    return Problem(404, "not-found", str(error)).response()


def handle_conflict(error: ConcurrencyConflict) -> Response:
    return Problem(409, "concurrency-conflict", str(error), headers={"Retry-After": "1"}).response()


def handle_malformed_json(error: MalformedJSON) -> Response:
    return Problem(400, "malformed-json", error.detail).response()


def handle_unexpected(error: Exception) -> Response:
    if _is_store_unavailable(error):
        log.error(
            "data store unavailable on %s %s: %r", request.method, masked_url(request.path), error
        )
        return Problem(
            503,
            "store-unavailable",
            "the data store did not answer; try again shortly",
            headers={"Retry-After": "5"},
        ).response()
    log.exception("unexpected error on %s %s", request.method, masked_url(request.path))
    return Problem(500, "internal-error", "an unexpected error was logged").response()


def _is_store_unavailable(error: Exception) -> bool:
    from eventsourcing.persistence import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError)


def install_problem_handlers(app: Flask) -> None:
    """Answer every error of ``app`` with a problem document."""
    app.register_error_handler(Problem, handle_problem)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainRuleViolation, handle_rule_violation)
    app.register_error_handler(InvalidValue, handle_invalid_value)
    app.register_error_handler(NotFound, handle_not_found)
    app.register_error_handler(ConcurrencyConflict, handle_conflict)
    app.register_error_handler(MalformedJSON, handle_malformed_json)
    app.register_error_handler(Exception, handle_unexpected)


# -- request bodies ----------------------------------------------------------------------------

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def read_json_body() -> None:
    """``before_request``: read an API request's body strictly into ``g.json_body``.

    415 for a body that is not ``application/json`` (or ``+json``, charset UTF-8), 413 beyond
    ``MAX_CONTENT_LENGTH``, 400 ``malformed-json`` for anything :func:`loads_strict` refuses.
    An empty body is "no body": the schema then reports the missing fields.
    """
    from flask import g
    from webargs import core

    from service.api.strict_json import loads_strict

    g.json_body = core.missing
    json_paths = ("/api/", "/credentials/")  # /credentials/verify: VC-API path, outside /api
    if request.method not in BODY_METHODS or not request.path.startswith(json_paths):
        return
    data = request.get_data(cache=True)
    if not data:
        return
    mimetype = request.mimetype
    if mimetype == "multipart/form-data" and _accepts_upload():
        return  # a file-upload view (e.g. a CSV/XLSX import) reads request.files itself
    if not (mimetype == "application/json" or mimetype.endswith("+json")):
        raise Problem(
            415,
            "unsupported-media-type",
            "send the body as application/json (UTF-8)",
            headers={"Accept-Post": "application/json"},
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, "unsupported-media-type", "JSON bodies must be UTF-8")
    g.json_body = loads_strict(data)


def _accepts_upload() -> bool:
    """Whether the matched view takes a multipart upload (it sets ``accepts_upload = True``);
    when no view matched, routing answers (404, 405) rather than this reader (415)."""
    from flask import current_app

    if request.routing_exception is not None:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "accepts_upload", False))


def refuse_nul_in_url() -> None:
    """``before_request``: no U+0000 in the path or the query of an API request (400).

    Nothing legitimate contains it, and PostgreSQL cannot store or compare it in text."""
    if not request.path.startswith("/api/"):
        return
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        raise Problem(400, "malformed-url", "the path or query contains U+0000 (NUL)")


def install_request_body_reader(app: Flask) -> None:
    """Strict JSON everywhere: API bodies before the view, and ``request.get_json()`` too."""
    from flask.json.provider import DefaultJSONProvider

    from service.api.strict_json import loads_strict

    class StrictJSONProvider(DefaultJSONProvider):
        ensure_ascii = False

        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            return loads_strict(s.encode("utf-8", "surrogatepass") if isinstance(s, str) else s)

    app.json_provider_class = StrictJSONProvider
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_nul_in_url)
    app.before_request(read_json_body)
