"""Keyset pagination: a ``Page`` of items and an opaque cursor naming where the next one starts.

A cursor is URL-safe base64 of ``[list name, key...]``: the sort key of the last item served.
The next page is "rows after that key", so pages stay correct while rows are added, and a cursor
made for one list is refused by another (``InvalidCursor``, an HTTP 400).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

MAX_LIMIT = 500


class InvalidCursor(ValueError):
    """The cursor was not made by this list (or was altered)."""


class InvalidQuery(ValueError):
    """A query parameter is out of range; the message names it."""


@dataclass(frozen=True)
class Page:
    """One page of a list: the items, and the cursor of the next page (None: this is the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor, **self.extra}


def encode_cursor(kind: str, key: list[Any]) -> str:
    raw = json.dumps([kind, *key], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, size: int) -> list[Any] | None:
    """The key in ``cursor`` (None for the first page); refuses cursors of other lists."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor("cursor is not one this list handed out") from None
    if not isinstance(value, list) or len(value) != size + 1 or value[0] != kind:
        raise InvalidCursor("cursor is not one this list handed out")
    return value[1:]


def check_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return limit


def page_of(rows: list[dict[str, Any]], limit: int, kind: str, key_of: Any) -> Page:
    """``rows`` fetched with ``LIMIT limit + 1``: the page and, if more exist, the next cursor."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, encode_cursor(kind, list(key_of(rows[-1]))))
    return Page(rows, None)
