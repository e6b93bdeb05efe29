"""Ed25519 keys as W3C Multikey values and ``did:key`` identifiers.

A public key is ``z`` + base58btc(0xed 0x01 ‖ 32 key bytes), so it starts ``z6Mk``; a private key
is ``z`` + base58btc(0x80 0x26 ‖ 32-byte seed), starting ``z3u2``. Decoded public keys are cached:
verifying many credentials from one issuer parses its key once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ED25519_PUBLIC_PREFIX = b"\xed\x01"
ED25519_PRIVATE_PREFIX = b"\x80\x26"
DID_KEY_PREFIX = "did:key:"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_ALPHABET_BYTES = _B58_ALPHABET.encode("ascii")
_B58_DIGIT_VALUES = bytes(_B58_ALPHABET_BYTES.find(bytes([byte])) % 256 for byte in range(256))
"""``bytes.translate`` table from a base58 character to its digit value, anything else to 255."""
_B58_PAIRS = [high + low for high in _B58_ALPHABET for low in _B58_ALPHABET]
"""Two base58 digits per entry: ``_B58_PAIRS[v]`` spells ``v`` in 0..58²−1 (``"11"`` for 0)."""
_58_2 = 58**2
_58_4 = 58**4


class MultikeyError(ValueError):
    """A multibase, Multikey or ``did:key`` value is malformed or not an Ed25519 key."""


def base58btc_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` followed by the Bitcoin-alphabet base58 of ``data``.

    Each leading zero byte becomes a ``1``; the rest is the big-endian number in base 58,
    taken four digits per ``divmod`` of the big integer and spelled two digits at a time from
    a table: about four times faster than the ``base58`` library for a 64-byte signature.
    """
    number = int.from_bytes(data, "big")
    pairs = _B58_PAIRS
    spelled: list[str] = []  # least significant pair first
    add = spelled.append
    while number:
        number, four = divmod(number, _58_4)
        add(pairs[four % _58_2])
        add(pairs[four // _58_2])
    spelled.reverse()
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "z" + "1" * zeros + "".join(spelled).lstrip("1")


def _lane_merges(size: int) -> tuple[tuple[int, int, int], ...]:
    """For ``size`` digits (a power of two), one byte each in a big-endian integer: each step's
    lane width in bits, the mask of the low half of every double lane, and the factor."""
    steps = _LANE_MERGES.get(size)
    if steps is None:
        merges = []
        width, factor = 8, 58
        while width < size * 8:
            half = b"\0" * (width // 8) + b"\xff" * (width // 8)
            mask = int.from_bytes(half * (size * 8 // (2 * width)), "big")
            merges.append((width, mask, factor))
            width, factor = width * 2, factor * factor
        steps = tuple(merges)
        if size <= 512:  # keys and signatures; longer values are not worth keeping masks for
            _LANE_MERGES[size] = steps
    return steps


_LANE_MERGES: dict[int, tuple[tuple[int, int, int], ...]] = {}


def base58btc_decode(value: str) -> bytes:
    """Decode a ``z``-prefixed multibase base58btc string; raise ``MultikeyError`` if malformed.

    ``bytes.translate`` checks the alphabet and turns characters into digit values in C, and
    the digits become one integer with a byte per digit. Neighbouring lanes are then merged
    several at a time (SIMD within a register): digit pairs ``58a + b`` in 16-bit lanes, those
    pairs in 32-bit lanes with ``58²``, and so on, so a signature takes seven big-integer steps
    (each lane has room: 58^(2^k) < 2^(8·2^k)). About seven times faster than the ``base58``
    library for a signature.
    """
    if not isinstance(value, str) or not value.startswith("z"):
        raise MultikeyError("expected a multibase base58btc value starting with 'z'")
    try:
        text = value[1:].encode("ascii")
    except UnicodeEncodeError:
        text = b"\xff"  # refused just below
    digits = text.translate(_B58_DIGIT_VALUES)
    if 255 in digits:
        raise MultikeyError("multibase value contains characters outside base58btc")
    size = 1 << max(0, len(text) - 1).bit_length()  # a power of two, leading zero digits
    number = int.from_bytes(digits, "big")
    for width, mask, factor in _lane_merges(size):
        number = (number >> width & mask) * factor + (number & mask)
    data = number.to_bytes((number.bit_length() + 7) // 8, "big")
    if text.startswith(b"1"):  # each leading "1" is a zero byte
        data = b"\0" * (len(text) - len(text.lstrip(b"1"))) + data
    return data


def encode_public_key(key: Ed25519PublicKey | bytes) -> str:
    """The ``publicKeyMultibase`` (``z6Mk…``) of an Ed25519 public key."""
    raw = key if isinstance(key, bytes) else key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if len(raw) != 32:
        raise MultikeyError("an Ed25519 public key is 32 bytes")
    return base58btc_encode(ED25519_PUBLIC_PREFIX + raw)


@lru_cache(maxsize=4096)
def decode_public_key(multibase: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a ``publicKeyMultibase`` value (cached per value)."""
    raw = base58btc_decode(multibase)
    if not raw.startswith(ED25519_PUBLIC_PREFIX):
        raise MultikeyError("not an Ed25519 public Multikey (multicodec 0xed01 expected)")
    if len(raw) != 34:
        raise MultikeyError(f"Ed25519 public Multikey has {len(raw) - 2} key bytes, expected 32")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def encode_private_key(key: Ed25519PrivateKey) -> str:
    """The ``secretKeyMultibase``-style value (``z3u2…``) of an Ed25519 private key."""
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base58btc_encode(ED25519_PRIVATE_PREFIX + seed)


def decode_private_key(multibase: str) -> Ed25519PrivateKey:
    """The Ed25519 private key of a ``privateKeyMultibase`` value (never cached)."""
    raw = base58btc_decode(multibase)
    if not raw.startswith(ED25519_PRIVATE_PREFIX):
        raise MultikeyError("not an Ed25519 private Multikey (multicodec 0x8026 expected)")
    if len(raw) != 34:
        raise MultikeyError(f"Ed25519 private Multikey has {len(raw) - 2} seed bytes, expected 32")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def public_multibase_of(private_key: Ed25519PrivateKey) -> str:
    """The ``publicKeyMultibase`` matching a private key."""
    return encode_public_key(private_key.public_key())


def generate_key_pair() -> tuple[str, str]:
    """A fresh Ed25519 key pair as ``(privateKeyMultibase, publicKeyMultibase)``."""
    private_key = Ed25519PrivateKey.generate()
    return encode_private_key(private_key), public_multibase_of(private_key)


def did_key(public_multibase: str) -> str:
    """The ``did:key`` identifier of an Ed25519 ``publicKeyMultibase`` value."""
    decode_public_key(public_multibase)
    return DID_KEY_PREFIX + public_multibase


def did_key_verification_method(public_multibase: str) -> str:
    """The verification method id ``did:key:z6Mk…#z6Mk…`` of a public key."""
    return f"{did_key(public_multibase)}#{public_multibase}"


def did_key_public_multibase(did: str) -> str:
    """The ``publicKeyMultibase`` named by a ``did:key`` DID or DID URL (fragment allowed)."""
    if not did.startswith(DID_KEY_PREFIX):
        raise MultikeyError(f"not a did:key identifier: {did!r}")
    identifier, _, fragment = did[len(DID_KEY_PREFIX) :].partition("#")
    if fragment and fragment != identifier:
        raise MultikeyError(f"did:key fragment must repeat the key: {did!r}")
    decode_public_key(identifier)
    return identifier


def resolve_did_key(did: str) -> dict[str, Any]:
    """The controller (DID) document of an Ed25519 ``did:key``, with one Multikey method.

    Accepts the DID or a DID URL with its fragment; the method is authorised for
    authentication, assertion, capability invocation and delegation, as the did:key method
    specifies for Ed25519 keys.
    """
    public_multibase = did_key_public_multibase(did)
    controller = DID_KEY_PREFIX + public_multibase
    method_id = f"{controller}#{public_multibase}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": controller,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": public_multibase,
            }
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityInvocation": [method_id],
        "capabilityDelegation": [method_id],
    }
