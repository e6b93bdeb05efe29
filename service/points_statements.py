"""Hukou points statements (积分落户 / 居住证积分): computed from the ledger, signed by the ledger.

``points_statement_credential(ledger, worker_id, policy=..., as_of=...)`` gathers what the
ledger knows about the worker's certificates on ``as_of``, applies the policy version in force
then (``domain.points_statement.compute_points_statement``) and returns the statement as a W3C
Verifiable Credential 2.0 secured with a proof set, an ``eddsa-jcs-2022`` and an
``eddsa-rdfc-2022`` proof, made with **the ledger's own key** (the key store's reserved
``craftledger:ledger`` key, the one that signs tree heads): the statement is the ledger's own
assertion, not an issuing body's.

Facts (``CertificateFact``), one per ledger certificate the worker held on ``as_of``:

* a certificate issued after the end of ``as_of`` (China time, UTC+8) did not exist then and
  is left out;
* its status is its status at the end of ``as_of`` from the ``Certificate`` aggregate's history
  (a suspension then means it does not count, even if it was reinstated later) -- except that
  **revocation is final and voids the certificate**: one revoked by the time the statement is
  made never counts, even for an earlier ``as_of`` (``certificatesConsidered`` says so);
* the issuer's province is the issuing ``Organisation``'s filed province;
* whether it is on the national query service is not known to the ledger (``None``), so
  policies that require it list that condition as one the office checks.

Certificates declared from outside the ledger are never scored; they are listed under
``certificatesNotAssessed``. Honours (for policies with an honours indicator, e.g. Beijing's
荣誉表彰) come from the ``HonourLadder`` events: titles awarded by the end of ``as_of`` and never
withdrawn.

The credential (``type`` ``["VerifiableCredential", "PointsStatementCredential"]``; the Open
Badges 3.0.3 context defines the subject's ``identifier`` (``IdentityObject``) and craftledger's
own context defines the statement's types and, scoped to ``PointsStatementSubject``, every
property of its subject, so nothing falls under VC 2.0's issuer-dependent ``@vocab``)::

    {"@context": ["https://www.w3.org/ns/credentials/v2",
                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                  "<base>/contexts/craftledger/v1"],
     "id": "<base>/api/v1/workers/<id>/points?policy=<id@version>&as_of=<date>"
           (plus "&education_points=N" when given),
     "type": [...], "name": "...", "description": "<policy explanation>",
     "issuer": {"id": "did:key:z6Mk…", "name": "craftledger 账本 (ledger)"},
     "validFrom": "<as_of - 1 day>T16:00:00Z" (midnight starting as_of in China),
     "credentialSubject": {
        "type": ["PointsStatementSubject"], "workerId", "name", "maskedIdNumber",
        "identifier": [IdentityObject]  (salted SHA-256 of the ID number, when recorded),
        "policy": {"id" ("urn:craftledger:points-policy:<id>": an IRI, as JSON-LD's safe mode
                   and eddsa-rdfc-2022 need), "version", "key", "name", "source", "city",
                   "cityEn", "provinceCode", "effectiveFrom", "educationCombination"},
        "asOf", "points", "skillPoints", "educationPoints" (when supplied),
        "items": [{"label", "points", "certificateNumber"}],
        "counted": [{"number", "occupationCode", "occupationName", "level", "levelName",
                     "issuerName", "issuerProvinceCode", "issuedOn", "status", "credential"}],
        "conditionsChecked": [{"name", "passed", "detail", "certificateNumber"}],
        "conditionsUnverifiable": [{"name", "detail", "certificateNumber", "bonusPoints"}],
        "honours": [{"name", "awardedBy", "awardedOn"}]  (honours-indicator policies),
        "certificatesConsidered": [{"number", "occupationCode", "level", "issuedOn",
                                    "statusAtAsOf", "statusUsed", "note"}],
        "certificatesNotAssessed": [{"number", "issuerName", "occupationCode", "level",
                                     "issuedOn", "check", "reason"}],
        "explanation"},
       each item of those lists named "<statement id>#<list>-<n>" (n from 1; see LISTS),
     "proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                "verificationMethod": "did:key:z6Mk…#z6Mk…",
                "created": "<as_of - 1 day>T16:00:00Z", ...},
               {... "cryptosuite": "eddsa-rdfc-2022" ...}]}

Determinism: everything in the document comes from the log, the policy data, the request
(policy, ``as_of``, ``education_points``) and the base URL; ``validFrom`` and the proof's
``created`` are the start of ``as_of`` (China time), and Ed25519 signatures are deterministic --
so the same inputs give the same bytes until the log changes what the ledger knows about that date.
Keys with no value are left out rather than written as ``null``.

Verifying: the issuer is a ``did:key``, so ``craftledger vc verify FILE`` verifies it offline
with no other file; ``POST /credentials/verify`` also reports ``issuer_filed`` passed, because
the issuer is this ledger's own key (``Credentials.ledger_issuer_id``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

from domain.certificate import Certificate, CertificateStatus
from domain.china_time import china_date, end_of_china_day, start_of_china_day
from domain.errors import DomainRuleViolation, InvalidValue
from domain.honour_ladder import HonourLadder
from domain.organisation import Organisation
from domain.points_policy import PointsPolicy, find_policy, list_policies
from domain.points_statement import (
    CertificateFact,
    Honour,
    PointsStatement,
    compute_points_statement,
)
from domain.worker import Worker
from service.credentials.credential_document import OB3_CONTEXT, VC2_CONTEXT
from service.credentials.jsonld_contexts import craftledger_context_url, document_loader
from service.signing.data_integrity import add_proofs, format_date_time_stamp
from service.signing.multikey import did_key, did_key_verification_method

__all__ = [
    "LEDGER_ISSUER_NAME",
    "STATEMENT_TYPE",
    "AssessedCertificate",
    "PointsStatementResult",
    "ledger_issuer",
    "points_statement_credential",
    "resolve_policy",
    "statement_facts",
    "worker_honours",
]

STATEMENT_TYPE = "PointsStatementCredential"
LISTS = (
    "items",
    "counted",
    "conditionsChecked",
    "conditionsUnverifiable",
    "honours",
    "certificatesConsidered",
    "flags",
    "certificatesNotAssessed",
)
"""The subject's ordered lists (``@list`` in our context). Each item is a named node: RDFC-1.0
tells the cells of a list of blank nodes apart only by deep iterations, which verifiers cap
(Digital Bazaar's rdf-canonize refuses a list of four such items by default), so
``eddsa-rdfc-2022`` proofs would not verify there (tests/interop)."""
LEDGER_ISSUER_NAME = "craftledger 账本 (ledger)"


def end_of(day: date) -> datetime:
    """The last instant of ``day`` in China, UTC+8 (what "status on ``as_of``" means)."""
    return end_of_china_day(day)


def start_of(day: date) -> datetime:
    """The first instant of ``day`` in China, UTC+8 (the statement's ``validFrom``)."""
    return start_of_china_day(day)


# -- policies ---------------------------------------------------------------------------------


def resolve_policy(reference: str, as_of: date) -> PointsPolicy:
    """``"<id>"`` → the version in force on ``as_of``; ``"<id>@<version>"`` → that version,
    which must have taken effect by ``as_of``.

    Raises ``InvalidValue`` (unknown policy or version) or ``DomainRuleViolation``
    (``points-policy-not-in-force``).
    """
    policy_id, at, version = reference.partition("@")
    if not at:
        return find_policy(policy_id, as_of)
    versions = [policy for policy in list_policies() if policy.id == policy_id]
    if not versions:
        find_policy(policy_id, as_of)  # raises the "unknown policy" error with the known ids
    chosen = next((policy for policy in versions if policy.version == version), None)
    if chosen is None:
        known = sorted(policy.version for policy in versions)
        raise InvalidValue("policy", f"{policy_id} has no version {version!r}; known: {known}")
    if chosen.effective_from > as_of:
        raise DomainRuleViolation(
            "points-policy-not-in-force",
            f"{chosen.key} takes effect {chosen.effective_from.isoformat()}, after "
            f"{as_of.isoformat()}",
        )
    return chosen


# -- facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessedCertificate:
    """One ledger certificate as the statement saw it: the fact and what it was made from."""

    fact: CertificateFact
    certificate: Certificate
    issuer: Organisation
    status_at_as_of: str
    note: str | None = None

    def considered(self) -> dict[str, Any]:
        return _compact(
            {
                "number": self.fact.number,
                "occupationCode": self.fact.occupation_code,
                "level": self.fact.level.code,
                "issuedOn": self.fact.issued_on.isoformat(),
                "statusAtAsOf": self.status_at_as_of,
                "statusUsed": self.fact.status,
                "note": self.note,
            }
        )


def statement_facts(
    ledger: Any, worker: Worker, as_of: date
) -> tuple[list[AssessedCertificate], list[dict[str, Any]]]:
    """The worker's ledger certificates as facts on ``as_of``, and the external certificates
    the statement does not assess (see the module docstring)."""
    moment = end_of(as_of)
    organisations: dict[UUID, Organisation] = {}
    assessed: list[AssessedCertificate] = []
    for number in sorted(worker.certificates):
        certificate: Certificate = ledger.certificate(number)
        then = certificate.status_at(moment)
        if then is None:  # issued after as_of: it did not exist on that date
            continue
        status, note = then.value, None
        revoked = CertificateStatus.REVOKED
        if certificate.status is revoked and then is not revoked:
            revoked_at = next(e["at"] for e in certificate.history if e["status"] == "revoked")
            status = CertificateStatus.REVOKED.value
            note = (
                f"revoked on {china_date(revoked_at).isoformat()}: revocation is final and voids "
                "the certificate, so it never counts, even for an earlier date"
            )
        issuer = organisations.get(certificate.issuer_id)
        if issuer is None:
            issuer = organisations[certificate.issuer_id] = ledger.organisation(
                certificate.issuer_id
            )
        fact = CertificateFact(
            number=certificate.number,
            occupation_code=certificate.occupation_code,
            level=certificate.level,
            issuer_province_code=issuer.province_code,
            issued_on=china_date(certificate.issued_at),
            status=status,
            on_national_query=None,
        )
        assessed.append(AssessedCertificate(fact, certificate, issuer, then.value, note))
    external = [
        _compact(
            {
                "number": held["number"],
                "issuerName": held["issuer_name"],
                "occupationCode": held["occupation_code"],
                "level": held["level"],
                "issuedOn": held["issued_on"],
                "check": held["check"],
                "reason": "recorded outside this ledger: the office checks it on the national "
                "query service (技能人才评价证书全国联网查询)",
            }
        )
        for _, held in sorted(worker.external_certificates.items())
        if date.fromisoformat(held["issued_on"]) <= as_of
    ]
    return assessed, external


def worker_honours(
    ledger: Any, worker_id: UUID, ladder_ids: Iterable[UUID], as_of: date
) -> list[Honour]:
    """Titles awarded to the worker on these ladders by the end of ``as_of`` and never
    withdrawn (a withdrawal, like a revocation, is final)."""
    moment = end_of(as_of)
    honours: list[Honour] = []
    for ladder_id in sorted(set(ladder_ids), key=str):
        awarded: dict[str, tuple[str, date]] = {}
        withdrawn: set[str] = set()
        union_id: UUID | None = None
        ladder_name = ""
        for event in ledger.events.get(ladder_id):
            if isinstance(event, HonourLadder.Defined):
                union_id, ladder_name = event.union_id, event.name
            elif isinstance(event, HonourLadder.TitleAwarded):
                if event.worker_id == worker_id and event.timestamp <= moment:
                    awarded[event.award_id] = (event.tier, china_date(event.timestamp))
            elif isinstance(event, HonourLadder.TitleWithdrawn):
                withdrawn.add(event.award_id)
        if not awarded or union_id is None:
            continue
        union = ledger.organisation(union_id)
        for award_id, (tier, on) in sorted(awarded.items(), key=lambda item: item[1][1]):
            if award_id not in withdrawn:
                honours.append(Honour(f"{tier} ({ladder_name})", union.name, on))
    return sorted(honours, key=lambda h: (h.awarded_on, h.name, h.awarded_by))


# -- the credential ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PointsStatementResult:
    """The computed statement, the facts it used and the signed credential."""

    statement: PointsStatement
    policy: PointsPolicy
    assessed: list[AssessedCertificate]
    credential: dict[str, Any]


def ledger_issuer(ledger: Any) -> tuple[str, str, Any]:
    """``(issuer did:key, verification method, private key)`` of the ledger's own key."""
    stored, private_key = ledger.credentials.key_store.ledger_key()
    public = stored.public_key_multibase
    return did_key(public), did_key_verification_method(public), private_key


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def statement_id(
    base_url: str, worker_id: UUID, policy: PointsPolicy, as_of: date, education: int | None
) -> str:
    query = {"policy": policy.key, "as_of": as_of.isoformat()}
    if education is not None:
        query["education_points"] = str(education)
    return f"{base_url}/api/v1/workers/{quote(str(worker_id))}/points?" + urlencode(query, safe="@")


def build_statement_document(
    *,
    base_url: str,
    worker: Worker,
    identifier: Any,
    policy: PointsPolicy,
    statement: PointsStatement,
    assessed: Sequence[AssessedCertificate],
    external: Sequence[dict[str, Any]],
    honours: Sequence[Honour],
    issuer_id: str,
    certificate_credential_url: Any,
) -> dict[str, Any]:
    """The unsigned statement credential (see the module docstring)."""
    by_number = {item.fact.number: item for item in assessed}
    counted = []
    for fact in statement.counted:
        item = by_number[fact.number]
        counted.append(
            {
                "number": fact.number,
                "occupationCode": fact.occupation_code,
                "occupationName": item.certificate.occupation_name,
                "level": fact.level.code,
                "levelName": fact.level.name_zh,
                "issuerName": item.issuer.name,
                "issuerProvinceCode": fact.issuer_province_code,
                "issuedOn": fact.issued_on.isoformat(),
                "status": fact.status,
                "credential": certificate_credential_url(fact.number),
            }
        )
    subject: dict[str, Any] = {
        "type": ["PointsStatementSubject"],
        "workerId": str(worker.id),
        "name": worker.name,
        "maskedIdNumber": worker.masked_id_number,
    }
    if identifier is not None:
        subject["identifier"] = [identifier.to_identity_object()]
    subject.update(
        {
            "policy": {
                "id": f"urn:craftledger:points-policy:{policy.id}",  # an IRI, never relative
                "version": policy.version,
                "key": policy.key,
                "name": policy.name,
                "source": policy.source,
                "city": policy.city,
                "cityEn": policy.city_en,
                "provinceCode": policy.province_code,
                "effectiveFrom": policy.effective_from.isoformat(),
                "educationCombination": policy.education_combination.value,
            },
            "asOf": statement.as_of.isoformat(),
            "points": statement.points,
            "skillPoints": statement.skill_points,
        }
    )
    if statement.education_points is not None:
        subject["educationPoints"] = statement.education_points
    subject["items"] = [
        _compact({"label": i.label, "points": i.points, "certificateNumber": i.certificate_number})
        for i in statement.items
    ]
    subject["counted"] = counted
    subject["conditionsChecked"] = [
        _compact(
            {
                "name": c.name,
                "passed": c.passed,
                "detail": c.detail,
                "certificateNumber": c.certificate_number,
            }
        )
        for c in statement.conditions_checked
    ]
    subject["conditionsUnverifiable"] = [
        _compact(
            {
                "name": c.name,
                "detail": c.detail,
                "certificateNumber": c.certificate_number,
                "bonusPoints": c.bonus_points,
            }
        )
        for c in statement.conditions_unverifiable
    ]
    if policy.honours_indicator is not None:
        subject["honours"] = [
            {"name": h.name, "awardedBy": h.awarded_by, "awardedOn": h.awarded_on.isoformat()}
            for h in honours
        ]
    subject["certificatesConsidered"] = [item.considered() for item in assessed]
    subject["flags"] = [
        {
            "certificateNumber": item.fact.number,
            "revokedNumber": flag["revoked_number"],
            "reason": flag["reason"],
            "kind": flag["kind"],
            "via": flag["via"],
            "flaggedOn": china_date(flag["at"]).isoformat(),
            "note": "flagged for review: a certificate it depended on was revoked; it still "
            "counts until the issuing body decides",
        }
        for item in assessed
        for flag in item.certificate.flags
        if flag["at"] <= end_of(statement.as_of)
    ]
    subject["certificatesNotAssessed"] = list(external)
    subject["explanation"] = statement.explanation
    credential_id = statement_id(
        base_url, worker.id, policy, statement.as_of, statement.education_points
    )
    for name in LISTS:
        if name in subject:
            subject[name] = [
                {"id": f"{credential_id}#{name}-{n}", **item}
                for n, item in enumerate(subject[name], 1)
            ]
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT, craftledger_context_url(base_url)],
        "id": credential_id,
        "type": ["VerifiableCredential", STATEMENT_TYPE],
        "name": f"积分落户 points statement: {policy.city} {policy.key}, as of "
        f"{statement.as_of.isoformat()}",
        "description": policy.explanation,
        "issuer": {"id": issuer_id, "name": LEDGER_ISSUER_NAME},
        "validFrom": format_date_time_stamp(start_of(statement.as_of)),
        "credentialSubject": subject,
    }


