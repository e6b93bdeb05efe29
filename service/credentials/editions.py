"""Earlier editions of a certificate's credential: what the ledger issued before its shape changed.

A credential the ledger issued stays the one it issued after the service starts serving a new
shape, so the ``ledger_record`` check accepts, besides the current document, each earlier
edition of it, rebuilt from the current one (from the same events):

* ``two status entries`` (issue 18, our JSON-LD context already named): ``credentialStatus``
  as two 1-bit entries, revocation and suspension, at the certificate's allocated indexes; the
  public disclosure without a subject ``identifier``; the achievement's earlier name and
  criteria (Chinese level name only; the English narrative).
* ``before our context``: the same, with ``@context`` VC 2.0 and Open Badges 3.0.3 only.

The old revocation and suspension lists stay served, so the status of such a credential is read
as before; only its shape is older. A new shape change adds an edition here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.skill_level import SkillLevel
from service.credentials.credential_document import CredentialUrls, Disclosure
from service.signing.status_list import PURPOSES, status_list_entry

__all__ = ["earlier_editions"]


def _criteria(level_code: str) -> str:
    return (
        "Passed the evaluation for this occupation and level under the national "
        "occupational skill standard: theory and practical each at least 60 of 100"
        + ("; comprehensive review at least 60" if level_code in ("2", "1") else "")
        + "; or promoted through a recorded route (competition, direct recognition)."
    )


def earlier_editions(
    current: dict[str, Any],
    disclosure: Disclosure,
    urls: CredentialUrls,
    issuer_id: UUID,
    indexes: Mapping[str, int],
    list_number: int = 1,
) -> list[tuple[str, dict[str, Any]]]:
    """``(edition, document)`` for each earlier edition of the unsigned ``current`` credential
    of a certificate (``indexes``: its allocated status list indexes, in the issuer's list
    ``list_number``), newest first."""
    edition = copy.deepcopy(current)
    edition["credentialStatus"] = [
        status_list_entry(
            urls.status_list_url(issuer_id, purpose, list_number), purpose, indexes[purpose]
        )
        for purpose in PURPOSES
    ]
    subject = edition["credentialSubject"]
    if disclosure == "public":
        subject.pop("identifier", None)
    achievement = subject["achievement"]
    occupation, level = achievement["occupation"]["name"], achievement["level"]["code"]
    achievement["name"] = f"{occupation} {SkillLevel.from_code(level).name_zh}"
    achievement["criteria"] = {"narrative": _criteria(level)}
    before_context = {**copy.deepcopy(edition), "@context": edition["@context"][:2]}
    return [("two status entries", edition), ("before our context", before_context)]
