"""Lists from read models: opaque cursor pagination and read-your-writes.

Every list answers ``{"items": [...], "next_cursor": "…" | null}``. ``next_cursor`` is opaque:
pass it back as ``?cursor=`` for the next page; a cursor from another list (or altered) is
refused with 400 ``invalid-cursor``. ``?limit=`` is 1..100 (default 20).

Read-your-writes: a command answers with ``X-Log-Position``; a list query given that position
(header ``X-Wait-For-Position`` or ``?wait_for=``) waits, up to ``READ_WAIT_SECONDS`` (5 s),
until the read model has applied it. A position beyond the log's head is refused with 422
(waiting cannot help); a read model that cannot catch up in time answers 503
``position-not-reached`` with ``Retry-After``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import validate

from projections.pagination import InvalidCursor, InvalidQuery
from service.api.problems import Problem, validation_problem
from service.api.services import services

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "list_page", "page_schema", "wait_for_position"]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_POSITION = 2**63 - 1


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"items per page, 1..{MAX_LIMIT}"},
    )
    cursor = ma.fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "opaque cursor from the previous page's next_cursor"},
    )
    wait_for = ma.fields.Integer(
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "log position (X-Log-Position of a command) to wait for"},
    )


class WaitHeaders(ma.Schema):
    wait_for = ma.fields.Integer(
        data_key="X-Wait-For-Position",
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "log position (X-Log-Position of a command) to wait for"},
    )


_PAGE_SCHEMAS: dict[str, type[ma.Schema]] = {}


def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """``{"items": [item], "next_cursor": str | null}`` for ``item_schema``."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _PAGE_SCHEMAS:
        _PAGE_SCHEMAS[name] = type(
            name,
            (ma.Schema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
                "next_cursor": ma.fields.String(
                    required=True,
                    allow_none=True,
                    metadata={"description": "cursor of the next page; null on the last page"},
                ),
                "__doc__": f"One page of {item_schema.__name__.removesuffix('Schema')} items.",
            },
        )
    return _PAGE_SCHEMAS[name]


def wait_for_position(position: int | None, names: Sequence[str] = ("directory",)) -> None:
    """Block until the read models ``names`` have applied ``position`` (see the module
    docstring)."""
    if not position:
        return
    head = services().ledger.log_position
    if position > head:
        raise validation_problem(
            [
                {
                    "location": "query",
                    "parameter": "wait_for",
                    "detail": f"position {position} is beyond the log's head ({head})",
                }
            ]
        )
    runner = services().runner
    if runner is None:
        return
    timeout = float(current_app.config.get("READ_WAIT_SECONDS", 5.0))
    if not runner.wait_for(position, timeout=timeout, names=list(names)):
        raise Problem(
            503,
            "position-not-reached",
            f"the read model has not applied position {position} within {timeout:g} s",
            headers={"Retry-After": "1"},
        )


def list_page(blp: Any, item_schema: type[ma.Schema]) -> Callable[[Callable[..., Any]], Any]:
    """Decorate a list view ``view(*args, page={"cursor", "limit"})`` returning a ``Page``."""

    def decorator(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            *rest, query, headers = args
            if services().directory is None:
                raise Problem(503, "read-model-unavailable", "lists are not available yet")
            wait_for_position(max(query.get("wait_for", 0), headers.get("wait_for", 0)))
            try:
                page = func(
                    *rest, {"cursor": query.get("cursor"), "limit": query["limit"]}, **kwargs
                )
            except InvalidCursor as error:
                raise Problem(400, "invalid-cursor", str(error)) from None
            except InvalidQuery as error:
                raise validation_problem(
                    [{"location": "query", "parameter": "", "detail": str(error)}]
                ) from None
            return {"items": list(page.items), "next_cursor": page.next_cursor}

        view = blp.arguments(WaitHeaders, location="headers")(inner)
        view = blp.arguments(PageArgs, location="query")(view)
        view = blp.response(200, page_schema(item_schema))(view)
        return blp.errors(400, 422, 503)(view)

    return decorator
