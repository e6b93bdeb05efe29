"""The OpenAPI document and the blueprint base every resource module uses.

:class:`CraftledgerApi` is flask-smorest's ``Api`` with problem+json errors (documented under
``application/problem+json``, no catch-all ``default`` response: every status an operation can
answer is listed). :class:`Blueprint` reads JSON bodies with the strict reader and offers the
two decorators resource modules compose: :func:`Blueprint.query` for reads and
:func:`Blueprint.command` for writes (``X-Log-Position``, ``Idempotency-Key`` and the error
statuses documented once, here).
"""

from __future__ import annotations

import functools
import http
from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import g, url_for
from flask_smorest.utils import prepare_response
from webargs import core
from webargs.flaskparser import FlaskParser

from service.api.problems import PROBLEM_CONTENT_TYPE, ProblemSchema, install_problem_handlers
from service.commands import Recorded

__all__ = ["BEARER_SCHEME", "LOG_POSITION_HEADER", "Blueprint", "CraftledgerApi"]

BEARER_SCHEME = "bearerAuth"

LOG_POSITION_HEADER = {
    "description": "Log position reached by this command; pass it as X-Wait-For-Position (or "
    "?wait_for=) to a list query to read your own write.",
    "schema": {"type": "integer", "minimum": 1},
}

IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Makes a retry safe: a retried request with the same key and the same body "
    "returns the first answer (with Idempotent-Replayed: true) and records nothing twice; the "
    "same key with a different body is refused with 422. Keys are per token and kept 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def signed_document_responses(description: str) -> dict[str, Any]:
    """The documented answers of a GET serving a signed document: 200 with its strong ``ETag``
    and ``Cache-Control``, 304 when ``If-None-Match`` matched."""
    return {
        "200": {
            "description": description,
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "strong entity tag"},
                "Cache-Control": {"schema": {"type": "string"}},
            },
        },
        "304": {"description": "not modified (If-None-Match matched the ETag)"},
    }


def located_at(
    endpoint: str, parameter: str, attribute: str = "id"
) -> Callable[[Recorded, Any], str]:
    """A command's ``location``: the URL of ``endpoint`` for what it saved, its ``parameter``
    taken from the saved aggregate's ``attribute``."""

    def location(recorded: Recorded, _body: Any) -> str:
        return url_for(endpoint, **{parameter: getattr(recorded.aggregate, attribute)})

    return location


class StrictFlaskParser(FlaskParser):
    """Reads the JSON body parsed (strictly) before the view ran; never parses leniently."""

    def _raw_load_json(self, req: Any) -> Any:
        body = g.get("json_body", core.missing)
        return body


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest blueprint with the strict body reader and documented error statuses."""

    ARGUMENTS_PARSER = StrictFlaskParser()

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        """flask-smorest's ``arguments``, given a schema instance made once: webargs makes a
        new instance of a schema class on every request (copying its fields), which was 8 %
        of a statistics query under load."""
        if isinstance(schema, type) and issubclass(schema, ma.Schema):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)

    def errors(self, *statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document these error statuses (problem+json) on an operation."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            for status in sorted(set(statuses), reverse=True):
                func = self.alt_response(status, response=http.HTTPStatus(status).name)(func)
            return func

        return decorator

    def query(
        self, schema: Any, *, status: int = 200, errors: tuple[int, ...] = (404,)
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A read: the response schema and its error statuses."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            func = self.response(status, schema)(func)
            return self.errors(*errors)(func)

        return decorator

    def command(
        self,
        body: Any,
        schema: Any,
        *,
        status: int = 200,
        errors: tuple[int, ...] = (404,),
        log_position: bool = True,
        view: Callable[[Any], Any] | None = None,
        location: Callable[[Recorded, Any], str] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A write taking a JSON ``body``: X-Log-Position, Idempotency-Key and error statuses.

        The view returns what the command recorded: a :class:`Recorded` (answered as
        ``view(recorded.aggregate)``) or ``(recorded, body)``. The answer carries
        ``X-Log-Position`` and, for 201 and 202, ``Location`` from ``location(recorded, body)``.
        """
        headers = {"X-Log-Position": LOG_POSITION_HEADER} if log_position else None
        if status in (201, 202):
            headers = dict(headers or {})
            headers["Location"] = {
                "description": "URL of the new resource" if status == 201 else "the job to poll",
                "schema": {"type": "string"},
            }

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(func)
            def answering(*args: Any, **kwargs: Any) -> Any:
                return _answer(func(*args, **kwargs), status, view, location)

            wrapped = self.response(status, schema, headers=headers)(answering)
            wrapped = self.arguments(body)(wrapped)
            wrapped = self.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapped)
            # 400 malformed JSON, 413 too large, 415 not JSON, 409 conflicts (concurrency,
            # idempotency key in progress), 422 validation / rules / idempotency key reuse.
            return self.errors(400, 409, 413, 415, 422, *errors)(wrapped)

        return decorator


def _answer(
    result: Any,
    status: int,
    view: Callable[[Any], Any] | None,
    location: Callable[[Recorded, Any], str] | None,
) -> Any:
    """A command view's result as flask-smorest's ``(body, status, headers)``."""
    if isinstance(result, Recorded):
        recorded, body = result, (view(result.aggregate) if view else result.aggregate)
    elif isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Recorded):
        recorded, body = result
    else:
        return result
    headers: dict[str, str] = {}
    if recorded.position is not None:
        headers["X-Log-Position"] = str(recorded.position)
    if location is not None:
        headers["Location"] = location(recorded, body)
    return body, status, headers


class CraftledgerApi(flask_smorest.Api):
    """flask-smorest ``Api`` answering and documenting errors as RFC 9457 problem details."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        install_problem_handlers(self._app)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.security_scheme(
            BEARER_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "API token from `craftledger token create --role ROLE` (roles: "
                "admin, issuer, organiser, auditor, worker). Tokens are stored only as hashes; "
                "creation and revocation are events in the log.",
            },
        )
