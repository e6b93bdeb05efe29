"""Data Integrity proofs with the ``eddsa-jcs-2022`` and ``eddsa-rdfc-2022`` cryptosuites
(W3C vc-di-eddsa).

``eddsa-jcs-2022``: the proof configuration (the proof options, with the document's
``@context`` copied in) and the document without its proof are each canonicalised with RFC 8785
and hashed with SHA-256. ``eddsa-rdfc-2022`` canonicalises both as RDF instead
(``rdfc_proof``). Either way Ed25519 signs ``SHA-256(config) ‖ SHA-256(document)``, and
``proofValue`` is the base58btc multibase of the 64-byte signature. ``add_proofs`` secures a
document with a proof set, one independent proof per cryptosuite. Proof sets (a list of proofs)
and proof chains (``previousProof``) are verified as Verifiable Credential Data Integrity 1.0
describes; a document verifies only when every proof on it does.

A proof ``created`` later than the verifier's now plus ``MAX_CLOCK_SKEW`` (5 minutes, allowing
for clocks a little apart) fails: nobody signs in the future.
"""

from __future__ import annotations

import copy
import hashlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.signing import rdfc_proof
from service.signing.canonical_json import JSONValueError, canonicalize
from service.signing.multikey import (
    MultikeyError,
    base58btc_decode,
    base58btc_encode,
    decode_private_key,
)
from service.signing.rdfc_proof import DocumentLoader, JsonLdRefused

CRYPTOSUITE = "eddsa-jcs-2022"
RDFC_CRYPTOSUITE = rdfc_proof.CRYPTOSUITE
CRYPTOSUITES = (CRYPTOSUITE, RDFC_CRYPTOSUITE)
"""The cryptosuites this module signs and verifies; ``add_proofs`` uses both by default."""
PROOF_TYPE = "DataIntegrityProof"

PublicKeyResolver = Callable[[str], Ed25519PublicKey]
"""Given a ``verificationMethod`` id, return its Ed25519 key or raise ``KeyResolutionError``."""

ProofStatus = Literal["verified", "failed", "unsupported"]

MAX_CLOCK_SKEW = timedelta(minutes=5)
"""How far in the verifier's future a proof's ``created`` may lie before the proof fails."""
_SKEW_TEXT = f"{MAX_CLOCK_SKEW.total_seconds() / 60:g} minutes"

_DATE_TIME_STAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})\Z"
)


class ProofError(ValueError):
    """A proof cannot be created from these options; a refused document raises
    ``JSONValueError`` instead."""


class KeyResolutionError(LookupError):
    """A verification method cannot be resolved to a usable Ed25519 key."""


def parse_date_time_stamp(value: object) -> datetime:
    """Parse an XML Schema ``dateTimeStamp`` (``2023-02-24T23:36:38Z``, offset required)."""
    found = _DATE_TIME_STAMP.match(value) if isinstance(value, str) else None
    if not found:
        raise ValueError(f"{value!r} is not a date-time with a time zone (2024-01-31T08:00:00Z)")
    whole, fraction, zone = found.groups()
    text = whole + ("." + fraction[:6].ljust(6, "0") if fraction else "")
    try:
        return datetime.fromisoformat(text + ("+00:00" if zone == "Z" else zone))
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid date-time: {error}") from None


def format_date_time_stamp(moment: datetime) -> str:
    """``moment`` in UTC to whole seconds, as ``2024-01-31T08:00:00Z``."""
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def transform(unsecured_document: Mapping[str, Any]) -> bytes:
    """The transformed data document: RFC 8785 canonical bytes of the document."""
    return canonicalize(unsecured_document)


def proof_configuration(proof_options: Mapping[str, Any]) -> bytes:
    """The canonical proof configuration, after checking type, cryptosuite and ``created``."""
    if proof_options.get("type") != PROOF_TYPE or proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"proof options must have type {PROOF_TYPE} and cryptosuite {CRYPTOSUITE}")
    if "created" in proof_options:
        _check_created(proof_options["created"])
    return canonicalize(proof_options)


def _check_created(created: object) -> None:
    """Raise ``ProofError`` unless ``created`` is a ``dateTimeStamp``."""
    try:
        parse_date_time_stamp(created)
    except ValueError as error:
        raise ProofError(f"created: {error}") from None


