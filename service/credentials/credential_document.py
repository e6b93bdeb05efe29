"""Credential documents built from events: certificates and awards as Open Badges 3.0 VCs.

Everything here is a pure function of facts recorded in the log (the ``Certificate.Issued``
event, the issuer's ``Organisation`` events, the status list allocation, the subject's sealed
identifier) and the configured base URL, so the same events always give the same document;
with Ed25519's deterministic signatures the signed credential is then byte for byte the same.

Shapes (W3C VC Data Model 2.0, Open Badges 3.0):

* a certificate is an ``AchievementCredential`` whose ``achievement`` is the occupation and
  level (``achievementType`` ``Certification``) and whose subject carries the certificate number
  as ``licenseNumber``, the level reached as a ``result`` (values are strings), the holder's name
  and masked ID number, and, in the full disclosure, an ``IdentityObject`` with the salted hash
  of the ID number (``identityType`` ``nationalIdentityNumber``) so a verifier who holds the
  number can match it, and in the public one an ``identifier`` pseudonym (an HMAC under a
  key of the ledger's of the worker and the certificate, so per certificate and unguessable);
* a competition award (``build_award_credential``) is an ``AchievementCredential`` whose
  achievement is the award (``achievementType`` ``Award``) with rank, medal and score results;
* ``issuer`` is the organisation's controller document identifier, a ``did:web`` DID that
  resolves to ``{base}/organisations/{id}/did.json``, with the name filed (备案名称);
* ``@context`` is VC 2.0, Open Badges 3.0.3 and craftledger's own context
  (``{base}/contexts/craftledger/v1``, ``service/credentials/jsonld_contexts.py``), which
  defines ``maskedIdNumber``, ``occupation``, ``level`` and their ``code``/``nameZh``/``nameEn``;
* ``credentialStatus`` is one ``BitstringStatusListEntry`` (``statusPurpose`` ``message``,
  2 bits: valid, suspended, revoked) at ``{base}/api/v1/status-lists/{issuer id}/message``
  (list 1; ``…/message/{n}`` for the issuer's list ``n``, the one its entries were allocated
  in), index the certificate's revocation index (docs/credential-data-model.md says why).

Two disclosures of one certificate exist: ``full`` (for the holder, the issuer, admins and
auditors: full name, the ID number hash, free-text evidence) and ``public`` (anyone: the name
masked as on the public certificate page, no ID hash, no free text). Each is deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote, urlsplit
from uuid import UUID

from domain.skill_level import SkillLevel
from service.credentials.achievements import certificate_achievement
from service.credentials.jsonld_contexts import (
    OB3_CONTEXT_URL,
    VC2_CONTEXT_URL,
    craftledger_context_url,
)
from service.event_json import mask_id_numbers
from service.signing.canonical_json import canonicalize
from service.signing.credential_verifier import ResolutionError
from service.signing.data_integrity import format_date_time_stamp
from service.signing.multikey import DID_CONTEXT, MULTIKEY_CONTEXT
from service.signing.status_list import LIST_PURPOSES, MESSAGE, status_message_entry
from service.signing.web_resolvers import DID_WEB_PREFIX, did_web_url

__all__ = [
    "DEFAULT_BASE_URL",
    "OB3_CONTEXT",
    "VC2_CONTEXT",
    "CredentialUrls",
    "Disclosure",
    "Holder",
    "IdentityHash",
    "SignedDocument",
    "build_award_credential",
    "build_certificate_credential",
    "controller_document",
    "masked_name",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
VC2_CONTEXT = VC2_CONTEXT_URL
OB3_CONTEXT = OB3_CONTEXT_URL
CREDENTIAL_TYPES = ["VerifiableCredential", "AchievementCredential"]

Disclosure = Literal["full", "public"]

BASIS_NAMES = {
    "evaluation": "自主评价 / 社会化评价 skill evaluation",
    "competition": "以赛代评 competition promotion",
    "direct_recognition": "直接认定 direct recognition",
}
BYPASS_NAMES = {
    "direct_recognition": "直接认定 direct recognition",
    "fast_track": "破格晋升 fast-track promotion",
    "competition_promotion": "竞赛晋升 competition promotion",
    "entry_route": "entry route without a lower certificate",
}


def masked_name(name: str) -> str:
    """The name as public pages, API answers and credentials show it: first character, the
    rest masked (张三 → 张*)."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


