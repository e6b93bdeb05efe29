"""The signing core's fast paths give the same results as the reference libraries.

base58btc (the ``base58`` library's) refusing what is not base58btc; the ``orjson`` canonical
route against the strict check and ``rfc8785`` (same bytes, or the same error at the same
path); one check over a document for the parts taken out of it; cached proof configurations
against computed ones; and the benchmark's ``--check`` flag.
"""

from __future__ import annotations

import enum
import subprocess
import sys
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import base58
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from service.signing import canonical_json
from service.signing.canonical_json import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    JSONValueError,
    canonicalize,
    check_value,
)
from service.signing.data_integrity import (
    ProofError,
    _config_hash_for_key,
    add_proof,
    hash_data,
    proof_configuration,
    transform,
    verify_proof,
)
from service.signing.multikey import (
    MultikeyError,
    base58btc_decode,
    base58btc_encode,
    decode_public_key,
    did_key_public_multibase,
    did_key_verification_method,
    public_multibase_of,
)

ROOT = Path(__file__).resolve().parents[2]

# --- base58btc against the base58 library --------------------------------------------------


def library_encode(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


@given(st.binary(max_size=200))
def test_base58btc_encode_equals_the_library(data):
    assert base58btc_encode(data) == library_encode(data)


@given(st.integers(min_value=0, max_value=8), st.binary(max_size=120))
def test_base58btc_leading_zero_bytes_equal_the_library(zeros, data):
    value = b"\0" * zeros + data
    assert base58btc_encode(value) == library_encode(value)
    assert base58btc_decode(library_encode(value)) == value


@given(st.binary(min_size=64, max_size=64))
def test_signatures_round_trip_and_decode_like_the_library(signature):
    encoded = library_encode(signature)
    assert base58btc_decode(encoded) == signature == base58.b58decode(encoded[1:])
    assert base58btc_encode(signature) == encoded


@given(st.binary(min_size=32, max_size=32), st.sampled_from([b"\xed\x01", b"\x80\x26"]))
def test_multikey_values_round_trip(key, prefix):
    encoded = library_encode(prefix + key)
    assert base58btc_decode(encoded) == prefix + key
    assert base58btc_encode(prefix + key) == encoded


@given(st.text(alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", max_size=300))
def test_any_base58_text_decodes_like_the_library(digits):
    """Including non-canonical text (leading ``1``s, lengths no encoder produces)."""
    assert base58btc_decode("z" + digits) == base58.b58decode(digits)


@given(st.text(max_size=40))
def test_text_outside_the_alphabet_is_refused(text):
    alphabet = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
    if set(text) <= alphabet:
        return
    with pytest.raises(MultikeyError):
        base58btc_decode("z" + text)


def test_long_values_decode_like_the_library():
    data = bytes(range(256)) * 12
    assert base58btc_decode(library_encode(data)) == data


# --- the orjson canonical route against the strict check and rfc8785 ----------------------


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Name(str):
    pass


@dataclass
class Point:
    x: int


def plain(value: Any) -> Any:
    """``value`` with subclasses of the JSON types as their base and tuples as lists, which
    ``rfc8785`` takes."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    return int(value)


def checked(value: Any) -> bytes | str:
    """What the reference gives: the strict check's error message (path and problem), or
    ``rfc8785``'s bytes."""
    try:
        check_value(value)
    except JSONValueError as error:
        return str(error)
    return rfc8785.dumps(plain(value))


def fast(value: Any) -> bytes | str:
    try:
        return canonicalize(value)
    except JSONValueError as error:
        return str(error)


def same_check(value: Any) -> None:
    expected = checked(value)
    assert fast(value) == expected
    try:
        check_value(value)
    except JSONValueError as error:
        assert str(error) == expected
    else:
        assert isinstance(expected, bytes)


odd_scalars = st.sampled_from(
    [
        1.5,
        1.0,
        -0.0,
        1e16,
        float("nan"),
        float("inf"),
        2**53,
        -(2**53),
        2**64,
        MAX_SAFE_INTEGER,
        -MAX_SAFE_INTEGER,
        uuid.UUID(int=7),
        Colour.RED,
        Level.HIGH,
        Name("named"),
        date(2024, 1, 1),
        datetime(2024, 1, 1, tzinfo=UTC),
        Point(1),
        b"bytes",
        {"a"},
        "\ud800",
        "😀",
        "\u2028",
        canonical_json._FloatLiteral("1.5"),
        canonical_json._ConstantLiteral("NaN"),
    ]
)
plain_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text()
)
keys = st.text(max_size=4) | st.sampled_from(["😀", "\udc00", "a\ud83d"])
odd_keys = st.sampled_from([1, True, None, (1, 2), Name("k")])


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(keys, children, max_size=4)
        | st.dictionaries(keys, children, max_size=3).map(OrderedDict)
        | st.dictionaries(odd_keys, children, max_size=2)
    )


any_values = st.recursive(plain_scalars | odd_scalars, containers, max_leaves=25)


@settings(max_examples=400)
@given(any_values)
def test_canonical_route_gives_rfc8785s_bytes_or_the_strict_error(value):
    same_check(value)


@given(st.recursive(plain_scalars, containers, max_leaves=30))
def test_canonical_route_on_plain_values(value):
    same_check(value)


@pytest.mark.parametrize("depth", [MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
@pytest.mark.parametrize("leaf", [[], {}, "x", 1.5, None])
def test_nesting_limits_are_the_same(depth, leaf):
    value: Any = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    same_check(value)


@pytest.mark.parametrize(
    "value",
    [
        {"id": uuid.UUID(int=1)},
        {"colour": Colour.RED},
        [Colour.RED, "red"],
        {"when": datetime(2024, 1, 1, tzinfo=UTC)},
        {"point": Point(2)},
        {"result": {"value": 87.5}},
        {"n": float("nan")},
        {"big": 2**53},
        {Name("key"): 1},
        {1: "one"},
        {"😀": 1, "a": 2},
    ],
)
def test_values_orjson_would_write_are_still_refused_or_ordered_by_rfc8785(value):
    same_check(value)
    if "😀" not in value:
        with pytest.raises(JSONValueError):
            canonicalize(value)


def test_subclasses_and_tuples_still_canonicalise_like_their_base():
    value = OrderedDict([("b", Level.HIGH), ("a", ("x", Name("y"), None))])
    assert canonicalize(value) == b'{"a":["x","y",null],"b":3}'


def test_a_reference_cycle_is_refused_as_too_deep():
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(JSONValueError, match="nested deeper"):
        canonicalize(loop)


# --- signing: cached proof configurations, one copy of the document -------------------------

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
METHOD = did_key_verification_method(public_multibase_of(KEY))


def resolve(method: str) -> Any:
    return decode_public_key(did_key_public_multibase(method))


def reference_proof(document: dict[str, Any], proof: dict[str, Any]) -> str:
    """The proofValue computed step by step as the specification says, without caches."""
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    message = hash_data(transform(unsecured), proof_configuration(options))
    return base58btc_encode(KEY.sign(message))


context_values = st.one_of(
    st.just("https://www.w3.org/ns/credentials/v2"),
    st.lists(st.sampled_from(["https://a.example/v1", "https://b.example/v2", "😀"]), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["@vocab", "x"]), st.text(max_size=3)), max_size=2),
)


@settings(max_examples=60)
@given(
    context_values,
    st.sampled_from(["2024-06-01T08:00:00Z", "2024-06-01T08:00:00.5+08:00"]),
    st.sampled_from(["assertionMethod", "authentication"]),
    st.none() | st.just("urn:uuid:proof-1"),
)
def test_add_proof_matches_the_step_by_step_computation(context, created, purpose, proof_id):
    document = {"@context": context, "id": "urn:x", "name": "张三", "n": 3}
    for _ in range(2):  # the second time, the configuration comes from the cache
        secured = add_proof(document, KEY, METHOD, created, purpose, proof_id=proof_id)
        proof = secured["proof"]
        assert proof["proofValue"] == reference_proof(document, proof)
        assert proof["created"] == created and proof["proofPurpose"] == purpose
        assert secured == document | {"proof": proof}
        assert verify_proof(secured, resolve, expected_proof_purpose=purpose).verified


def test_the_proof_context_is_a_copy_even_when_cached():
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x"}
    first = add_proof(document, KEY, METHOD, "2024-06-01T08:00:00Z")
    second = add_proof(document, KEY, METHOD, "2024-06-01T08:00:00Z")
    document["@context"].append("https://example.com/changed")
    assert first["proof"]["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert first["proof"]["@context"] is not second["proof"]["@context"]
    assert "proof" not in document


def test_a_refused_created_is_refused_every_time():
    document = {"id": "urn:x"}
    for _ in range(2):
        with pytest.raises(ProofError, match="created"):
            add_proof(document, KEY, METHOD, "2024-13-01T00:00:00Z")


def test_cache_keys_keep_strings_apart_from_look_alikes():
    """``1 == True`` and ``("a",) != ["a"]`` must not share a cached configuration."""
    _config_hash_for_key.cache_clear()
    document = {"@context": ["https://a.example/v1"], "id": "urn:x"}
    secured = add_proof(document, KEY, METHOD, "2024-06-01T08:00:00Z", proof_id="1")
    assert verify_proof(secured, resolve).verified
    with pytest.raises(JSONValueError):
        add_proof({"@context": [1.5], "id": "urn:x"}, KEY, METHOD, "2024-06-01T08:00:00Z")


def test_adding_to_a_proof_set_keeps_the_documents_key_order():
    document = {"@context": ["https://a.example/v1"], "id": "urn:x"}
    first = add_proof(document, KEY, METHOD, "2024-06-01T08:00:00Z", proof_id="urn:p1")
    reordered = {"proof": first["proof"], **document}
    both = add_proof(reordered, KEY, METHOD, "2024-06-01T08:00:01Z", previous_proof="urn:p1")
    assert list(both) == ["proof", "@context", "id"]
    assert verify_proof(both, resolve).verified


# --- the benchmark --------------------------------------------------------------------------


def test_benchmark_runs_and_prints_both_ratios():
    command = [sys.executable, "benchmarks/bench_credentials.py", "--rounds", "1"]
    command += ["--slice", "0.005", "--warm-up", "0.005"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "signing / raw sign" in result.stdout
    assert "verify_proof / raw verify" in result.stdout