def hash_data(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """``SHA-256(canonical proof config) ‖ SHA-256(transformed document)``: 64 bytes to sign."""
    return (
        hashlib.sha256(canonical_proof_config).digest()
        + hashlib.sha256(transformed_document).digest()
    )


_ConfigKey = tuple[tuple[str, str | tuple[str, ...]], ...]


def _config_key(proof: Mapping[str, Any]) -> _ConfigKey | None:
    """A hashable key that determines ``proof`` exactly: its items in order, with lists of
    strings as tuples; None when a value is anything else (then nothing is cached). Only
    plain ``str`` is let in, so no two distinct options share a key (``1 == True``)."""
    key: list[tuple[str, str | tuple[str, ...]]] = []
    for name, value in proof.items():
        if type(value) is str:
            key.append((name, value))
        elif type(value) is list and all(type(item) is str for item in value):
            key.append((name, tuple(value)))
        else:
            return None
    return tuple(key)


@lru_cache(maxsize=256)
def _config_hash_for_key(key: _ConfigKey) -> bytes:
    """``SHA-256`` of the canonical proof configuration named by ``key`` (see ``_config_key``).

    Signing a batch reuses one configuration (same key, second, purpose and ``@context``), so
    it is checked, canonicalised and hashed once; a refused one raises every time.
    """
    proof = {name: list(value) if type(value) is tuple else value for name, value in key}
    return hashlib.sha256(proof_configuration(proof)).digest()


def _config_hash(proof: Mapping[str, Any]) -> bytes:
    key = _config_key(proof)
    if key is None:
        return hashlib.sha256(proof_configuration(proof)).digest()
    return _config_hash_for_key(key)


def _hash_data_for(
    cryptosuite: str,
    options: Mapping[str, Any],
    unsecured: Mapping[str, Any],
    loader: DocumentLoader | None,
) -> bytes:
    """The 64 bytes to sign: config hash ‖ document hash, as ``cryptosuite`` computes them (the
    document first, so a refused document is named before the options)."""
    if cryptosuite == CRYPTOSUITE:
        document_hash = hashlib.sha256(transform(unsecured)).digest()
        return _config_hash(options) + document_hash
    document_hash = rdfc_proof.document_hash(unsecured, loader)
    if "created" in options:
        _check_created(options["created"])
    return rdfc_proof.config_hash(options, unsecured.get("@context"), loader) + document_hash


def _copy_context(context: Any) -> Any:
    """A copy of ``@context`` for the proof, so later edits to the document do not reach it."""
    if type(context) is str:
        return context
    if type(context) is list and all(type(item) is str for item in context):
        return list(context)
    return copy.deepcopy(context)


def _created_text(created: datetime | str | None) -> str:
    """``created`` as a ``dateTimeStamp`` string; now, to the second, when None."""
    if created is None:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return created if isinstance(created, str) else format_date_time_stamp(created)


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    """The proofs on ``document``: none, its one proof, or every proof of its set, in order."""
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _matching_proofs(all_proofs: Sequence[Any], previous: object) -> list[Any]:
    """The proofs named by ``previousProof`` (a string or list of ids); ``LookupError`` if any
    is missing."""
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(item, str) for item in wanted):
        raise LookupError("previousProof must be a proof id or a list of them")
    by_id = {p.get("id"): p for p in all_proofs if isinstance(p, Mapping)}
    missing = [item for item in wanted if item not in by_id]
    if missing:
        raise LookupError(f"previousProof names no proof in this document: {', '.join(missing)}")
    return [by_id[item] for item in wanted]