@dataclass(frozen=True)
class CredentialUrls:
    """Identifiers and URLs under the service's public base URL (``CRAFTLEDGER_BASE_URL``)."""

    base_url: str = DEFAULT_BASE_URL

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError(f"base URL must be an http(s) URL without a query: {self.base_url}")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def controller_id(self, organisation_id: UUID) -> str:
        """The organisation's ``did:web`` DID; it resolves to ``did_document_url``."""
        parts = urlsplit(self.base_url)
        segments = [quote(parts.netloc, safe="")]
        segments += [quote(s, safe="") for s in parts.path.split("/") if s]
        segments += ["organisations", str(organisation_id)]
        return "did:web:" + ":".join(segments)

    def did_document_url(self, organisation_id: UUID) -> str:
        return f"{self.base_url}/organisations/{organisation_id}/did.json"

    def organisation_id_of(self, controller_id: str) -> UUID | None:
        """The organisation a DID of ours names, or None for any other identifier."""
        prefix = self.controller_id(UUID(int=0))[: -len(str(UUID(int=0)))]
        if not controller_id.startswith(prefix):
            return None
        try:
            organisation_id = UUID(controller_id[len(prefix) :])
        except ValueError:
            return None
        return organisation_id if self.controller_id(organisation_id) == controller_id else None

    def names_this_ledger(self, identifier: str) -> bool:
        """Whether ``identifier`` (a URL, or a did:web DID by the URL it resolves to) lies under
        the base URL: such an identifier is resolved from the ledger, never over the network.
        Scheme and case are ignored, so the test errs towards "ours"."""
        if identifier.startswith(DID_WEB_PREFIX):
            try:
                identifier = did_web_url(identifier)
            except ResolutionError:
                return False

        def place(url: str) -> str:
            return url.partition("://")[2].lower()

        return place(identifier).startswith(place(self.base_url) + "/")

    def status_list_url(self, issuer_id: UUID, purpose: str, list_number: int = 1) -> str:
        """The issuer's list ``list_number`` for ``purpose``: list 1 (every issuer's first,
        what every credential issued before numbered lists names) has no number in its URL,
        later lists end in ``/{n}``."""
        url = f"{self.base_url}/api/v1/status-lists/{issuer_id}/{purpose}"
        return url if list_number == 1 else f"{url}/{list_number}"

    def status_list_of(self, url: str) -> tuple[UUID, str, int] | None:
        """``(issuer id, purpose, list number)`` of one of our status list URLs, or None."""
        prefix = f"{self.base_url}/api/v1/status-lists/"
        if not url.startswith(prefix):
            return None
        issuer, _, rest = url[len(prefix) :].partition("/")
        purpose, _, number = rest.partition("/")
        try:
            issuer_id = UUID(issuer)
            list_number = int(number) if number.isdigit() else 1
        except ValueError:
            return None
        if purpose not in LIST_PURPOSES:
            return None
        if self.status_list_url(issuer_id, purpose, list_number) != url:
            return None
        return issuer_id, purpose, list_number

    def certificate_credential_id(self, number: str, disclosure: Disclosure = "full") -> str:
        url = f"{self.base_url}/api/v1/certificates/{number}/credential"
        return url if disclosure == "full" else url + "?disclosure=public"

    @property
    def craftledger_context(self) -> str:
        """Our JSON-LD context, the third ``@context`` of every document using our terms."""
        return craftledger_context_url(self.base_url)

    def achievement_id(self, occupation_code: str, level_code: str) -> str:
        return f"{self.base_url}/achievements/{quote(occupation_code)}/{quote(level_code)}"


@dataclass(frozen=True)
class IdentityHash:
    """An Open Badges ``IdentityObject`` hash: ``sha256$`` + hex(SHA-256(identity + salt)); an
    empty salt is left out."""

    identity_type: str
    identity_hash: str
    salt: str

    def __repr__(self) -> str:  # brute-forceable for ID numbers: keep it out of logs
        return f"IdentityHash({self.identity_type}, …)"

    def to_identity_object(self) -> dict[str, Any]:
        found = {
            "type": "IdentityObject",
            "identityType": self.identity_type,
            "hashed": True,
            "identityHash": self.identity_hash,
        }
        return {**found, "salt": self.salt} if self.salt else found


@dataclass(frozen=True)
class Holder:
    """The credential subject as recorded: name, masked ID number, sealed identifier (the ID
    number's salted hash, full disclosure only) and the credential's pseudonym (an
    ``identifier`` no public data can reproduce: ``SubjectIdentifiers.pseudonym``), which the
    public disclosure carries, and the full one when no sealed identifier was recorded."""

    name: str
    masked_id_number: str
    identifier: IdentityHash | None = None
    pseudonym: IdentityHash | None = None


