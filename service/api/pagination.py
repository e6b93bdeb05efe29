"""Cursor pagination of lists: ``?limit=`` and an opaque ``?cursor=``.

Every list answers ``{"items": [...], "next_cursor": "…" | null}``. ``next_cursor`` is opaque
(the read model encodes the sort key of the last item served; see ``projections.pagination``):
pass it back as ``?cursor=`` for the next page, until it is ``null``. Pages stay correct while
rows are added, because the next page is "rows after that key". A cursor made by another list,
or altered, is refused with 400 ``invalid-cursor``; ``?limit=`` is 1..100 (default 20).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import marshmallow as ma
from marshmallow import validate

from projections.pagination import InvalidCursor, InvalidQuery
from service.api.problems import Problem, validation_problem

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_POSITION",
    "CursorArgs",
    "PageArgs",
    "cursor_problems",
    "page_answer",
    "page_schema",
]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_POSITION = 2**63 - 1


class CursorArgs(ma.Schema):
    """``?limit=`` and ``?cursor=``: the query parameters of every list."""

    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"items per page, 1..{MAX_LIMIT}"},
    )
    cursor = ma.fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "opaque cursor from the previous page's next_cursor"},
    )


class PageArgs(CursorArgs):
    """The query parameters every read-model list takes: the page and a position to wait for."""

    wait_for = ma.fields.Integer(
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "log position (X-Log-Position of a command) to wait for"},
    )


_PAGE_SCHEMAS: dict[str, type[ma.Schema]] = {}


def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """``{"items": [item], "next_cursor": str | null}`` for ``item_schema`` (one per item)."""
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


@contextmanager
def cursor_problems() -> Iterator[None]:
    """A read model's ``InvalidCursor`` as 400 ``invalid-cursor``, ``InvalidQuery`` as 422."""
    try:
        yield
    except InvalidCursor as error:
        raise Problem(400, "invalid-cursor", str(error)) from None
    except InvalidQuery as error:
        raise validation_problem(
            [{"location": "query", "parameter": "", "detail": str(error)}]
        ) from None


def page_answer(page: Any) -> dict[str, Any]:
    """The answer for a read model's ``Page``."""
    return {"items": list(page.items), "next_cursor": page.next_cursor}
