"""Verify a credential check by check: signature, key validity, issuer binding, dates, status.

The ``signature`` check verifies every proof of the credential's proof set (``eddsa-jcs-2022``
and ``eddsa-rdfc-2022``) and lists each under ``proofs`` (cryptosuite, verification method,
status, reason); it passes only when every proof verified.

Each check reports ``passed``, ``failed``, ``unknown`` or ``skipped`` with a human detail. A
failed signature hides every other claim (they are reported ``skipped``). A check that cannot be
made is ``unknown``, never passed, and leaves the credential not verified: a signing key whose
controller document cannot be had (signature unknown), an issuer whose controller document cannot
be had to bind it to the signing key, a status list unreachable, unverifiable, stale or malformed.
``data_model`` reports the VC Data Model 2.0 MUSTs the credential breaks (``data_model.py``).
The application appends its own checks (issuer filed and in scope, log inclusion) with
``VerificationReport.add``.

Controller documents and status lists come from resolvers, plain callables that raise (any
exception) when they cannot deliver; ``did:key`` is resolved here without one. File-based
resolvers serve offline verification.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.signing.canonical_json import parse_strict
from service.signing.data_integrity import (
    KeyResolutionError,
    ProofResult,
    parse_date_time_stamp,
    verify_proof,
)
from service.signing.data_model import violations
from service.signing.multikey import DID_KEY_PREFIX, decode_public_key, resolve_did_key
from service.signing.rdfc_proof import DocumentLoader
from service.signing.status_list import (
    MESSAGE,
    MIN_LENGTH,
    PURPOSES,
    Bitstring,
    StatusListError,
    status_messages,
)

ControllerResolver = Callable[[str], Mapping[str, Any]]
"""Controller document id (a DID or URL, no fragment) → the controller document."""
StatusListResolver = Callable[[str], Mapping[str, Any]]
"""``statusListCredential`` URL → the (signed) BitstringStatusListCredential."""
CheckStatus = Literal["passed", "failed", "unknown", "skipped"]
EntryStatus = Literal["valid", "revoked", "suspended", "invalid", "unknown"]
"""What an entry says: ``invalid`` is a non-zero message-list value whose message this
verifier does not interpret (the specification: any non-zero status is not valid)."""
MESSAGE_RESULTS: dict[str, EntryStatus] = {"revoked": "revoked", "suspended": "suspended"}
"""Messages of a ``message`` entry read as revoked or suspended (ours: ``STATUS_MESSAGES``)."""

PROOF_VERIFICATION_ERROR = "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
STATUS_RETRIEVAL_ERROR = "https://www.w3.org/ns/credentials/status-list#STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR = (
    "https://www.w3.org/ns/credentials/status-list#STATUS_VERIFICATION_ERROR"
)
PROOF_PURPOSE = "assertionMethod"


class ResolutionError(LookupError):
    """A resolver has no document for the identifier it was given."""


@dataclass
class Check:
    """One verification check; ``data`` holds extra machine-readable fields for ``to_dict``."""

    check: str
    status: CheckStatus
    detail: str
    data: dict[str, Any] = field(default_factory=dict)
    error_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "detail": self.detail, **self.data}


@dataclass(frozen=True)
class SigningKey:
    """A verification method that produced a verified proof, as its controller published it."""

    verification_method: str
    controller: str
    created: datetime | None
    method: Mapping[str, Any]


def named_check(checks: Iterable[Check], name: str) -> Check | None:
    """The check called ``name``, if made."""
    return next((check for check in checks if check.check == name), None)


def checks_hold(checks: Iterable[Check]) -> bool:
    """A signature that passed and no check failed or unknown (skipped ones do not count)."""
    checks = list(checks)
    signature = named_check(checks, "signature")
    return (
        signature is not None
        and signature.status == "passed"
        and all(check.status in ("passed", "skipped") for check in checks)
    )


@dataclass
class VerificationReport:
    """Every check run on a credential; ``verified`` when the signature passed and no check
    failed or stayed unknown."""

    checks: list[Check] = field(default_factory=list)
    signing_keys: list[SigningKey] = field(default_factory=list)

    def add(self, check: Check) -> None:
        """Append a check (the application adds issuer and log checks this way)."""
        self.checks.append(check)

    def get(self, name: str) -> Check | None:
        return named_check(self.checks, name)

    @property
    def verified(self) -> bool:
        return checks_hold(self.checks)

    @property
    def errors(self) -> list[dict[str, str]]:
        """RFC 9457-style problem details for each failed or unknown check."""
        return [
            {
                "type": check.error_type or f"urn:craftledger:verification:{check.check}",
                "title": f"{check.check} {check.status}",
                "detail": check.detail,
            }
            for check in self.checks
            if check.status in ("failed", "unknown")
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "checks": [check.to_dict() for check in self.checks],
            "errors": self.errors,
        }

    def to_json(self, **dumps_options: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **dumps_options)


def _controller_document(identifier: str, resolver: ControllerResolver | None) -> Mapping[str, Any]:
    """The controller document of ``identifier`` (its fragment ignored); did:key built in."""
    controller_id = identifier.partition("#")[0]
    if controller_id.startswith(DID_KEY_PREFIX):
        return resolve_did_key(controller_id)
    if resolver is None:
        raise ResolutionError(f"no controller document for {controller_id} was provided")
    try:
        document = resolver(controller_id)
    except Exception as error:  # any resolver failure means "cannot resolve"
        raise ResolutionError(f"cannot resolve {controller_id}: {error}") from error
    if not isinstance(document, Mapping) or document.get("id") != controller_id:
        raise KeyResolutionError(
            f"the controller document served for {controller_id} has another id"
        )
    return document


def _listed(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name)
    return value if isinstance(value, list) else []


def _names(document: Mapping[str, Any], reference: object, method_id: str) -> bool:
    """Whether ``reference`` (absolute, or relative like ``#key-1``) is ``method_id``."""
    return isinstance(reference, str) and method_id in (reference, f"{document['id']}{reference}")


def _find_method(
    document: Mapping[str, Any], method_id: str, purpose: str = PROOF_PURPOSE
) -> Mapping[str, Any] | None:
    """The verification method ``method_id``, listed or embedded under ``purpose``."""
    for method in _listed(document, "verificationMethod") + _listed(document, purpose):
        if isinstance(method, Mapping) and _names(document, method.get("id"), method_id):
            return method
    return None


def _authorises(document: Mapping[str, Any], method_id: str, purpose: str = PROOF_PURPOSE) -> bool:
    """Whether ``method_id`` is listed under the document's ``purpose`` (``assertionMethod``)."""
    return any(
        _names(document, entry.get("id") if isinstance(entry, Mapping) else entry, method_id)
        for entry in _listed(document, purpose)
    )


class _KeyResolver:
    """Resolves verification methods through controller documents, remembering what it saw;
    a method must be authorised for ``purpose`` (``authentication`` for a presentation)."""

    def __init__(
        self, controller_resolver: ControllerResolver | None, purpose: str = PROOF_PURPOSE
    ) -> None:
        self._controller_resolver = controller_resolver
        self._purpose = purpose
        self.methods: dict[str, tuple[Mapping[str, Any], str]] = {}
        self.unresolved: dict[str, str] = {}
        """Verification methods whose controller document could not be had, and why."""

    def __call__(self, method_id: str) -> Ed25519PublicKey:
        try:
            document = _controller_document(method_id, self._controller_resolver)
        except ResolutionError as error:
            self.unresolved[method_id] = str(error)
            raise KeyResolutionError(str(error)) from None
        method = _find_method(document, method_id, self._purpose)
        if method is None:
            raise KeyResolutionError(f"{document['id']} publishes no method {method_id}")
        if method.get("type") != "Multikey":
            raise KeyResolutionError(f"{method_id} is a {method.get('type')}, not a Multikey")
        if method.get("controller") != document["id"]:
            raise KeyResolutionError(f"{method_id} is not controlled by {document['id']}")
        if not _authorises(document, method_id, self._purpose):
            raise KeyResolutionError(
                f"{document['id']} does not list {method_id} for {self._purpose}"
            )
        public_multibase = method.get("publicKeyMultibase")
        if not isinstance(public_multibase, str):
            raise KeyResolutionError(f"{method_id} has no publicKeyMultibase")
        key = decode_public_key(public_multibase)
        self.methods[method_id] = (method, document["id"])
        return key


def _signing_keys(result: ProofResult, resolver: _KeyResolver) -> list[SigningKey]:
    """The keys of the verified proofs, each key and time once (a proof set by one key in two
    cryptosuites is one signing)."""
    keys: list[SigningKey] = []
    seen: set[tuple[str, str | None]] = set()
    for outcome in result.proofs:
        if outcome.status != "verified" or outcome.verification_method is None:
            continue
        if (outcome.verification_method, outcome.created) in seen:
            continue
        seen.add((outcome.verification_method, outcome.created))
        method, controller = resolver.methods[outcome.verification_method]
        created = parse_date_time_stamp(outcome.created) if outcome.created else None
        keys.append(SigningKey(outcome.verification_method, controller, created, method))
    return keys


def key_window_problem(key: SigningKey) -> tuple[CheckStatus, str] | None:
    """Why ``key`` was not valid when its proof was created (``validFrom``/``validUntil``/
    ``expires``/``revoked`` on the method), or None if it was."""
    name, method = key.verification_method, key.method
    limits: dict[str, datetime] = {}
    for limit in ("validFrom", "validUntil", "expires", "revoked"):
        if limit in method:
            try:
                limits[limit] = parse_date_time_stamp(method[limit])
            except ValueError as error:
                return "unknown", f"{name} has a malformed {limit}: {error}"
    if not limits:
        return None
    if key.created is None:
        return "unknown", f"the proof has no created time to check against {name}'s validity"
    created = f"proof created {key.created.isoformat()}"
    if "revoked" in limits and key.created >= limits["revoked"]:
        return "failed", f"{created}, after {name} was revoked ({method['revoked']})"
    if "validFrom" in limits and key.created < limits["validFrom"]:
        return "failed", f"{created}, before {name} became valid ({method['validFrom']})"
    for limit in ("validUntil", "expires"):
        if limit in limits and key.created > limits[limit]:
            return "failed", f"{created}, after {name} expired ({method[limit]})"
    return None


def _check_key_validity(keys: list[SigningKey]) -> Check:
    problems = [problem for problem in map(key_window_problem, keys) if problem]
    if not problems:
        detail = "; ".join(
            f"{key.verification_method} valid at {key.created.isoformat()}"
            if key.created
            else f"{key.verification_method} has no validity limits"
            for key in keys
        )
        return Check("key_valid_at_created", "passed", detail)
    status: CheckStatus = "failed" if any(s == "failed" for s, _ in problems) else "unknown"
    return Check("key_valid_at_created", status, "; ".join(detail for _, detail in problems))


def issuer_of(credential: Mapping[str, Any]) -> str | None:
    """The credential's issuer id (``issuer`` as a string, or its ``id``), if it names one."""
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _check_issuer_binding(
    credential: Mapping[str, Any], keys: list[SigningKey], resolver: ControllerResolver | None
) -> Check:
    """The issuer must control a signing key, or list it among its assertion methods."""
    issuer = issuer_of(credential)
    if issuer is None:
        return Check("issuer_binding", "failed", "the credential names no issuer")
    if any(key.controller == issuer for key in keys):
        return Check("issuer_binding", "passed", f"signed with a key controlled by {issuer}")
    signers = ", ".join(key.verification_method for key in keys)
    try:
        document = _controller_document(issuer, resolver)
    except KeyResolutionError as error:
        return Check("issuer_binding", "failed", str(error))
    except (ResolutionError, ValueError) as error:
        return Check(
            "issuer_binding",
            "unknown",
            f"signed by {signers}, which {issuer} does not control; the issuer's controller "
            f"document is missing, so nothing shows the key is the issuer's ({error})",
        )
    if any(_authorises(document, key.verification_method) for key in keys):
        return Check("issuer_binding", "passed", f"{issuer} lists {signers} as an assertion key")
    return Check("issuer_binding", "failed", f"{issuer} does not list {signers} as its key")


def _check_data_model(credential: Mapping[str, Any]) -> Check:
    """The VC Data Model 2.0 MUSTs, each broken one named by its rule."""
    found = violations(credential)
    if not found:
        return Check("data_model", "passed", "meets every MUST of VC Data Model 2.0 checked")
    return Check(
        "data_model",
        "failed",
        "breaks VC Data Model 2.0: " + "; ".join(map(str, found)),
        {"violations": [violation.to_dict() for violation in found]},
        "urn:craftledger:verification:data_model",
    )


def _check_validity_dates(credential: Mapping[str, Any], now: datetime) -> Check:
    try:
        valid_from = credential.get("validFrom")
        valid_until = credential.get("validUntil")
        start = parse_date_time_stamp(valid_from) if valid_from is not None else None
        end = parse_date_time_stamp(valid_until) if valid_until is not None else None
    except ValueError as error:
        return Check("validity_dates", "failed", str(error))
    if start and now < start:
        return Check("validity_dates", "failed", f"not valid before {valid_from}")
    if end and now >= end:
        return Check("validity_dates", "failed", f"expired at {valid_until}")
    period = f"{valid_from or 'always'} – {valid_until or 'no end'}"
    return Check("validity_dates", "passed", f"valid now ({period})")


@dataclass(frozen=True)
class StatusEntryResult:
    """The status one ``credentialStatus`` entry gives the credential."""

    purpose: str | None
    list_url: str | None
    index: str | None
    result: EntryStatus
    detail: str
    error_type: str | None = None
    value: str | None = None
    """The entry's value in the list (``0x2``) and, for a message entry, its message."""
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {"status": self.value, "message": self.message} if self.value else {}
        return {
            "statusPurpose": self.purpose,
            "statusListCredential": self.list_url,
            "statusListIndex": self.index,
            "result": self.result,
            "detail": self.detail,
            **found,
        }


@dataclass(frozen=True)
class _Unavailable:
    """Why a status list cannot be used."""

    error_type: str
    detail: str


class _StatusChecker:
    """Fetches, verifies and reads status lists, each list once per verification."""

    def __init__(
        self,
        resolver: StatusListResolver | None,
        key_resolver: _KeyResolver,
        signers: set[str],
        now: datetime,
    ) -> None:
        self._resolver = resolver
        self._key_resolver = key_resolver
        self._signers = signers
        self._now = now
        self._lists: dict[str, tuple[Mapping[str, Any], Bitstring] | _Unavailable] = {}

    def _load(self, url: str) -> tuple[Mapping[str, Any], Bitstring] | _Unavailable:
        """The verified list and its bits, or why it cannot be used."""
        if self._resolver is None:
            return _Unavailable(STATUS_RETRIEVAL_ERROR, "no status list source was provided")
        try:
            document = self._resolver(url)
        except Exception as error:  # any failure to fetch means "unknown"
            return _Unavailable(STATUS_RETRIEVAL_ERROR, f"cannot fetch {url}: {error}")
        if not isinstance(document, Mapping):
            return _Unavailable(STATUS_RETRIEVAL_ERROR, f"{url} did not return a JSON object")
        problem = self._problem_with(url, document)
        if problem:
            return _Unavailable(STATUS_VERIFICATION_ERROR, problem)
        try:
            bits = Bitstring.decode(document["credentialSubject"].get("encodedList"))
        except StatusListError as error:
            return _Unavailable(STATUS_VERIFICATION_ERROR, f"the status list is malformed: {error}")
        return document, bits

    def _problem_with(self, url: str, document: Mapping[str, Any]) -> str | None:
        """Why the fetched list cannot be trusted: wrong id or type, bad or foreign proof,
        key not valid when it signed, out of date, no list subject."""
        if document.get("id", url) != url:
            return f"{url} returned the list {document.get('id')}"
        types = document.get("type")
        if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
            return f"{url} is not a BitstringStatusListCredential"
        result = verify_proof(
            document, self._key_resolver, expected_proof_purpose=PROOF_PURPOSE, now=self._now
        )
        if not result.verified:
            return f"the status list proof fails: {result.reason}"
        keys = _signing_keys(result, self._key_resolver)
        if not any(key.controller in self._signers for key in keys):
            signers = ", ".join(key.controller for key in keys)
            return f"the status list is signed by {signers}, not by the credential's signer"
        for key in keys:
            window = key_window_problem(key)
            if window:
                return f"the status list key: {window[1]}"
        dates = _check_validity_dates(document, self._now)
        if dates.status != "passed":
            return f"the status list is not current: {dates.detail}"
        subject = document.get("credentialSubject")
        if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
            return "the status list has no BitstringStatusList subject"
        return None

    def entry(self, entry: object) -> StatusEntryResult:
        """Read the status one ``credentialStatus`` entry points at."""
        if not isinstance(entry, Mapping):
            return StatusEntryResult(None, None, None, "unknown", "status entry is not an object")
        purpose, url, index = (
            entry.get("statusPurpose"),
            entry.get("statusListCredential"),
            entry.get("statusListIndex"),
        )

        def unknown(detail: str, error_type: str = STATUS_VERIFICATION_ERROR) -> StatusEntryResult:
            return StatusEntryResult(
                purpose if isinstance(purpose, str) else None,
                url if isinstance(url, str) else None,
                index if isinstance(index, str) else None,
                "unknown",
                detail,
                error_type,
            )

        if entry.get("type") != "BitstringStatusListEntry":
            return unknown(f"status entry type {entry.get('type')!r} is not supported")
        if purpose not in (*PURPOSES, MESSAGE):
            return unknown(f"statusPurpose {purpose!r} is not supported")
        size = entry.get("statusSize", 1)
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 8:
            return unknown(f"statusSize {size!r} is not an integer from 1 to 8")
        if purpose != MESSAGE and size != 1:
            return unknown(f"a {purpose} entry has statusSize 1, not {size}")
        messages = status_messages(entry.get("statusMessage"), size)
        if isinstance(messages, str):
            return unknown(messages)
        if not (isinstance(index, str) and index.isascii() and index.isdigit()):
            return unknown(f"statusListIndex {index!r} is not a decimal string")
        if not isinstance(url, str):
            return unknown("statusListCredential is missing")
        if url not in self._lists:
            self._lists[url] = self._load(url)
        loaded = self._lists[url]
        if isinstance(loaded, _Unavailable):
            return unknown(loaded.detail, loaded.error_type)
        document, bits = loaded
        listed = document["credentialSubject"].get("statusPurpose")
        if purpose not in (listed if isinstance(listed, list) else [listed]):
            return unknown(f"{url} is a {listed} list, not a {purpose} list")
        if len(bits) // size < MIN_LENGTH:
            return unknown(f"{url} holds fewer than {MIN_LENGTH} entries of {size} bits")
        if (int(index) + 1) * size > len(bits):
            return unknown(
                f"statusListIndex {index} is beyond the {len(bits) // size} entries of {url}"
            )
        value = bits.get_value(int(index), size)
        found = f"0x{value:x}"
        if purpose != MESSAGE:
            if not value:
                return StatusEntryResult(
                    purpose, url, index, "valid", f"{purpose} bit {index} clear"
                )
            state: EntryStatus = "revoked" if purpose == "revocation" else "suspended"
            return StatusEntryResult(purpose, url, index, state, f"{purpose} bit {index} set")
        message = messages.get(found) if messages else None
        detail = f"entry {index} is {found} ({message or 'no message'})"
        result: EntryStatus = (
            "valid" if value == 0 else MESSAGE_RESULTS.get(message or "", "invalid")
        )
        return StatusEntryResult(purpose, url, index, result, detail, None, found, message)


def _check_status(credential: Mapping[str, Any], checker: _StatusChecker) -> Check:
    status = credential.get("credentialStatus")
    if status is None:
        return Check("status", "skipped", "the credential has no credentialStatus")
    entries = [checker.entry(entry) for entry in (status if isinstance(status, list) else [status])]
    results = {entry.result for entry in entries}
    if not entries:
        return Check("status", "skipped", "the credential has an empty credentialStatus")
    detail = "; ".join(f"{e.purpose or 'status'} {e.result}: {e.detail}" for e in entries)
    data = {"statuses": [entry.to_dict() for entry in entries]}
    if results & {"revoked", "suspended", "invalid"}:
        return Check("status", "failed", detail, data)
    if "unknown" in results:
        error_type = next(e.error_type for e in entries if e.result == "unknown")
        return Check("status", "unknown", detail, data, error_type)
    return Check("status", "passed", detail, data)


def verify_credential(
    credential: Mapping[str, Any],
    *,
    controller_resolver: ControllerResolver | None = None,
    status_list_resolver: StatusListResolver | None = None,
    now: datetime | None = None,
    document_loader: DocumentLoader | None = None,
) -> VerificationReport:
    """Verify ``credential`` and report each check; never raises for a bad credential.

    ``document_loader`` serves JSON-LD contexts to ``eddsa-rdfc-2022`` proofs (default: the
    pinned ones, offline)."""
    now = now or datetime.now(UTC)
    report = VerificationReport()
    if not isinstance(credential, Mapping):
        report.add(Check("signature", "failed", "the credential is not a JSON object"))
        return report
    key_resolver = _KeyResolver(controller_resolver)
    result = verify_proof(
        credential,
        key_resolver,
        expected_proof_purpose=PROOF_PURPOSE,
        now=now,
        document_loader=document_loader,
    )
    later = ("key_valid_at_created", "issuer_binding", "validity_dates", "status")
    proofs = {"proofs": [outcome.to_dict() for outcome in result.proofs]}
    if not result.verified:
        failed = [o for o in result.proofs if o.status != "verified"]
        unresolved = bool(failed) and all(
            o.verification_method in key_resolver.unresolved for o in failed
        )
        if unresolved:
            detail = "the signing key cannot be had, so the signature cannot be checked: " + (
                "; ".join(
                    dict.fromkeys(
                        key_resolver.unresolved[o.verification_method or ""] for o in failed
                    )
                )
            )
            report.add(Check("signature", "unknown", detail, proofs, PROOF_VERIFICATION_ERROR))
        else:
            report.add(
                Check("signature", "failed", result.reason or "", proofs, PROOF_VERIFICATION_ERROR)
            )
        reason = (
            "the signature could not be checked" if unresolved else "the signature did not verify"
        )
        for name in ("data_model", *later):
            report.add(Check(name, "skipped", f"not evaluated: {reason}"))
        return report
    keys = _signing_keys(result, key_resolver)
    report.signing_keys = keys
    methods = [key.verification_method for key in keys]
    report.add(
        Check(
            "signature",
            "passed",
            "; ".join(f"{o.cryptosuite} proof by {o.verification_method}" for o in result.proofs),
            {"verificationMethods": methods, **proofs},
        )
    )
    report.add(_check_data_model(credential))
    report.add(_check_key_validity(keys))
    report.add(_check_issuer_binding(credential, keys, controller_resolver))
    report.add(_check_validity_dates(credential, now))
    checker = _StatusChecker(
        status_list_resolver, key_resolver, {key.controller for key in keys}, now
    )
    report.add(_check_status(credential, checker))
    return report


def _documents_by_id(paths: Iterable[str | Path], kind: str) -> dict[str, Mapping[str, Any]]:
    documents: dict[str, Mapping[str, Any]] = {}
    for path in paths:
        document = parse_strict(Path(path).read_bytes())
        if not isinstance(document, Mapping) or not isinstance(document.get("id"), str):
            raise ValueError(f"{path}: a {kind} file must be a JSON object with an id")
        documents[document["id"]] = document
    return documents


def _lookup(
    documents: dict[str, Mapping[str, Any]], kind: str
) -> Callable[[str], Mapping[str, Any]]:
    def resolve(identifier: str) -> Mapping[str, Any]:
        if identifier in documents:
            return documents[identifier]
        known = ", ".join(documents) or "none"
        raise ResolutionError(f"no {kind} file for {identifier} (the files hold: {known})")

    return resolve


def controller_file_resolver(*paths: str | Path) -> ControllerResolver:
    """Serve controller documents read from JSON files, matched by their ``id``."""
    return _lookup(_documents_by_id(paths, "controller document"), "controller document")


def status_list_file_resolver(*paths: str | Path) -> StatusListResolver:
    """Serve status list credentials read from JSON files, matched by their ``id``."""
    return _lookup(_documents_by_id(paths, "status list"), "status list")
