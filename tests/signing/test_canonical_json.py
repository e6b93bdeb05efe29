"""Strict JSON parsing and RFC 8785 canonicalisation."""

from __future__ import annotations

import enum
from collections import OrderedDict
from datetime import date

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from service.signing import canonical_json
from service.signing.canonical_json import (
    MAX_SAFE_INTEGER,
    JSONValueError,
    canonicalize,
    check_value,
    parse_strict,
)


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ('{"result": {"value": 87.5}}', "$.result.value", "87.5 is not an integer"),
        ('{"a": [1, 2, 1e3]}', "$.a[2]", "1e3 is not an integer"),
        ('{"a": 1.0}', "$.a", "1.0 is not an integer"),
        ('{"a": NaN}', "$.a", "NaN is not valid JSON"),
        ("[Infinity]", "$[0]", "Infinity is not valid JSON"),
        ('{"x": -Infinity}', "$.x", "-Infinity is not valid JSON"),
        ('{"n": 9007199254740992}', "$.n", "outside ±(2^53−1)"),
        ('{"n": -9007199254740992}', "$.n", "outside ±(2^53−1)"),
        ('{"a": {"b": 1, "b": 2}}', "$.a", 'duplicate key "b"'),
        ('{"@context": 1, "@context": 2}', "$", 'duplicate key "@context"'),
        ('{"name": "\\ud800"}', "$.name", "lone surrogate U+D800"),
        ('{"list": ["ok", "x\\udc00y"]}', "$.list[1]", "lone surrogate U+DC00"),
        ('{"\\ud83d": 1}', "$", "object key contains a lone surrogate U+D83D"),
        ('{"姓名": {"first name": 0.5}}', '$["姓名"]["first name"]', "0.5 is not an integer"),
    ],
)
def test_parse_strict_refuses_with_the_json_path(text, path, words):
    with pytest.raises(JSONValueError) as refused:
        parse_strict(text)
    assert refused.value.path == path
    assert words in str(refused.value)


def test_parse_strict_refuses_raw_lone_surrogates_in_text():
    with pytest.raises(JSONValueError) as refused:
        parse_strict('{"a": ["\udbff"]}')
    assert str(refused.value) == "$.a[0]: string contains a lone surrogate U+DBFF"


def test_parse_strict_reports_syntax_errors_with_position():
    with pytest.raises(JSONValueError, match=r"line 2, column 1"):
        parse_strict('{"a": 1,\n}')


def test_parse_strict_requires_utf8_bytes():
    with pytest.raises(JSONValueError, match="not valid UTF-8"):
        parse_strict('{"a": "é"}'.encode("latin-1"))


def test_parse_strict_accepts_safe_integers_and_surrogate_pairs():
    value = parse_strict(
        b'{"max": 9007199254740991, "min": -9007199254740991, "face": "\\ud83d\\ude00"}'
    )
    assert value == {"max": MAX_SAFE_INTEGER, "min": -MAX_SAFE_INTEGER, "face": "😀"}


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"a": 1.5}, "$.a"),
        ({"a": float("nan")}, "$.a"),
        ([float("inf")], "$[0]"),
        ({"a": [{"b": 2**53}]}, "$.a[0].b"),
        ({1: "x"}, "$"),
        ({"when": date(2024, 1, 1)}, "$.when"),
        ({"raw": b"bytes"}, "$.raw"),
        ({"tags": {"a"}}, "$.tags"),
        ({"x": "\udfff"}, "$.x"),
    ],
)
def test_check_value_refuses_non_json_python_values(value, path):
    with pytest.raises(JSONValueError) as refused:
        check_value(value)
    assert refused.value.path == path
    with pytest.raises(JSONValueError):
        canonicalize(value)


def test_refused_nesting_depth_is_reported():
    deep: list = []
    for _ in range(canonical_json.MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(JSONValueError, match="nested deeper"):
        canonicalize(deep)


class Level(enum.IntEnum):
    HIGH = 3


def test_subclasses_of_json_types_canonicalise_like_their_base():
    value = OrderedDict([("b", Level.HIGH), ("a", ("x", True, None))])
    assert canonicalize(value) == b'{"a":["x",true,null],"b":3}'


def test_rfc8785_key_order_is_by_utf16_code_units():
    """RFC 8785 section 3.2.3: the emoji (a surrogate pair) sorts before U+FB33."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = [v for v in canonicalize(value).decode("utf-8").split('"')[3::4]]
    assert order == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


def test_rfc8785_string_escapes():
    """RFC 8785 section 3.2.2.2's example string."""
    value = parse_strict('"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/"')
    assert canonicalize(value) == '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'.encode()


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text(st.characters(blacklist_categories=("Cs",)))
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.text(st.characters(blacklist_categories=("Cs",))), children, max_size=5
        )
    ),
    max_leaves=30,
)


@given(json_values)
def test_canonicalize_equals_the_rfc8785_library(value):
    assert canonicalize(value) == rfc8785.dumps(value)


def test_canonical_bytes_are_parsed_back_unchanged():
    value = {"b": [1, "二", {"c": None}], "a": "\u2028\x7f"}
    assert parse_strict(canonicalize(value)) == value