def _status_entry(
    urls: CredentialUrls, issuer_id: UUID, indexes: Mapping[str, int], list_number: int
) -> dict[str, Any]:
    """The one status entry: the issuer's message list number ``list_number`` (the list the
    entries were allocated in) at the revocation index."""
    return status_message_entry(
        urls.status_list_url(issuer_id, MESSAGE, list_number), int(indexes["revocation"])
    )


def _subject(holder: Holder, disclosure: Disclosure) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": holder.name if disclosure == "full" else masked_name(holder.name),
        "maskedIdNumber": holder.masked_id_number,
    }
    shown = (holder.identifier if disclosure == "full" else None) or holder.pseudonym
    if shown is not None:
        subject["identifier"] = [shown.to_identity_object()]
    return subject


def _text(value: object) -> str:
    return mask_id_numbers(str(value)).strip()


def _results(values: object) -> list[tuple[str, str]]:
    """``{"theory": 85, ...}`` from a basis as sorted ``(name, "85")`` pairs (strings)."""
    if not isinstance(values, Mapping):
        return []
    return [
        (str(name), str(value))
        for name, value in sorted(values.items(), key=lambda item: str(item[0]))
        if value is not None and not isinstance(value, Mapping | list)
    ]


def _evidence(basis: Mapping[str, Any], disclosure: Disclosure) -> list[dict[str, Any]]:
    kind = str(basis.get("kind") or "")
    reference = str(basis.get("reference") or "")
    entry: dict[str, Any] = {
        "id": f"urn:craftledger:{quote(kind, safe='')}:{quote(reference, safe='')}",
        "type": ["Evidence"],
        "name": BASIS_NAMES.get(kind, kind),
        "genre": kind,
    }
    if reference:
        entry["description"] = f"reference {_text(reference)}"
    bypass = basis.get("bypass")
    if bypass:
        entry["description"] = (
            entry.get("description", "") + f"; bypass: {BYPASS_NAMES.get(bypass, bypass)}"
        ).lstrip("; ")
        if disclosure == "full" and basis.get("evidence"):
            entry["narrative"] = _text(basis["evidence"])
    return [entry]


def build_certificate_credential(
    *,
    urls: CredentialUrls,
    number: str,
    holder: Holder,
    issuer_id: UUID,
    issuer_name: str,
    occupation_code: str,
    occupation_name: str,
    level_code: str,
    basis: Mapping[str, Any],
    issued_at: datetime,
    status_indexes: Mapping[str, int],
    disclosure: Disclosure = "full",
    status_list: int = 1,
) -> dict[str, Any]:
    """The unsigned credential of one certificate (see the module docstring); its status entry
    is at ``status_indexes`` in the issuer's list number ``status_list``."""
    achievement = certificate_achievement(
        urls.achievement_id(occupation_code, level_code),
        occupation_code,
        occupation_name,
        level_code,
    )
    achievement_id = achievement["id"]
    level_description_id = achievement["resultDescription"][0]["id"]
    results: list[dict[str, Any]] = [
        {
            "type": ["Result"],
            "resultDescription": level_description_id,
            "achievedLevel": achievement["resultDescription"][0]["rubricCriterionLevel"][0]["id"],
            "value": level_code,
        }
    ]
    for name, value in _results(basis.get("results") or basis.get("scores")):
        results.append(
            {
                "type": ["Result"],
                "resultDescription": f"{achievement_id}#{quote(name)}",
                "value": value,
            }
        )
    subject = _subject(holder, disclosure)
    subject["licenseNumber"] = number
    subject["achievement"] = achievement
    subject["result"] = results
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT, urls.craftledger_context],
        "id": urls.certificate_credential_id(number, disclosure),
        "type": list(CREDENTIAL_TYPES),
        "name": f"职业技能等级证书 {occupation_name} {SkillLevel.from_code(level_code).name_zh}",
        "issuer": {"id": urls.controller_id(issuer_id), "type": ["Profile"], "name": issuer_name},
        "validFrom": format_date_time_stamp(issued_at),
        "credentialSubject": subject,
        "evidence": _evidence(basis, disclosure),
        "credentialStatus": _status_entry(urls, issuer_id, status_indexes, status_list),
    }


