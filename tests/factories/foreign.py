"""A credential from an issuer not filed in any ledger here: a fresh ``did:key``, VC 2.0 only."""

from __future__ import annotations

from typing import Any

from service.signing.data_integrity import add_proof
from service.signing.multikey import did_key_verification_method, generate_key_pair


def foreign_credential(
    name: str = "王五", valid_from: str = "2020-01-01T00:00:00Z"
) -> dict[str, Any]:
    """A valid credential about ``name`` signed (eddsa-jcs-2022) by a new ``did:key`` issuer."""
    private, public = generate_key_pair()
    method = did_key_verification_method(public)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": method.partition("#")[0],
        "validFrom": valid_from,
        "credentialSubject": {"name": name},
    }
    return add_proof(document, private, method, valid_from)
