"""The MUSTs of W3C Verifiable Credentials Data Model 2.0 for a credential, checked in one place.

``violations(credential)`` lists every broken rule (empty for a conforming credential);
``check_data_model(credential)`` raises ``DataModelError`` naming them. ``craftledger vc sign``
refuses to sign a credential that breaks one; both verifiers report them as the failed
``data_model`` check. The rules and their names are listed in docs/credential-data-model.md.
Securing (§4.12) is the verifiers' signature check, not a rule here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from service.signing.data_integrity import parse_date_time_stamp

BASE_CONTEXT = "https://www.w3.org/ns/credentials/v2"
BASE_TYPE = "VerifiableCredential"
PRESENTATION_TYPE = "VerifiablePresentation"
SPEC = "https://www.w3.org/TR/vc-data-model-2.0/"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+\Z")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")
TYPED_PROPERTIES = {
    "credentialStatus": ("status-type", "4.10"),
    "credentialSchema": ("schema-type", "4.11"),
    "evidence": ("evidence-type", "5.6"),
    "refreshService": ("refresh-service-type", "5.4"),
    "termsOfUse": ("terms-of-use-type", "5.5"),
}
"""Properties whose every object MUST have a ``type``: the rule name and the section."""


@dataclass(frozen=True)
class Violation:
    """One broken MUST: ``rule`` (a stable name), ``section`` of VC DM 2.0, where, and why."""

    rule: str
    section: str
    pointer: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule} (VC DM 2.0 §{self.section}) at {self.pointer or '/'}: {self.detail}"

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "section": self.section,
            "pointer": self.pointer,
            "detail": self.detail,
        }


class DataModelError(ValueError):
    """The credential breaks at least one MUST of VC DM 2.0; ``violations`` says which."""

    def __init__(self, found: list[Violation]) -> None:
        super().__init__("; ".join(map(str, found)))
        self.violations = found


def is_url(value: object) -> bool:
    """Whether ``value`` is an absolute URL (a scheme, then no spaces): ``https:``, ``did:``…"""
    return isinstance(value, str) and _URL.match(value) is not None


def _objects(value: object) -> list[object]:
    """A property's values: a set is a JSON array, a single value stands for a set of one."""
    return value if isinstance(value, list) else [value]


def _types(value: object) -> list[str] | None:
    """The type values if ``value`` is one string or a non-empty array of strings, else None."""
    values = _objects(value)
    if values and all(isinstance(item, str) and item for item in values):
        return values  # type: ignore[return-value]
    return None


def _language_value(value: object) -> bool:
    """A string, or a language value object (``@value``, optional ``@language``/``@direction``)."""
    if isinstance(value, str):
        return True
    if not isinstance(value, Mapping) or not isinstance(value.get("@value"), str):
        return False
    if set(value) - {"@value", "@language", "@direction"}:
        return False
    language = value.get("@language")
    direction = value.get("@direction")
    language_ok = language is None or (
        isinstance(language, str) and _LANGUAGE_TAG.match(language) is not None
    )
    return language_ok and direction in (None, "ltr", "rtl")


def _check_id(node: Mapping[str, Any], pointer: str) -> Iterator[Violation]:
    if "id" in node and not is_url(node["id"]):
        yield Violation("id-url", "4.4", f"{pointer}/id", f"id {node['id']!r} is not a URL")


def _check_names(node: Mapping[str, Any], pointer: str) -> Iterator[Violation]:
    for name in ("name", "description"):
        if name in node and not all(map(_language_value, _objects(node[name]))):
            yield Violation(
                f"{name}-string",
                "4.6",
                f"{pointer}/{name}",
                f"{name} must be a string or language value objects",
            )


def _check_context(credential: Mapping[str, Any]) -> Iterator[Violation]:
    context = credential.get("@context")
    if not isinstance(context, list) or not context:
        yield Violation("context", "4.3", "/@context", "@context must be an ordered set (array)")
        return
    if context[0] != BASE_CONTEXT:
        yield Violation(
            "context-base", "4.3", "/@context/0", f"the first @context must be {BASE_CONTEXT}"
        )
    for position, item in enumerate(context[1:], 1):
        if not (is_url(item) or isinstance(item, Mapping)):
            yield Violation(
                "context-item", "4.3", f"/@context/{position}", "must be a URL or an object"
            )


def _check_type(credential: Mapping[str, Any]) -> Iterator[Violation]:
    if "type" not in credential:
        yield Violation("type", "4.5", "/type", "a credential must have a type")
        return
    types = _types(credential["type"])
    if types is None:
        yield Violation("type", "4.5", "/type", "type must be a string or an array of strings")
    elif BASE_TYPE not in types:
        yield Violation("type-base", "4.5", "/type", f"type must include {BASE_TYPE}")


