"""A strict reader for JSON request bodies.

Python's ``json`` module is lenient where a public API must not be: it accepts ``NaN`` and
``Infinity``, keeps the last of duplicate keys, turns ``1e999`` into infinity, parses integers of
thousands of digits, recurses until the interpreter gives up on deep nesting, and lets an escaped
lone surrogate (``"\\ud800"``) through into a ``str`` that cannot be encoded again. Each of those
would surface later as a 500 or, worse, as a silently different value. :func:`loads_strict`
refuses all of them up front with :class:`MalformedJSON`, whose message says what is wrong and
where, so the HTTP layer can answer 400 with a problem document.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_INTEGER", "MalformedJSON", "loads_strict"]

MAX_DEPTH = 32
"""Deepest nesting of arrays and objects accepted in a request body."""

MAX_INTEGER = 2**63 - 1
"""Largest magnitude of a JSON integer accepted (a signed 64-bit integer)."""

_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class MalformedJSON(ValueError):
    """The request body is not acceptable JSON; ``detail`` says why (never echoes the body)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def loads_strict(data: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decode ``data`` as one UTF-8 JSON text, refusing anything ambiguous or dangerous."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedJSON(f"the body is not valid UTF-8 (byte {error.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]  # RFC 8259 §8.1: a parser may ignore a byte order mark
    _check_depth(text, max_depth)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_int=_bounded_integer,
            parse_float=_finite_number,
        )
    except json.JSONDecodeError as error:
        raise MalformedJSON(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:  # pragma: no cover - _check_depth stops this first
        raise MalformedJSON(f"nested deeper than {max_depth} levels") from None
    _check_strings(value)
    return value


def _check_depth(text: str, max_depth: int) -> None:
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise MalformedJSON(f"nested deeper than {max_depth} levels")
        elif token in "]}":
            depth -= 1


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedJSON(f"duplicate key {_quoted(key)} in an object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise MalformedJSON(f"{name} is not a JSON number")


def _bounded_integer(text: str) -> int:
    digits = text.lstrip("-")
    if len(digits) > 19 or abs(int(text)) > MAX_INTEGER:
        raise MalformedJSON(f"an integer of {len(digits)} digits is out of range (at most 2^63-1)")
    return int(text)


def _finite_number(text: str) -> float:
    if len(text) > 64:
        raise MalformedJSON("a number literal longer than 64 characters")
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise MalformedJSON("a number is out of range (overflows a double)")
    return number


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        _check_string(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_string(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def _check_string(text: str) -> None:
    if "\x00" in text:
        raise MalformedJSON("a string contains U+0000 (NUL)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedJSON("a string contains an unpaired surrogate escape") from None


def _quoted(key: str) -> str:
    shown = key if len(key) <= 40 else key[:40] + "…"
    return json.dumps(shown, ensure_ascii=True)