def build_award_credential(
    *,
    urls: CredentialUrls,
    credential_id: str,
    award_id: str,
    holder: Holder,
    issuer_id: UUID,
    issuer_name: str,
    competition: Mapping[str, Any],
    award: Mapping[str, Any],
    awarded_at: datetime,
    status_indexes: Mapping[str, int],
    disclosure: Disclosure = "full",
    status_list: int = 1,
) -> dict[str, Any]:
    """The unsigned credential of a competition award (劳动和技能竞赛 名次/奖项).

    ``competition``: ``id``, ``reference``, ``name``, ``tier``, ``year``, ``region`` and
    optionally ``occupation_code``/``occupation_name``. ``award``: ``title`` (e.g. ``金牌``,
    ``优胜奖``, ``朝阳工匠``) and optionally ``rank``, ``medal``, ``score`` and ``results``
    (name → value); every value ends up a string. ``award_id`` names the award within the
    competition (e.g. the worker id); the issuer signs it (a union, or the issuing body).
    Allocate the status entries with ``Credentials.allocate_status_list_entries(issuer, [award
    subject])`` in the command that records the award.
    """
    competition_id = str(competition["id"])
    achievement_id = (
        f"{urls.base_url}/competitions/{quote(competition_id)}/awards/{quote(str(award['title']))}"
    )
    results: list[dict[str, Any]] = []
    descriptions: list[dict[str, Any]] = []
    named = [(key, award.get(key)) for key in ("rank", "medal", "score")]
    named += _results(award.get("results"))
    for name, value in named:
        if value is None:
            continue
        description_id = f"{achievement_id}#{quote(str(name))}"
        descriptions.append(
            {
                "id": description_id,
                "type": ["ResultDescription"],
                "name": str(name),
                "resultType": {"rank": "ext:Rank", "medal": "ext:Medal", "score": "RawScore"}.get(
                    str(name), "Result"
                ),
            }
        )
        results.append(
            {"type": ["Result"], "resultDescription": description_id, "value": str(value)}
        )
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Award",
        "name": f"{competition['name']} {award['title']}",
        "description": (
            f"劳动和技能竞赛 {competition['name']} ({competition.get('year', '')}, "
            f"{competition.get('region', '')}, tier {competition.get('tier', '')}): "
            f"{award['title']}"
        ),
        "criteria": {
            "narrative": str(award.get("criteria") or "Awarded on the published ranking.")
        },
        "resultDescription": descriptions,
    }
    if competition.get("occupation_code"):
        achievement["occupation"] = {
            "code": str(competition["occupation_code"]),
            "name": str(competition.get("occupation_name") or ""),
        }
    subject = _subject(holder, disclosure)
    subject["achievement"] = achievement
    subject["result"] = results
    evidence = {
        "id": f"urn:craftledger:competition:{quote(competition_id, safe='')}",
        "type": ["Evidence"],
        "name": str(competition["name"]),
        "genre": "competition",
        "description": f"reference {_text(competition.get('reference', competition_id))}; "
        f"award {quote(award_id, safe='')}",
    }
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT, urls.craftledger_context],
        "id": credential_id,
        "type": list(CREDENTIAL_TYPES),
        "name": f"{competition['name']} {award['title']}",
        "issuer": {"id": urls.controller_id(issuer_id), "type": ["Profile"], "name": issuer_name},
        "validFrom": format_date_time_stamp(awarded_at),
        "credentialSubject": subject,
        "evidence": [evidence],
        "credentialStatus": _status_entry(urls, issuer_id, status_indexes, status_list),
    }


@dataclass(frozen=True)
class SignedDocument:
    """A signed document as served: the JSON value, its RFC 8785 bytes and a strong ETag."""

    document: dict[str, Any]
    body: bytes
    etag: str

    @classmethod
    def of(cls, document: dict[str, Any]) -> SignedDocument:
        body = canonicalize(document)
        return cls(document, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def verification_method_id(controller_id: str, key_id: str) -> str:
    return f"{controller_id}#{key_id}"


def controller_document(
    urls: CredentialUrls, organisation_id: UUID, signing_keys: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The organisation's controller (DID) document: every key ever published, as a
    ``Multikey`` with ``validFrom``, ``validUntil`` (when rotated out) and ``revoked`` (when
    compromised), all listed for ``assertionMethod`` so credentials signed inside a key's
    window keep verifying.

    Times are truncated to whole seconds, as proofs' ``created`` are, so a proof made within a
    key's window always falls inside the published window.
    """
    controller = urls.controller_id(organisation_id)
    methods = []
    for key in signing_keys:
        method: dict[str, Any] = {
            "id": verification_method_id(controller, key["key_id"]),
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": key["public_key_multibase"],
            "validFrom": format_date_time_stamp(key["valid_from"]),
        }
        if key.get("valid_until") is not None:
            method["validUntil"] = format_date_time_stamp(key["valid_until"])
        if key.get("compromised_at") is not None:
            method["revoked"] = format_date_time_stamp(key["compromised_at"])
        methods.append(method)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": controller,
        "alsoKnownAs": [f"{urls.base_url}/api/v1/organisations/{organisation_id}"],
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