def add_proof(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey | str,
    verification_method: str,
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    *,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    cryptosuite: str = CRYPTOSUITE,
    document_loader: DocumentLoader | None = None,
) -> dict[str, Any]:
    """Return a shallow copy of ``document`` secured with a ``cryptosuite`` proof.

    ``private_key`` is a key object or a ``privateKeyMultibase``; ``created`` defaults to now.
    A document that already has proofs gets the new one appended (a proof set), chained to
    ``previous_proof`` when given. Raises ``JSONValueError`` when the document holds floats,
    NaN, lone surrogates or out-of-range integers (JCS), ``JsonLdRefused`` when it is not
    JSON-LD in safe mode (RDFC, contexts from ``document_loader``, by default the pinned ones),
    ``ProofError`` for bad options.
    """
    if not isinstance(document, Mapping):
        raise ProofError("only a JSON object can carry a proof")
    if cryptosuite not in CRYPTOSUITES:
        raise ProofError(f"cryptosuite must be one of {', '.join(CRYPTOSUITES)}")
    if isinstance(private_key, str):
        try:
            private_key = decode_private_key(private_key)
        except MultikeyError as error:
            raise ProofError(f"private key: {error}") from None
    created = _created_text(created)
    existing = proofs_of(document)
    if not all(isinstance(proof, Mapping) for proof in existing):
        raise ProofError("the document's existing proof is not a JSON object")
    if existing or "proof" in document:
        unsecured = {key: value for key, value in document.items() if key != "proof"}
    else:
        unsecured = dict(document)
    proof: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": cryptosuite}
    if proof_id is not None:
        proof["id"] = proof_id
    proof |= {
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if previous_proof is not None:
        try:
            unsecured["proof"] = _matching_proofs(existing, previous_proof)
        except LookupError as error:
            raise ProofError(str(error)) from None
        proof["previousProof"] = previous_proof
    if "@context" in document and cryptosuite == CRYPTOSUITE:
        proof["@context"] = _copy_context(document["@context"])
    signature = private_key.sign(_hash_data_for(cryptosuite, proof, unsecured, document_loader))
    proof["proofValue"] = base58btc_encode(signature)
    # without a proof to keep in its place, the fresh copy made above serves (nothing holds it)
    secured = dict(document) if "proof" in document else unsecured
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


def add_proofs(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey | str,
    verification_method: str,
    created: datetime | str | None = None,
    *,
    cryptosuites: Sequence[str] = CRYPTOSUITES,
    document_loader: DocumentLoader | None = None,
) -> dict[str, Any]:
    """``document`` secured with a proof set: one independent proof per cryptosuite (not
    chained), all by the same key with the same ``created``, in the order given."""
    created = _created_text(created)
    secured: Mapping[str, Any] = document
    for cryptosuite in cryptosuites:
        secured = add_proof(
            secured,
            private_key,
            verification_method,
            created,
            cryptosuite=cryptosuite,
            document_loader=document_loader,
        )
    return dict(secured)


@dataclass(frozen=True)
class ProofOutcome:
    """The verification of one proof: ``verified``, ``failed`` (with ``reason``) or
    ``unsupported`` (a proof type or cryptosuite this module does not implement)."""

    index: int
    status: ProofStatus
    reason: str | None
    proof: Any

    @property
    def verification_method(self) -> str | None:
        value = self.proof.get("verificationMethod") if isinstance(self.proof, Mapping) else None
        return value if isinstance(value, str) else None

    @property
    def created(self) -> str | None:
        value = self.proof.get("created") if isinstance(self.proof, Mapping) else None
        return value if isinstance(value, str) else None

    @property
    def cryptosuite(self) -> str | None:
        value = self.proof.get("cryptosuite") if isinstance(self.proof, Mapping) else None
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        """What a report shows of this proof: its suite, key, time, status and reason."""
        return {
            "index": self.index,
            "cryptosuite": self.cryptosuite,
            "verificationMethod": self.verification_method,
            "created": self.created,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ProofResult:
    """The combined verification of every proof on a document.

    ``verified`` holds when every proof verified: a proof in a cryptosuite this module does
    not implement is reported ``unsupported`` and leaves the document not verified (nothing
    on it is passed unchecked).
    """

    verified: bool
    reason: str | None
    proofs: tuple[ProofOutcome, ...]


def _context_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _ProofFailure(Exception):
    def __init__(self, status: ProofStatus, reason: str) -> None:
        self.status = status
        self.reason = reason


def _verify_one(
    document: Mapping[str, Any],
    all_proofs: list[Any],
    proof: Any,
    resolve_public_key: PublicKeyResolver,
    expected_proof_purpose: str | None,
    now: datetime,
    loader: DocumentLoader | None,
) -> None:
    """Raise ``_ProofFailure`` unless ``proof`` verifies over ``document``."""
    if type(proof) is not dict and not isinstance(proof, Mapping):
        raise _ProofFailure("failed", "proof is not a JSON object")
    proof_type = proof.get("type")
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    if not isinstance(proof_type, str):
        raise _ProofFailure("failed", "proof has no type")
    if not isinstance(method, str):
        raise _ProofFailure("failed", "proof has no verificationMethod")
    if not isinstance(purpose, str):
        raise _ProofFailure("failed", "proof has no proofPurpose")
    if proof_type != PROOF_TYPE:
        raise _ProofFailure("unsupported", f"proof type {proof_type!r} is not supported")
    cryptosuite = proof.get("cryptosuite")
    if cryptosuite not in CRYPTOSUITES:
        raise _ProofFailure("unsupported", f"cryptosuite {cryptosuite!r} is not supported")
    if expected_proof_purpose is not None and purpose != expected_proof_purpose:
        raise _ProofFailure(
            "failed", f"proofPurpose is {purpose!r}, expected {expected_proof_purpose!r}"
        )
    try:
        signature = base58btc_decode(proof.get("proofValue"))  # type: ignore[arg-type]
    except MultikeyError:
        raise _ProofFailure("failed", "proofValue is not a base58btc multibase value") from None
    if len(signature) != 64:
        raise _ProofFailure("failed", f"proofValue holds {len(signature)} bytes, not 64")
    if "expires" in proof:
        try:
            expired = parse_date_time_stamp(proof["expires"]) <= now
        except ValueError as error:
            raise _ProofFailure("failed", f"expires: {error}") from None
        if expired:
            raise _ProofFailure("failed", f"proof expired at {proof['expires']}")
    if "created" in proof:
        try:
            created = parse_date_time_stamp(proof["created"])
        except ValueError as error:
            raise _ProofFailure("failed", f"created: {error}") from None
        if created > now + MAX_CLOCK_SKEW:
            raise _ProofFailure(
                "failed",
                f"proof created {proof['created']}, in the future (now is "
                f"{format_date_time_stamp(now)}; clocks may differ by {_SKEW_TEXT} at most)",
            )

    options = dict(proof)
    options.pop("proofValue", None)
    unsecured = dict(document)
    unsecured.pop("proof", None)
    if "previousProof" in proof:
        try:
            unsecured["proof"] = _matching_proofs(all_proofs, proof["previousProof"])
        except LookupError as error:
            raise _ProofFailure("failed", str(error)) from None
    if "@context" in options:
        expected = _context_list(options["@context"])
        if _context_list(document.get("@context"))[: len(expected)] != expected:
            raise _ProofFailure("failed", "document @context does not start with the proof's")
        unsecured["@context"] = options["@context"]
    try:
        # type and cryptosuite are checked above; the proof configuration needs ``created``
        if "created" in options:
            _check_created(options["created"])
        if cryptosuite == CRYPTOSUITE:
            hash_data = (
                hashlib.sha256(canonicalize(options)).digest()
                + hashlib.sha256(canonicalize(unsecured)).digest()
            )
        else:
            hash_data = _hash_data_for(RDFC_CRYPTOSUITE, options, unsecured, loader)
    except (JSONValueError, ProofError, JsonLdRefused) as error:
        raise _ProofFailure("failed", f"cannot canonicalise: {error}") from None
    try:
        public_key = resolve_public_key(method)
    except (LookupError, ValueError, OSError) as error:
        raise _ProofFailure("failed", f"verification method {method}: {error}") from None
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        raise _ProofFailure(
            "failed", f"signature does not match the document and the key of {method}"
        ) from None


def verify_proof(
    document: Mapping[str, Any],
    resolve_public_key: PublicKeyResolver,
    *,
    expected_proof_purpose: str | None = "assertionMethod",
    now: datetime | None = None,
    document_loader: DocumentLoader | None = None,
) -> ProofResult:
    """Verify every proof on ``document`` (one proof or a proof set) and say why on failure.

    ``resolve_public_key`` maps a verification method id to its key and raises
    ``KeyResolutionError`` (or ``LookupError``/``ValueError``/``OSError``) when it cannot;
    that becomes a failed proof, never an exception here. ``now`` is used for ``expires`` and
    ``created`` (``MAX_CLOCK_SKEW``); ``document_loader`` serves JSON-LD contexts to
    ``eddsa-rdfc-2022`` (by default the pinned ones, offline).
    """
    if type(document) is not dict and not isinstance(document, Mapping):
        return ProofResult(False, "the document is not a JSON object", ())
    all_proofs = proofs_of(document)
    if not all_proofs:
        return ProofResult(False, "the document has no proof", ())
    now = now or datetime.now(UTC)
    outcomes: list[ProofOutcome] = []
    for index, proof in enumerate(all_proofs):
        try:
            _verify_one(
                document,
                all_proofs,
                proof,
                resolve_public_key,
                expected_proof_purpose,
                now,
                document_loader,
            )
        except _ProofFailure as failure:
            outcomes.append(ProofOutcome(index, failure.status, failure.reason, proof))
        else:
            outcomes.append(ProofOutcome(index, "verified", None, proof))
    single = len(outcomes) == 1 and outcomes[0].status == "verified"
    if single and "previousProof" not in all_proofs[0]:
        return ProofResult(True, None, tuple(outcomes))  # the common case: one proof, verified
    outcomes = _require_verified_predecessors(outcomes)
    unverified = [outcome for outcome in outcomes if outcome.status != "verified"]
    if unverified:
        several = len(outcomes) > 1
        reason = "; ".join(
            (f"proof {o.index} ({o.cryptosuite or 'no cryptosuite'}): " if several else "")
            + (o.reason or "")
            for o in unverified
        )
        return ProofResult(False, reason, tuple(outcomes))
    return ProofResult(True, None, tuple(outcomes))


def _require_verified_predecessors(outcomes: list[ProofOutcome]) -> list[ProofOutcome]:
    """A chained proof counts only if every proof it names in ``previousProof`` verified too."""
    changed = True
    while changed:
        changed = False
        verified_ids = {o.proof.get("id") for o in outcomes if o.status == "verified"}
        for position, outcome in enumerate(outcomes):
            previous = outcome.proof.get("previousProof") if outcome.status == "verified" else None
            names = [previous] if isinstance(previous, str) else previous or []
            unverified = [name for name in names if name not in verified_ids]
            if unverified:
                reason = f"previous proof {', '.join(map(str, unverified))} is not verified"
                outcomes[position] = ProofOutcome(outcome.index, "failed", reason, outcome.proof)
                changed = True
    return outcomes