def points_statement_credential(
    ledger: Any,
    worker_id: UUID,
    *,
    policy: str,
    as_of: date,
    education_points: int | None = None,
    honour_ladders: Iterable[UUID] = (),
) -> PointsStatementResult:
    """The worker's signed points statement under ``policy`` on ``as_of``.

    ``honour_ladders``: the ladders on which the worker holds titles (from the read model);
    used only by policies with an honours indicator.
    """
    worker: Worker = ledger.worker(worker_id)
    chosen = resolve_policy(policy, as_of)
    assessed, external = statement_facts(ledger, worker, as_of)
    honours = (
        worker_honours(ledger, worker.id, honour_ladders, as_of)
        if chosen.honours_indicator is not None
        else []
    )
    statement = compute_points_statement(
        chosen,
        [item.fact for item in assessed],
        as_of,
        education_points=education_points,
        honours=honours,
    )
    issuer_id, method, private_key = ledger_issuer(ledger)
    urls = ledger.credentials.credential_urls
    document = build_statement_document(
        base_url=urls.base_url,
        worker=worker,
        identifier=ledger.credentials.holder_identifier(worker.id),
        policy=chosen,
        statement=statement,
        assessed=assessed,
        external=external,
        honours=honours,
        issuer_id=issuer_id,
        certificate_credential_url=lambda number: urls.certificate_credential_id(number, "public"),
    )
    signed = add_proofs(
        document,
        private_key,
        method,
        start_of(as_of),
        document_loader=document_loader(urls.base_url),
    )
    return PointsStatementResult(statement, chosen, assessed, signed)
