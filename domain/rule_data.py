"""Reading rule data (policies, routes, rule sets, schemes) with errors that name the field.

Rules are data: JSON files and dict literals parsed once into frozen value objects. These
readers give every parser the same checks and the same ``InvalidValue`` wording.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Any, Protocol, TypeVar

from domain.errors import InvalidValue
from domain.skill_level import SkillLevel

_MISSING: Any = object()


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_Keyed_T = TypeVar("_Keyed_T", bound=_Keyed)


def load_packaged_files(package: str, parse: Callable[..., _Keyed_T], what: str) -> list[_Keyed_T]:
    """Parse every ``*.json`` file of ``package`` (as ``parse(data, source=name)``); each file
    must be named after what it holds (``{key}.json``)."""
    loaded: list[_Keyed_T] = []
    for entry in resources.files(package).iterdir():
        if not entry.name.endswith(".json"):
            continue
        item = parse(json.loads(entry.read_text(encoding="utf-8")), source=entry.name)
        if entry.name != f"{item.key}.json":
            raise InvalidValue(
                f"{what} file", f"{entry.name} holds {item.key}; name it {item.key}.json"
            )
        loaded.append(item)
    return loaded


def record(
    data: object,
    what: str,
    *,
    required: AbstractSet[str],
    optional: AbstractSet[str] = frozenset(),
) -> dict[str, Any]:
    """``data`` as a dict holding every ``required`` key and nothing beyond ``optional``."""
    if not isinstance(data, Mapping):
        raise InvalidValue(what, f"expected an object, got {type(data).__name__}")
    keys = set(data)
    missing = sorted(required - keys)
    unknown = sorted(str(key) for key in keys - required - optional)
    if missing:
        raise InvalidValue(what, f"missing {', '.join(missing)}")
    if unknown:
        raise InvalidValue(what, f"unknown field {', '.join(unknown)}")
    return dict(data)


_E = TypeVar("_E", bound=StrEnum)


def one_of(kind: type[_E], value: object, field: str) -> _E:
    """``value`` as a member of ``kind`` (a member, or its string value)."""
    if type(value) is kind:
        return value  # type: ignore[return-value]  # a member already
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidValue(field, f"{value!r} is not one of {allowed}") from None


class DataReader:
    """Typed access to a JSON object, raising InvalidValue that names file and field."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise InvalidValue(where, f"expected a JSON object, got {type(data).__name__}")
        self.data: Mapping[str, object] = data
        self.where = where

    def fail(self, key: str, detail: str) -> InvalidValue:
        return InvalidValue(f"{self.where}.{key}", detail)

    def raw(self, key: str) -> object:
        if key not in self.data:
            raise self.fail(key, "is required")
        return self.data[key]

    def text(self, key: str, default: str = _MISSING) -> str:
        if default is not _MISSING and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, got {value!r}")
        return value

    def integer(self, key: str, default: int = _MISSING) -> int:
        if default is not _MISSING and key not in self.data:
            return default
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, f"must be a non-negative integer, got {value!r}")
        return value

    def flag(self, key: str, default: bool = _MISSING) -> bool:
        if default is not _MISSING and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def iso_date(self, key: str) -> date:
        value = self.text(key)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(key, f"must be an ISO date YYYY-MM-DD, got {value!r}") from None

    def items(self, key: str) -> list[object]:
        """The list at ``key``; a missing key is an empty list."""
        if key not in self.data:
            return []
        value = self.data[key]
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {type(value).__name__}")
        return value

    def strings(self, key: str) -> list[str]:
        values = self.items(key)
        for value in values:
            if not isinstance(value, str) or not value:
                raise self.fail(key, f"must hold non-empty strings, got {value!r}")
        return [str(value) for value in values]

    def level(self, key: str) -> SkillLevel:
        value = self.raw(key)
        if not isinstance(value, str):
            raise self.fail(key, f"must be a level code string, got {value!r}")
        try:
            return SkillLevel.from_code(value)
        except InvalidValue as error:
            raise self.fail(key, error.detail) from None

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            raise InvalidValue(self.where, f"unknown fields {unknown}")
