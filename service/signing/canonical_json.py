"""Strict JSON for signed documents, and RFC 8785 (JCS) canonical bytes.

Signed documents carry no floats: a number with a fraction or exponent, NaN, Infinity, an
integer beyond ±(2^53−1), a duplicate object key or a lone surrogate is refused with an error
naming its JSON path (``$.credentialSubject.result[0].value``). Values are strings.

``canonicalize`` produces RFC 8785 bytes. For the values it accepts (no floats), RFC 8785
output equals a compact JSON encoding with sorted keys and raw UTF-8, except for key order when
a key holds a character outside the Basic Multilingual Plane (RFC 8785 sorts by UTF-16 code
units, other encoders by code points). Such documents go through the ``rfc8785`` library; all
others, after the same strict check, through ``orjson`` with sorted keys: signing is about 2.3
times and verifying 1.6 times as fast as with ``rfc8785`` for every document
(``benchmarks/bench_fast_paths.py``, best slices in CPU time: ``add_proof`` 13,500/s against
5,800/s, ``verify_proof`` 5,800/s against 3,600/s). The tests check the route against
``rfc8785`` on generated documents.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 64

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONValueError(ValueError):
    """A value that strict JSON refuses; ``path`` names where it is (``$`` is the root)."""

    def __init__(self, problem: str, path: str = "$") -> None:
        super().__init__(f"{path}: {problem}")
        self.problem = problem
        self.path = path


class _FloatLiteral(str):
    """A number with a fraction or exponent, kept as its source text by ``parse_strict``."""


class _ConstantLiteral(str):
    """``NaN``, ``Infinity`` or ``-Infinity``, which Python's parser accepts and JSON does not."""


class _DuplicateKeyObject(dict):  # type: ignore[type-arg]
    """An object whose source text repeated ``duplicate``."""

    duplicate: str


class _Problem(Exception):
    """Raised inside the scan; the path is collected while it unwinds."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.path: list[str | int] = []

    def to_error(self) -> JSONValueError:
        return JSONValueError(self.problem, _format_path(reversed(self.path)))


def _format_path(parts: Any) -> str:
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}"
        else:
            text += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return text


def _describe(value: Any) -> str:
    """Why ``value`` (not a plain JSON scalar, list or dict) is refused."""
    if isinstance(value, _FloatLiteral):
        return f'number {value} is not an integer; write it as a string ("{value}")'
    if isinstance(value, _ConstantLiteral):
        return f"{value} is not valid JSON"
    if isinstance(value, _DuplicateKeyObject):
        return f"duplicate key {json.dumps(value.duplicate, ensure_ascii=False)}"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f"{value!r} is not valid JSON"
        return f'number {value!r} is not an integer; write it as a string ("{value!r}")'
    if isinstance(value, int) and not isinstance(value, bool):
        return f"integer {value} is outside ±(2^53−1), which JSON cannot carry exactly"
    return f"a value of type {type(value).__name__} is not JSON"


def _scan(value: Any, depth: int = 0) -> bool:
    """Check ``value``; return True when a key leaves the Basic Multilingual Plane.

    The hot loops handle strings, booleans, null, safe integers and plain containers inline;
    everything else goes through ``_scan_other``. Paths are collected only on failure.
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        return _scan_other(value, depth)
    if depth >= MAX_DEPTH:
        raise _Problem(f"nested deeper than {MAX_DEPTH} levels")
    outside_bmp = False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                if type(key) is not str:
                    raise _Problem(f"object key {key!r} is not a string")
                outside_bmp |= max(key) > "\uffff"
            kind = type(item)
            if kind is str or kind is bool or item is None:
                continue
            if kind is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                continue
            try:
                outside_bmp |= _scan(item, depth + 1)
            except _Problem as problem:
                problem.path.append(key)
                raise
        return outside_bmp
    for item in value:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
            continue
        try:
            outside_bmp |= _scan(item, depth + 1)
        except _Problem as problem:
            # the first identical object is this one: an earlier one would have failed first
            problem.path.append(next(i for i, other in enumerate(value) if other is item))
            raise
    return outside_bmp


def _scan_other(value: Any, depth: int) -> bool:
    """Scalars, tuples and subclasses of the JSON types (``OrderedDict``, ``IntEnum``…) are
    JSON; floats, out-of-range integers, parse markers and anything else are not."""
    if isinstance(value, _FloatLiteral | _ConstantLiteral | _DuplicateKeyObject | float):
        raise _Problem(_describe(value))
    if isinstance(value, str | bool) or value is None:
        return False
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return False
        raise _Problem(_describe(value))
    if isinstance(value, dict):
        return _scan(dict(value), depth)
    if isinstance(value, list | tuple):
        return _scan(list(value), depth)
    raise _Problem(_describe(value))


def _surrogate_error(value: Any, path: tuple[str | int, ...] = ()) -> JSONValueError | None:
    """The error for the first lone surrogate in ``value``, or None if there is none."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        if found:
            code = f"U+{ord(found.group()):04X}"
            return JSONValueError(f"string contains a lone surrogate {code}", _format_path(path))
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _SURROGATE.search(key)
            if found:
                code = f"U+{ord(found.group()):04X}"
                return JSONValueError(
                    f"object key contains a lone surrogate {code}", _format_path(path)
                )
            error = _surrogate_error(item, (*path, key))
            if error:
                return error
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            error = _surrogate_error(item, (*path, index))
            if error:
                return error
    return None


def check_value(value: Any) -> None:
    """Raise ``JSONValueError`` unless ``value`` is strict JSON (see the module docstring)."""
    try:
        _scan(value)
    except _Problem as problem:
        raise problem.to_error() from None
    error = _surrogate_error(value)
    if error:
        raise error


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a strict JSON value; ``JSONValueError`` if refused:
    the strict check's walk, then ``orjson`` with sorted keys (``rfc8785`` when a key leaves the
    Basic Multilingual Plane)."""
    try:
        outside_bmp = _scan(value)
    except _Problem as problem:
        raise problem.to_error() from None
    try:
        if outside_bmp:
            return rfc8785.dumps(value)
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)  # type: ignore[no-any-return]
    except (ValueError, TypeError):  # lone surrogates: UnicodeEncodeError, orjson's TypeError
        error = _surrogate_error(value)
        if error is None:
            raise
        raise error from None


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = _DuplicateKeyObject(result)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.duplicate = key
            break
        seen.add(key)
    return marked


def parse_strict(text: str | bytes) -> Any:
    """Parse JSON text (``bytes`` must be UTF-8), refusing what ``check_value`` refuses."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise JSONValueError(f"not valid UTF-8 (byte {error.start})") from None
    try:
        value = json.loads(
            text,
            parse_float=_FloatLiteral,
            parse_constant=_ConstantLiteral,
            object_pairs_hook=_object_from_pairs,
        )
    except json.JSONDecodeError as error:
        raise JSONValueError(
            f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except (ValueError, RecursionError) as error:
        raise JSONValueError(f"invalid JSON: {error}") from None
    try:
        _scan(value)
    except _Problem as problem:
        raise problem.to_error() from None
    if _SURROGATE_ESCAPE.search(text) or _SURROGATE.search(text):
        surrogate = _surrogate_error(value)
        if surrogate:
            raise surrogate
    return value
