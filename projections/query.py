"""What a read model's query is: reads over a projection's tables in the ``ProjectionStore``,
whose parameters are checked here -- a bad one is an ``InvalidQuery`` (an HTTP 400) whose
message names the parameter."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import overload
from uuid import UUID

from projections.pagination import InvalidQuery
from projections.store import ProjectionStore

__all__ = ["ProjectionQuery", "one_of", "uuid_text", "where_clause"]


class ProjectionQuery:
    """Reads of one projection's tables (the subclass's docstring names the projection)."""

    def __init__(self, store: ProjectionStore) -> None:
        self.store = store


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


def where_clause(conditions: Sequence[str]) -> str:
    """`` WHERE a AND b ...`` of the conditions, or nothing when there are none."""
    return " WHERE " + " AND ".join(conditions) if conditions else ""
