"""Ed25519 keys as W3C Multikey values and ``did:key`` identifiers.

A public key is ``z`` + base58btc(0xed 0x01 ‖ 32 key bytes), so it starts ``z6Mk``; a private key
is ``z`` + base58btc(0x80 0x26 ‖ 32-byte seed), starting ``z3u2``. Decoded public keys are cached:
verifying many credentials from one issuer parses its key once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import base58
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

_B58_ALPHABET = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")


class MultikeyError(ValueError):
    """A multibase, Multikey or ``did:key`` value is malformed or not an Ed25519 key."""


def base58btc_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` followed by the Bitcoin-alphabet base58 of ``data`` (the
    ``base58`` library's; a hand-written codec gained under 20 % on signing and verifying
    rates, ``benchmarks/bench_fast_paths.py``)."""
    return "z" + base58.b58encode(data).decode("ascii")


def base58btc_decode(value: str) -> bytes:
    """Decode a ``z``-prefixed multibase base58btc string; raise ``MultikeyError`` if malformed
    (the ``base58`` library decodes; every character must be in the alphabet, so no
    surrounding white space either, which the library would strip)."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise MultikeyError("expected a multibase base58btc value starting with 'z'")
    text = value[1:]
    if not _B58_ALPHABET.issuperset(text):
        raise MultikeyError("multibase value contains characters outside base58btc")
    return base58.b58decode(text)


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
