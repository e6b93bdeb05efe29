"""Every written form of a private key, to look for in what must never hold one."""

from __future__ import annotations

import base64
from uuid import UUID

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from service.ledger import Ledger
from service.signing.multikey import encode_private_key


def secret_forms(private_key: Ed25519PrivateKey) -> list[bytes]:
    """Every way the private key could plausibly be written down."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return [
        seed,
        seed.hex().encode(),
        seed.hex().upper().encode(),
        base64.b64encode(seed),
        base64.b64encode(seed).rstrip(b"="),
        base64.urlsafe_b64encode(seed).rstrip(b"="),
        base58.b58encode(seed),
        encode_private_key(private_key).encode(),
    ]


def private_keys_of(ledger: Ledger, organisation_id: UUID) -> list[Ed25519PrivateKey]:
    organisation = ledger.organisation(organisation_id)
    return [
        ledger.credentials.key_store.private_key(str(organisation_id), key_id)
        for key_id in organisation.signing_keys
    ]
