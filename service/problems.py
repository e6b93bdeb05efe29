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

This module is the document and the answer to an HTTP error, shared by the API and the pages
(``service.api.problems`` adds the API's schemas, handlers and request-body reading).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

from domain.free_text import mask_id_numbers
from service.log_masking import masked_url

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "PROBLEM_TYPE",
    "RULE_TYPE",
    "TITLES",
    "Problem",
    "flatten_messages",
    "handle_http_exception",
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
