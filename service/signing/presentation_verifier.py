"""Sign a verifiable presentation (VC Data Model 2.0 §4.13) as its holder, and verify one
check by check.

``sign_presentation`` adds the holder's ``eddsa-jcs-2022`` proof for ``authentication``, with
the verifier's ``challenge`` and ``domain`` among its (signed) options. Verifying reports:

* ``data_model``: the presentation's MUSTs (``data_model.presentation_violations``);
* ``signature``: its Data Integrity proof, made for ``authentication`` by a key its controller
  lists for authentication (a key that cannot be had: unknown);
* ``challenge`` and ``domain``: the proof carries the ones the verifier asked for (they are
  signed with it, so a replayed presentation fails); skipped when none was asked for;
* ``holder_binding``: the presentation names a ``holder`` and the holder controls the signing
  key;
* ``subject_binding``: each credential whose ``credentialSubject`` names an ``id`` names the
  holder (a credential naming no subject id is bound to no one: a warning);
* ``credentials``: each embedded ``verifiableCredential`` verified by the credential verifier
  given, each report returned.

``verified`` holds when every check passed or was skipped and every credential verified.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.signing.credential_verifier import (
    PROOF_VERIFICATION_ERROR,
    Check,
    ControllerResolver,
    VerificationReport,
    _KeyResolver,
    checks_hold,
    named_check,
)
from service.signing.data_integrity import (
    CRYPTOSUITE,
    PROOF_TYPE,
    format_date_time_stamp,
    hash_data,
    proof_configuration,
    transform,
    verify_proof,
)
from service.signing.data_model import presentation_violations
from service.signing.multikey import base58btc_encode, decode_private_key

AUTHENTICATION = "authentication"
CredentialVerifier = Callable[[Any], VerificationReport]
"""A credential → its verification report (e.g. this ledger's online verifier)."""


def sign_presentation(
    presentation: Mapping[str, Any],
    private_key: Ed25519PrivateKey | str,
    verification_method: str,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    created: datetime | None = None,
) -> dict[str, Any]:
    """``presentation`` with the holder's proof for authentication (``private_key``: a key or
    its ``privateKeyMultibase``), carrying ``challenge`` and ``domain`` when given; an existing
    proof is replaced."""
    unsecured = {name: value for name, value in presentation.items() if name != "proof"}
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_date_time_stamp(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": AUTHENTICATION,
    }
    proof |= {
        name: value for name, value in (("challenge", challenge), ("domain", domain)) if value
    }
    if "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    data = hash_data(transform(unsecured), proof_configuration(proof))
    if isinstance(private_key, str):
        private_key = decode_private_key(private_key)
    signature = private_key.sign(data)
    return {**unsecured, "proof": {**proof, "proofValue": base58btc_encode(signature)}}


@dataclass
class PresentationReport:
    """The presentation's checks, and each embedded credential's report."""

    checks: list[Check] = field(default_factory=list)
    credentials: list[VerificationReport] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def get(self, name: str) -> Check | None:
        return named_check(self.checks, name)

    @property
    def verified(self) -> bool:
        return checks_hold(self.checks) and all(report.verified for report in self.credentials)

    def to_dict(self) -> dict[str, Any]:
        """VC-API's verify answer, with ``credentialResults`` in the presentation's order."""
        as_report = VerificationReport(checks=self.checks)
        return {
            "verified": self.verified,
            "checks": [check.to_dict() for check in self.checks],
            "warnings": self.warnings,
            "errors": as_report.errors,
            "credentialResults": [
                {**report.to_dict(), "warnings": []} for report in self.credentials
            ],
        }


def _holder(presentation: Mapping[str, Any]) -> str | None:
    holder = presentation.get("holder")
    holder = holder.get("id") if isinstance(holder, Mapping) else holder
    return holder if isinstance(holder, str) else None


def _credentials(presentation: Mapping[str, Any]) -> list[Any]:
    value = presentation.get("verifiableCredential", [])
    return value if isinstance(value, list) else [value]


def _signature(
    presentation: Mapping[str, Any], resolver: ControllerResolver | None, now: datetime
) -> tuple[Check, list[Mapping[str, Any]], set[str]]:
    """The signature check, the proofs that verified and their keys' controllers."""
    keys = _KeyResolver(resolver, AUTHENTICATION)
    result = verify_proof(presentation, keys, expected_proof_purpose=AUTHENTICATION, now=now)
    if not result.verified:
        failed = [o for o in result.proofs if o.status == "failed"]
        if failed and all(o.verification_method in keys.unresolved for o in failed):
            reasons = "; ".join(keys.unresolved[o.verification_method or ""] for o in failed)
            detail = f"the holder's key cannot be had, so the proof cannot be checked: {reasons}"
            return (
                Check("signature", "unknown", detail, error_type=PROOF_VERIFICATION_ERROR),
                [],
                set(),
            )
        check = Check(
            "signature", "failed", result.reason or "", error_type=PROOF_VERIFICATION_ERROR
        )
        return check, [], set()
    verified = [o for o in result.proofs if o.status == "verified"]
    methods = [o.verification_method or "" for o in verified]
    controllers = {keys.methods[method][1] for method in methods}
    detail = f"proof for authentication by {', '.join(methods)}"
    check = Check("signature", "passed", detail, {"verificationMethods": methods})
    return check, [o.proof for o in verified], controllers


def _bound_option(name: str, asked: str | None, proofs: list[Mapping[str, Any]]) -> Check:
    """Whether every verified proof carries the ``challenge`` or ``domain`` asked for."""
    if asked is None:
        return Check(name, "skipped", f"no {name} was asked for")
    for proof in proofs:
        given = proof.get(name)
        values = given if isinstance(given, list) else [given]
        if given is None:
            return Check(name, "failed", f"the proof has no {name}; {asked!r} was asked for")
        if asked not in values:
            return Check(name, "failed", f"the proof's {name} {given!r} is not {asked!r}")
    return Check(name, "passed", f"the proof carries the {name} asked for")


def _holder_binding(holder: str | None, controllers: set[str]) -> Check:
    if holder is None:
        return Check(
            "holder_binding", "failed", "the presentation names no holder to bind its signer to"
        )
    if holder in controllers:
        return Check("holder_binding", "passed", f"signed with a key controlled by {holder}")
    signers = ", ".join(sorted(controllers))
    return Check("holder_binding", "failed", f"signed by {signers}, not by the holder {holder}")


def _subject_binding(
    holder: str | None, credentials: list[Any], warnings: list[dict[str, str]]
) -> Check:
    """Each credential naming subject ids names the holder among them."""
    if holder is None:
        return Check("subject_binding", "skipped", "the presentation names no holder")
    mismatched = []
    for position, credential in enumerate(credentials):
        subject = credential.get("credentialSubject") if isinstance(credential, Mapping) else None
        subjects = subject if isinstance(subject, list) else [subject]
        ids = [s.get("id") for s in subjects if isinstance(s, Mapping) and "id" in s]
        if not ids:
            warnings.append(
                {
                    "type": "urn:craftledger:verification:subject_binding",
                    "title": "credential not bound to the holder",
                    "detail": f"credential {position} names no credentialSubject.id",
                }
            )
        elif holder not in ids:
            mismatched.append(f"credential {position} is about {', '.join(map(str, ids))}")
    if mismatched:
        detail = f"not about the holder {holder}: " + "; ".join(mismatched)
        return Check("subject_binding", "failed", detail)
    return Check("subject_binding", "passed", f"every credential naming its subject names {holder}")


def _credentials_check(reports: list[VerificationReport]) -> Check:
    if not reports:
        return Check("credentials", "skipped", "the presentation carries no credential")
    bad = [str(position) for position, report in enumerate(reports) if not report.verified]
    if bad:
        detail = f"credential(s) {', '.join(bad)} of {len(reports)} not verified"
        return Check("credentials", "failed", detail)
    return Check("credentials", "passed", f"all {len(reports)} credential(s) verified")


def verify_presentation(
    presentation: Any,
    *,
    verify_credential: CredentialVerifier,
    controller_resolver: ControllerResolver | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
) -> PresentationReport:
    """Verify ``presentation`` and report each check; never raises for a bad presentation."""
    now = now or datetime.now(UTC)
    report = PresentationReport()
    found = presentation_violations(presentation)
    if not isinstance(presentation, Mapping):
        report.checks.append(Check("signature", "failed", "the presentation is not an object"))
        return report
    if found:
        detail = "breaks VC Data Model 2.0: " + "; ".join(map(str, found))
        data = {"violations": [violation.to_dict() for violation in found]}
        report.checks.append(Check("data_model", "failed", detail, data))
    else:
        report.checks.append(Check("data_model", "passed", "meets the presentation's MUSTs"))
    signature, proofs, controllers = _signature(presentation, controller_resolver, now)
    report.checks.append(signature)
    holder = _holder(presentation)
    credentials = _credentials(presentation)
    if signature.status == "passed":
        report.checks += [
            _bound_option("challenge", challenge, proofs),
            _bound_option("domain", domain, proofs),
            _holder_binding(holder, controllers),
        ]
    else:
        for name in ("challenge", "domain", "holder_binding"):
            report.checks.append(Check(name, "skipped", "not evaluated: no proof verified"))
    report.checks.append(_subject_binding(holder, credentials, report.warnings))
    report.credentials = [verify_credential(credential) for credential in credentials]
    report.checks.append(_credentials_check(report.credentials))
    return report
