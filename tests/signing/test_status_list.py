"""Bitstring Status List: bit order, encoding, decoding guards, the list credential, indexes."""

from __future__ import annotations

import base64
import gzip
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.signing.status_list import (
    MIN_LENGTH,
    Bitstring,
    BitstringStatusListCredential,
    StatusListError,
    random_unused_index,
    status_list_entry,
)

SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def raw_bits(encoded: str) -> bytes:
    """Decode an encodedList with the standard library only, independently of the module."""
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_new_list_has_131072_clear_entries():
    bits = Bitstring()
    assert len(bits) == MIN_LENGTH == 131_072
    assert not any(bits.to_bytes())


@pytest.mark.parametrize("length", [MIN_LENGTH - 8, MIN_LENGTH + 1, 0])
def test_short_or_ragged_lengths_are_refused(length):
    with pytest.raises(StatusListError):
        Bitstring(length)


@pytest.mark.parametrize(
    ("index", "byte", "value"),
    [(0, 0, 0x80), (1, 0, 0x40), (7, 0, 0x01), (8, 1, 0x80), (MIN_LENGTH - 1, -1, 0x01)],
)
def test_index_zero_is_the_most_significant_bit_of_the_first_byte(index, byte, value):
    bits = Bitstring()
    bits.set(index)
    assert raw_bits(bits.encode())[byte] == value
    assert bits.get(index)
    assert sum(bin(b).count("1") for b in bits.to_bytes()) == 1


def test_clearing_a_bit():
    bits = Bitstring()
    bits.set(5)
    bits.set(6)
    bits.set(5, False)
    assert (bits.get(5), bits.get(6)) == (False, True)


@pytest.mark.parametrize("index", [-1, MIN_LENGTH, True, "3"])
def test_out_of_range_indexes_are_refused(index):
    with pytest.raises(StatusListError):
        Bitstring().get(index)


@given(st.sets(st.integers(0, MIN_LENGTH - 1), max_size=50))
def test_encode_decode_round_trip(indexes):
    bits = Bitstring()
    for index in indexes:
        bits.set(index)
    decoded = Bitstring.decode(bits.encode())
    assert decoded.to_bytes() == bits.to_bytes()
    assert {i for i in indexes if decoded.get(i)} == indexes


def test_encoding_is_unpadded_base64url_multibase_and_deterministic():
    bits = Bitstring()
    bits.set(94567)
    encoded = bits.encode()
    assert encoded.startswith("u")
    assert not set(encoded) & set("=+/")
    assert encoded == bits.encode()  # no gzip timestamp: same list, same text, same ETag


def test_the_specification_example_decodes_to_an_empty_list():
    bits = Bitstring.decode(SPEC_EXAMPLE)
    assert len(bits) == MIN_LENGTH
    assert not any(bits.to_bytes())


def encode_raw(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(data)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("encoded", "words"),
    [
        (SPEC_EXAMPLE[1:], "starting with 'u'"),
        ("z" + SPEC_EXAMPLE[1:], "starting with 'u'"),
        (SPEC_EXAMPLE + "==", "unpadded"),
        ("u!!!!", "outside base64url"),
        ("u" + SPEC_EXAMPLE[1:].replace("-", "+"), "outside base64url"),
        ("u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="), "GZIP"),
        (encode_raw(bytes(1000)), "fewer than the 131072"),
        (SPEC_EXAMPLE[:-6], "truncated"),
    ],
)
def test_malformed_encoded_lists_are_refused(encoded, words):
    with pytest.raises(StatusListError, match=words):
        Bitstring.decode(encoded)


def test_decoding_stops_at_the_size_limit():
    bomb = encode_raw(bytes(MIN_LENGTH // 8 * 4))
    with pytest.raises(StatusListError, match="beyond"):
        Bitstring.decode(bomb, max_length=MIN_LENGTH * 2)
    assert len(Bitstring.decode(bomb)) == MIN_LENGTH * 4


def test_status_list_credential_document():
    bits = Bitstring()
    bits.set(3)
    document = BitstringStatusListCredential(
        id="https://example.com/status/3",
        issuer="did:example:12345",
        purpose="revocation",
        bitstring=bits,
        valid_from="2024-01-01T00:00:00Z",
        ttl_milliseconds=300_000,
    ).to_document()
    assert document == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://example.com/status/3",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://example.com/status/3#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
            "ttl": 300_000,
        },
    }


def test_only_revocation_and_suspension_lists_are_built():
    with pytest.raises(StatusListError):
        BitstringStatusListCredential("https://x/1", "did:example:1", "message", Bitstring())  # type: ignore[arg-type]
    with pytest.raises(StatusListError):
        status_list_entry("https://x/1", "refresh", 1)  # type: ignore[arg-type]


def test_status_list_entry_carries_the_index_as_a_decimal_string():
    assert status_list_entry("https://x/status/4", "suspension", 23452) == {
        "id": "https://x/status/4#23452",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "23452",
        "statusListCredential": "https://x/status/4",
    }


def test_random_indexes_are_never_reused():
    used: set[int] = set()
    for _ in range(2000):
        index = random_unused_index(used, 4096)
        assert 0 <= index < 4096 and index not in used
        used.add(index)
    assert len(used) == 2000


def test_a_nearly_full_list_still_finds_its_free_indexes():
    size = 64
    used = set(range(size)) - {17, 42}
    found = {random_unused_index(used, size, random.Random(seed)) for seed in range(40)}
    assert found == {17, 42}


def test_a_full_list_is_refused():
    with pytest.raises(StatusListError, match="all 16 indexes"):
        random_unused_index(set(range(16)), 16)


def test_indexes_are_spread_over_the_whole_list():
    rng = random.Random(7)
    indexes = [random_unused_index(set(), MIN_LENGTH, rng) for _ in range(400)]
    assert min(indexes) < MIN_LENGTH // 8 and max(indexes) > MIN_LENGTH * 7 // 8


def test_multi_bit_entries_are_read_most_significant_bit_first():
    from service.signing.status_list import StatusListError

    bits = Bitstring(2 * MIN_LENGTH)
    bits.set_value(1, 2, 2)  # entry 1 is bits 2 and 3: 0b10
    bits.set_value(2, 1, 2)  # entry 2 is bits 4 and 5: 0b01
    assert bits.to_bytes()[0] == 0b0010_0100
    assert [bits.get_value(i, 2) for i in range(4)] == [0, 2, 1, 0]
    bits.set_value(1, 0, 2)
    assert bits.get_value(1, 2) == 0
    decoded = Bitstring.decode(bits.encode())
    assert decoded.get_value(2, 2) == 1
    with pytest.raises(StatusListError):
        bits.set_value(0, 4, 2)  # does not fit 2 bits
    with pytest.raises(StatusListError):
        bits.get_value(MIN_LENGTH, 2)  # beyond the last entry
