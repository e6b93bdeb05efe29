"""Strict JSON for signed documents, and RFC 8785 (JCS) canonical bytes.

Signed documents carry no floats: a number with a fraction or exponent, NaN, Infinity, an
integer beyond ±(2^53−1), a duplicate object key or a lone surrogate is refused with an error
naming its JSON path (``$.credentialSubject.result[0].value``). Values are strings.

``canonicalize`` produces RFC 8785 bytes. For the values it accepts (no floats), RFC 8785
output equals a compact JSON encoding with sorted keys and raw UTF-8, except for key order when
a key holds a character outside the Basic Multilingual Plane (RFC 8785 sorts by UTF-16 code
units, other encoders by code points). Such documents go through the ``rfc8785`` library; all
others through ``orjson`` when it is installed (about 40 times faster than ``rfc8785``) or the
standard library's C encoder (about 4 times faster). The tests check every route against
``rfc8785`` on generated documents.

With ``orjson``, ``canonicalize`` first tries a fast route that checks without a Python-level
walk: ``orjson`` refuses non-string keys, integers beyond ±(2^53−1) (``OPT_STRICT_INTEGER``),
lone surrogates and (with the pass-through options) every subclass, dataclass and date;
``gc.get_referents`` then lists the document level by level in C, and every level must hold
only plain ``str``, ``int``, ``bool``, ``None``, ``dict``, ``list`` and ``tuple`` values (no
floats, no ``UUID`` or ``Enum`` that ``orjson`` would serialise by itself), no deeper than
``MAX_DEPTH``, and the output must hold no character outside the BMP (so no key can). Anything
else takes the checked route above, which gives the same bytes or the precise error, so the
fast route changes speed, never results; the tests compare both routes on generated values.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Sequence
from typing import Any

import rfc8785

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is optional
    orjson = None  # type: ignore[assignment]

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 64

_C_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    check_circular=False,
    allow_nan=False,
    sort_keys=True,
    separators=(",", ":"),
)
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


_PLAIN_TYPES = frozenset({str, int, bool, type(None), dict, list, tuple})
if orjson is not None:
    _FAST_OPTIONS = (
        orjson.OPT_SORT_KEYS
        | orjson.OPT_STRICT_INTEGER
        | orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
    )


def _plain_and_shallow(values: Sequence[Any], limit: int) -> bool:
    """Whether everything in each of ``values``, level by level, has one of the plain JSON
    types, no container lies ``MAX_DEPTH`` levels down, and there are at most ``limit``
    values below the top.

    ``gc.get_referents`` of plain containers gives their items (and, for a dict, its keys only
    when some key is not a plain ``str``; ``orjson`` refuses those anyway). ``limit`` bounds
    the work and memory when containers are shared many times over (a JSON text cannot do
    that; Python objects can): past it, the checked route decides.
    """
    level = list(values)
    depth = seen = 0
    plain = _PLAIN_TYPES.issuperset
    referents = gc.get_referents
    while plain(map(type, level)):
        level = referents(*level)
        if not level:
            return True
        depth += 1
        seen += len(level)
        if depth == MAX_DEPTH or seen > limit:
            return False  # too deep or too many: let the checked route decide
    return False


def _fast_canonical(value: Any) -> bytes | None:
    """Canonical bytes of ``value`` if the fast route can vouch that ``_scan`` accepts it with
    all keys in the BMP (then ``orjson`` with sorted keys is RFC 8785); None otherwise."""
    try:
        encoded: bytes = orjson.dumps(value, option=_FAST_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: bad key, integer, surrogate, type, depth
        return None
    # every value took at least one byte of the output
    if not _plain_and_shallow((value,), len(encoded)) or _has_astral(encoded):
        return None
    return encoded


def _has_astral(encoded: bytes) -> bool:
    """Whether UTF-8 ``encoded`` holds a character outside the BMP: a four-byte sequence,
    whose lead byte is 0xF0-0xF4 (integer needles: a plain ``memchr`` each)."""
    return not encoded.isascii() and (
        0xF0 in encoded or 0xF1 in encoded or 0xF2 in encoded or 0xF3 in encoded or 0xF4 in encoded
    )


def _get_referents_lists_items() -> bool:
    """Whether ``gc.get_referents`` lists container items as ``_plain_and_shallow`` expects
    (CPython does); if an interpreter does otherwise, the fast route stays off."""
    item = ["x"]
    probe: list[Any] = [{"a": 1.5, "b": item}, (None, 2), "s"]
    try:
        found = gc.get_referents(*probe)
    except Exception:  # pragma: no cover - other interpreters
        return False
    expected = [1.5, item, None, 2]
    return sorted(map(id, found)) == sorted(map(id, expected)) and len(found) == len(expected)


_FAST_ROUTE_ON = orjson is not None and _get_referents_lists_items()


def check_value(value: Any) -> None:
    """Raise ``JSONValueError`` unless ``value`` is strict JSON (see the module docstring)."""
    if _FAST_ROUTE_ON and _fast_canonical(value) is not None:
        return
    try:
        _scan(value)
    except _Problem as problem:
        raise problem.to_error() from None
    error = _surrogate_error(value)
    if error:
        raise error


def _encode_with_stdlib(value: Any) -> bytes:
    return _C_ENCODER.encode(value).encode("utf-8")


def _encode_with_orjson(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


_encode_bmp_keys = _encode_with_orjson if orjson is not None else _encode_with_stdlib
FAST_ROUTE = "orjson" if orjson is not None else "json (standard library)"
"""Which encoder canonicalises documents whose keys stay in the Basic Multilingual Plane."""


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a strict JSON value; ``JSONValueError`` if refused."""
    if _FAST_ROUTE_ON:
        encoded = _fast_canonical(value)
        if encoded is not None:
            return encoded
    return _checked_canonical(value)


def canonicalize_pair(first: Any, second: Any) -> list[bytes]:
    """``[canonicalize(first), canonicalize(second)]``, with one walk over both values."""
    if _FAST_ROUTE_ON:
        try:
            one = orjson.dumps(first, option=_FAST_OPTIONS)
            two = orjson.dumps(second, option=_FAST_OPTIONS)
        except TypeError:  # a key that is not a string, a lone surrogate, a bad integer…
            pass
        else:
            if _plain_and_shallow((first, second), len(one) + len(two)):
                return [
                    _checked_canonical(first) if _has_astral(one) else one,
                    _checked_canonical(second) if _has_astral(two) else two,
                ]
    return [canonicalize(first), canonicalize(second)]


def _checked_canonical(value: Any) -> bytes:
    """``canonicalize`` by the checked route: a Python walk, then the right encoder."""
    try:
        outside_bmp = _scan(value)
    except _Problem as problem:
        raise problem.to_error() from None
    try:
        if outside_bmp:
            return rfc8785.dumps(value)
        return _encode_bmp_keys(value)
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
