"""Credentials signed and verified per second against raw Ed25519, measured in the same run.

Baseline: ``cryptography``'s Ed25519 signing and verifying a 64-byte message (the size of the
eddsa-jcs-2022 hash data). Measured: ``add_proof`` and ``verify_proof`` on a realistic Open
Badges 3.0 skill-grade credential of about 2 KB (canonical form), with a did:key resolver that
returns the cached key object; and, for information, the full ``verify_credential`` report and
RFC 8785 canonicalisation through the ``rfc8785`` library alone. Rounds interleave the runs and
the median rate of each is reported, so machine noise hits every run alike. Goals (issue 4):
verification at >= 0.8 of raw verify, signing at >= 0.5 of raw sign.

    python benchmarks/bench_credentials.py [--rounds 7] [--seconds 0.3]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.signing.canonical_json import FAST_ROUTE, canonicalize
from service.signing.credential_verifier import verify_credential
from service.signing.data_integrity import add_proof, verify_proof
from service.signing.multikey import (
    decode_public_key,
    did_key_public_multibase,
    did_key_verification_method,
    public_multibase_of,
)

VERIFY_GOAL = 0.8
SIGN_GOAL = 0.5
BASE = "https://craftledger.example"


def make_credential(issuer: str) -> dict[str, Any]:
    """A skill-grade certificate as the application renders it (about 2 KB canonical)."""
    lists = f"{BASE}/api/v1/status-lists/91110105MA01"
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{BASE}/certificates/Y110105002024060100123",
        "type": ["VerifiableCredential", "OpenBadgeCredential", "AchievementCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "北京链家房地产经纪有限公司"},
        "validFrom": "2024-06-01T00:00:00Z",
        "name": "职业技能等级证书 电工 三级/高级工",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "张*明",
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "identityNumber",
                    "hashed": True,
                    "identityHash": "sha256$" + "3f" * 32,
                    "salt": "c2FsdC0xMjM0NTY3OA",
                }
            ],
            "achievement": {
                "id": f"{BASE}/achievements/6-31-01-03/3",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": "电工 三级/高级工",
                "description": "职业技能等级认定：电工（6-31-01-03）三级/高级工",
                "criteria": {"narrative": "理论知识考试和操作技能考核成绩均达到60分及以上。"},
            },
            "result": [
                {"type": ["Result"], "resultDescription": "urn:uuid:theory", "value": "87"},
                {"type": ["Result"], "resultDescription": "urn:uuid:practice", "value": "91"},
            ],
        },
        "evidence": [
            {
                "id": f"{BASE}/evaluations/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                "type": ["Evidence"],
                "name": "2024年第二批企业自主评价",
                "description": "北京链家 2024-05 电工 三级 企业技能人才自主评价",
            }
        ],
        "credentialStatus": [
            {
                "id": f"{lists}/revocation#94567",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "94567",
                "statusListCredential": f"{lists}/revocation",
            },
            {
                "id": f"{lists}/suspension#23452",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "suspension",
                "statusListIndex": "23452",
                "statusListCredential": f"{lists}/suspension",
            },
        ],
        "certificateNumber": "Y110105002024060100123",
    }


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second over about ``seconds`` of repeated calls."""
    count, batch = 0, 64
    gc.disable()
    try:
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for _ in range(batch):
                operation()
            count += batch
    finally:
        gc.enable()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.3, help="per run and round")
    args = parser.parse_args()

    private_key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public_key = private_key.public_key()
    method = did_key_verification_method(public_multibase_of(private_key))
    credential = make_credential(method.partition("#")[0])
    signed = add_proof(credential, private_key, method)
    message = bytes(64)
    signature = private_key.sign(message)
    now = datetime.now(UTC)

    def resolve(verification_method: str) -> Any:
        return decode_public_key(did_key_public_multibase(verification_method))

    assert verify_proof(signed, resolve).verified
    signature_check = verify_credential(signed, now=now).get("signature")
    assert signature_check is not None and signature_check.status == "passed"
    runs: dict[str, Callable[[], object]] = {
        "raw Ed25519 sign (64 B)": lambda: private_key.sign(message),
        "add_proof": lambda: add_proof(credential, private_key, method),
        "raw Ed25519 verify (64 B)": lambda: public_key.verify(signature, message),
        "verify_proof": lambda: verify_proof(signed, resolve, now=now),
        "verify_credential (report)": lambda: verify_credential(signed, now=now),
        "canonicalize": lambda: canonicalize(credential),
        "rfc8785.dumps alone": lambda: rfc8785.dumps(credential),
    }
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, operation in runs.items():
            samples[name].append(rate(operation, args.seconds))
    rates = {name: statistics.median(values) for name, values in samples.items()}

    size = len(canonicalize(credential))
    print(f"credential: {size} bytes canonical; fast canonicaliser: {FAST_ROUTE}")
    print(f"median of {args.rounds} interleaved rounds of {args.seconds:.2f} s each\n")
    for name, value in rates.items():
        print(f"  {name:<28} {value:>10,.0f} /s  {1e6 / value:8.1f} µs")
    sign_ratio = rates["add_proof"] / rates["raw Ed25519 sign (64 B)"]
    verify_ratio = rates["verify_proof"] / rates["raw Ed25519 verify (64 B)"]
    report_ratio = rates["verify_credential (report)"] / rates["raw Ed25519 verify (64 B)"]
    jcs_ratio = rates["canonicalize"] / rates["rfc8785.dumps alone"]
    print()
    print(f"  signing / raw sign            {sign_ratio:5.2f}  (goal >= {SIGN_GOAL})")
    print(f"  verify_proof / raw verify     {verify_ratio:5.2f}  (goal >= {VERIFY_GOAL})")
    print(f"  verify_credential / raw verify {report_ratio:4.2f}  (information)")
    print(f"  canonicalize / rfc8785 alone  {jcs_ratio:5.1f}x")


if __name__ == "__main__":
    main()
