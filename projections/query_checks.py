"""Checks of the parameters a read model's query takes: a bad one is an ``InvalidQuery`` (an
HTTP 400) whose message names the parameter."""

from __future__ import annotations

from collections.abc import Collection
from typing import overload
from uuid import UUID

from projections.pagination import InvalidQuery

__all__ = ["one_of", "uuid_text"]


@overload
def uuid_text(value: UUID | str, what: str) -> str: ...


@overload
def uuid_text(value: None, what: str) -> None: ...


@overload
def uuid_text(value: UUID | str | None, what: str) -> str | None: ...


def uuid_text(value: UUID | str | None, what: str) -> str | None:
    """``value`` as the stored text of a UUID (None stays None)."""
    if value is None:
        return None
    try:
        return str(value if isinstance(value, UUID) else UUID(str(value)))
    except ValueError:
        raise InvalidQuery(f"{what} must be a UUID") from None


def one_of(value: str | None, allowed: Collection[str], what: str) -> str | None:
    """``value`` if it is None or one of ``allowed``."""
    if value is not None and value not in allowed:
        raise InvalidQuery(f"{what} must be one of {', '.join(allowed)}")
    return value