def _check_issuer(credential: Mapping[str, Any]) -> Iterator[Violation]:
    if "issuer" not in credential:
        yield Violation("issuer", "4.7", "/issuer", "a credential must have an issuer")
        return
    issuer = credential["issuer"]
    if isinstance(issuer, Mapping):
        if not is_url(issuer.get("id")):
            yield Violation("issuer-url", "4.7", "/issuer/id", "the issuer's id must be a URL")
        yield from _check_names(issuer, "/issuer")
    elif not is_url(issuer):
        yield Violation(
            "issuer-url", "4.7", "/issuer", "issuer must be a URL or an object with a URL id"
        )


def _check_subject(credential: Mapping[str, Any]) -> Iterator[Violation]:
    if "credentialSubject" not in credential:
        yield Violation(
            "subject", "4.8", "/credentialSubject", "a credential must have a credentialSubject"
        )
        return
    subjects = _objects(credential["credentialSubject"])
    if not subjects:
        yield Violation("subject", "4.8", "/credentialSubject", "credentialSubject is empty")
    plural = isinstance(credential["credentialSubject"], list)
    for position, subject in enumerate(subjects):
        pointer = f"/credentialSubject/{position}" if plural else "/credentialSubject"
        if not isinstance(subject, Mapping):
            yield Violation("subject", "4.8", pointer, "each credentialSubject must be an object")
        elif not set(subject) - {"id"}:
            yield Violation("subject-claims", "4.8", pointer, "the subject makes no claim")
        else:
            yield from _check_id(subject, pointer)


def _check_validity(credential: Mapping[str, Any]) -> Iterator[Violation]:
    moments = {}
    for name in ("validFrom", "validUntil"):
        if name in credential:
            try:
                moments[name] = parse_date_time_stamp(credential[name])
            except ValueError as error:
                yield Violation("date-time-stamp", "4.9", f"/{name}", str(error))
    if len(moments) == 2 and moments["validFrom"] > moments["validUntil"]:
        yield Violation("validity-order", "4.9", "/validFrom", "validFrom is after validUntil")


def _check_typed(credential: Mapping[str, Any]) -> Iterator[Violation]:
    for name, (rule, section) in TYPED_PROPERTIES.items():
        if name not in credential:
            continue
        plural = isinstance(credential[name], list)
        for position, item in enumerate(_objects(credential[name])):
            pointer = f"/{name}/{position}" if plural else f"/{name}"
            if not isinstance(item, Mapping):
                yield Violation(rule, section, pointer, f"each {name} must be an object")
                continue
            if _types(item.get("type")) is None:
                yield Violation(rule, section, pointer, f"each {name} must have a type")
            if name == "credentialSchema" and "id" not in item:
                yield Violation("schema-id", section, pointer, "a credentialSchema must have an id")
            yield from _check_id(item, pointer)


def _check_related_resources(credential: Mapping[str, Any]) -> Iterator[Violation]:
    if "relatedResource" not in credential:
        return
    for position, item in enumerate(_objects(credential["relatedResource"])):
        pointer = f"/relatedResource/{position}"
        if not isinstance(item, Mapping) or not is_url(item.get("id")):
            yield Violation("related-resource", "5.3", pointer, "needs an id that is a URL")
        elif not ("digestSRI" in item or "digestMultibase" in item):
            yield Violation(
                "related-resource", "5.3", pointer, "needs digestSRI or digestMultibase"
            )


def violations(credential: object) -> list[Violation]:
    """Every VC DM 2.0 MUST ``credential`` breaks, in document order of the rules."""
    if not isinstance(credential, Mapping):
        return [Violation("object", "4.2", "", "a credential must be a JSON object")]
    found = [
        *_check_context(credential),
        *_check_id(credential, ""),
        *_check_type(credential),
        *_check_names(credential, ""),
        *_check_issuer(credential),
        *_check_subject(credential),
        *_check_validity(credential),
        *_check_typed(credential),
        *_check_related_resources(credential),
    ]
    return found


def presentation_violations(presentation: object) -> list[Violation]:
    """Every VC DM 2.0 MUST of a verifiable presentation (§4.13) ``presentation`` breaks; its
    credentials are checked as credentials, by whoever verifies them."""
    if not isinstance(presentation, Mapping):
        return [Violation("object", "4.13", "", "a presentation must be a JSON object")]
    found = [*_check_context(presentation), *_check_id(presentation, "")]
    types = _types(presentation.get("type"))
    if types is None or PRESENTATION_TYPE not in types:
        found.append(
            Violation("type-base", "4.13", "/type", f"type must include {PRESENTATION_TYPE}")
        )
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    if "holder" in presentation and not is_url(holder_id):
        found.append(
            Violation("holder", "4.13", "/holder", "holder must be a URL or an object with one")
        )
    for position, item in enumerate(_objects(presentation.get("verifiableCredential", []))):
        if not isinstance(item, Mapping):
            found.append(
                Violation(
                    "verifiable-credential",
                    "4.13",
                    f"/verifiableCredential/{position}",
                    "each verifiableCredential must be an object (a verifiable credential)",
                )
            )
    return found


def check_data_model(credential: object) -> None:
    """Raise ``DataModelError`` unless ``credential`` meets every MUST checked here."""
    found = violations(credential)
    if found:
        raise DataModelError(found)
