"""Lists from read models, and read-your-writes.

A command answers with ``X-Log-Position``; a list query given that position (header
``X-Wait-For-Position`` or ``?wait_for=``) waits, up to ``READ_WAIT_SECONDS`` (5 s), until the
read model it reads has applied it. A position beyond the log's head is refused with 422
(waiting cannot help); a read model that cannot catch up in time answers 503
``position-not-reached`` with ``Retry-After``. Pagination is in ``service.api.pagination``
(its names are importable from here too).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import marshmallow as ma
from marshmallow import validate

from service.api.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_POSITION,
    PageArgs,
    cursor_problems,
    page_answer,
    page_schema,
)
from service.read_models import wait_for_position

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "PageArgs",
    "WaitHeaders",
    "list_page",
    "page_schema",
    "read_after_position",
    "wait_for_position",
]

T = TypeVar("T")


class WaitHeaders(ma.Schema):
    wait_for = ma.fields.Integer(
        data_key="X-Wait-For-Position",
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "log position (X-Log-Position of a command) to wait for"},
    )


def read_after_position(
    read: Callable[[], T],
    query: dict[str, Any],
    headers: dict[str, Any],
    names: Sequence[str] = ("directory",),
) -> T:
    """``read()`` once the read models ``names`` have applied the position the caller waits for
    (``?wait_for=`` or ``X-Wait-For-Position``, the later of the two), with a bad cursor as 400
    and a bad query as 422 (``cursor_problems``)."""
    wait_for_position(max(query.get("wait_for", 0), headers.get("wait_for", 0)), names)
    with cursor_problems():
        return read()


def list_page(
    blp: Any, item_schema: type[ma.Schema], read_model: str = "directory"
) -> Callable[[Callable[..., Any]], Any]:
    """Decorate a list view ``view(*args, page={"cursor", "limit"})`` returning a ``Page``:
    pagination parameters, read-your-writes on ``read_model``, and the page schema."""

    def decorator(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            *rest, query, headers = args
            page = {"cursor": query.get("cursor"), "limit": query["limit"]}
            return page_answer(
                read_after_position(
                    lambda: func(*rest, page, **kwargs), query, headers, [read_model]
                )
            )

        view = blp.arguments(WaitHeaders, location="headers")(inner)
        view = blp.arguments(PageArgs, location="query")(view)
        view = blp.response(200, page_schema(item_schema))(view)
        return blp.errors(400, 422, 503)(view)

    return decorator
