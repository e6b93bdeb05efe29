"""Problem details for the API: the OpenAPI schemas of a problem, field errors from domain
values, the handlers that answer every error of the app with a problem document, and strict
reading of request bodies. The document itself (``Problem``, ``problem_response``) is
``service.problems``, shared with the pages.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from domain.errors import DomainRuleViolation, InvalidValue
from service.api.strict_json import MalformedJSON
from service.ledger import ConcurrencyConflict, NotFound
from service.log_masking import masked_url
from service.problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPE,
    RULE_TYPE,
    TITLES,
    Problem,
    flatten_messages,
    handle_http_exception,
    problem_response,
    validation_problem,
)

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "PROBLEM_TYPE",
    "RULE_TYPE",
    "TITLES",
    "FieldErrorSchema",
    "Problem",
    "ProblemSchema",
    "field_errors",
    "flatten_messages",
    "handle_http_exception",
    "install_problem_handlers",
    "problem_response",
    "validation_problem",
]

log = logging.getLogger(__name__)


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


@contextlib.contextmanager
def field_errors(pointer: str | None = None, location: str = "json") -> Iterator[None]:
    """Report a domain :class:`InvalidValue` raised inside as a field error at ``pointer``, by
    default the JSON pointer of the value's field path (``days[0].date``: ``/days/0/date``)."""
    try:
        yield
    except InvalidValue as error:
        if pointer is None:
            pointer = "/" + re.sub(r"\[(\d+)\]", r"/\1", error.field).replace(".", "/")
        entry = {"location": location, "detail": f"{error.field}: {error.detail}"}
        if location == "json":
            entry["pointer"] = pointer
        else:
            entry["parameter"] = pointer
        raise validation_problem([entry]) from None


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
    # /credentials/verify, /presentations/verify: VC-API paths, outside /api
    json_paths = ("/api/", "/credentials/", "/presentations/")
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
