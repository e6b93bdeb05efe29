"""An issuer for the signing tests: an evaluation body with Ed25519 keys in a controller
document, signing credentials and status lists; and a realistic credential to sign."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.signing.credential_verifier import ResolutionError
from service.signing.data_integrity import add_proof
from service.signing.multikey import public_multibase_of
from service.signing.status_list import (
    MESSAGE_STATUS_SIZE,
    MIN_LENGTH,
    Bitstring,
    BitstringStatusListCredential,
    status_list_entry,
)

ISSUER_ID = "did:web:craftledger.example:organisations:91110105MA01"
LIST_BASE = "https://craftledger.example/api/v1/status-lists/91110105MA01"
CREATED = "2024-06-01T08:00:00Z"


@dataclass
class Issuer:
    """An evaluation body with Ed25519 keys published in a controller document."""

    id: str = ISSUER_ID
    keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    windows: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_key(self, fragment: str, seed: int, **window: str) -> None:
        """Publish a key; ``window`` may hold validFrom, validUntil and revoked."""
        self.keys[fragment] = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        self.windows[fragment] = window

    def method(self, fragment: str) -> str:
        return f"{self.id}#{fragment}"

    @property
    def document(self) -> dict[str, Any]:
        methods = [
            {
                "id": self.method(fragment),
                "type": "Multikey",
                "controller": self.id,
                "publicKeyMultibase": public_multibase_of(key),
                **self.windows[fragment],
            }
            for fragment, key in self.keys.items()
        ]
        return {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": self.id,
            "verificationMethod": methods,
            "assertionMethod": [method["id"] for method in methods],
        }

    def resolve(self, identifier: str) -> dict[str, Any]:
        if identifier != self.id:
            raise ResolutionError(f"unknown controller {identifier}")
        return self.document

    def sign(
        self,
        document: dict[str, Any],
        fragment: str = "key-1",
        created: str = CREATED,
    ) -> dict[str, Any]:
        return add_proof(document, self.keys[fragment], self.method(fragment), created)

    def status_list(
        self,
        purpose: str,
        set_bits: Iterable[int] = (),
        fragment: str = "key-1",
        created: str = CREATED,
        **dates: str,
    ) -> dict[str, Any]:
        bits = Bitstring()
        for index in set_bits:
            bits.set(index)
        return self.signed_list(purpose, bits, fragment, created, **dates)

    def message_list(self, values: dict[int, int] | None = None, **dates: str) -> dict[str, Any]:
        """The signed 2-bit ``message`` list with ``index → value`` entries set."""
        bits = Bitstring(MIN_LENGTH * MESSAGE_STATUS_SIZE)
        for index, value in (values or {}).items():
            bits.set_value(index, value, MESSAGE_STATUS_SIZE)
        return self.signed_list("message", bits, **dates)

    def signed_list(
        self,
        purpose: str,
        bits: Bitstring,
        fragment: str = "key-1",
        created: str = CREATED,
        **dates: str,
    ) -> dict[str, Any]:
        unsigned = BitstringStatusListCredential(
            id=f"{LIST_BASE}/{purpose}",
            issuer=self.id,
            purpose=purpose,  # type: ignore[arg-type]
            bitstring=bits,
            valid_from=dates.get("valid_from", "2024-01-01T00:00:00Z"),
            valid_until=dates.get("valid_until"),
        ).to_document()
        return self.sign(unsigned, fragment, created)


def achievement_credential(
    issuer_id: str = ISSUER_ID, status_indexes: dict[str, int] | None = None
) -> dict[str, Any]:
    """A realistic Open Badges 3.0 AchievementCredential for a skill-grade certificate."""
    credential: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "https://craftledger.example/certificates/Y110105002024060100123",
        "type": ["VerifiableCredential", "OpenBadgeCredential", "AchievementCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": "北京链家房地产经纪有限公司"},
        "validFrom": "2024-06-01T00:00:00Z",
        "name": "职业技能等级证书 电工 三级/高级工",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "张*明",
            "achievement": {
                "id": "https://craftledger.example/achievements/6-31-01-03/3",
                "type": ["Achievement"],
                "name": "电工 三级/高级工",
                "criteria": {"narrative": "理论知识考试和操作技能考核成绩均达到60分以上。"},
            },
            "result": [{"type": ["Result"], "value": "87"}],
        },
    }
    if status_indexes:
        credential["credentialStatus"] = [
            status_list_entry(f"{LIST_BASE}/{purpose}", purpose, index)  # type: ignore[arg-type]
            for purpose, index in status_indexes.items()
        ]
    return credential
