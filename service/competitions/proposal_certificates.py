"""Which certificates a promotion proposal rests on, and whether one of them is revoked.

A proposal (以赛代评) rests on two kinds of certificate:

* the worker's **current level** in the competition's occupation, read when the results were
  published (``current_level`` of the result's promotion): the rule promoted the worker one grade
  *from* that level. It rests on the worker's ledger certificates at that level in the
  occupation; when every one of them is now revoked, the level the proposal started from is gone
  (a level held through a confirmed external certificate is not in the ledger's register and is
  not judged here);
* once approved (核准), the **certificate issued** for it: revoked, the promotion is undone.

The certificates' statuses are read from the directory read model (``list_certificates``), one
query per worker; a proposal is flagged with the revoked certificates' numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["REVOKED", "revoked_basis"]

REVOKED = "revoked"

#: ``list_certificates(worker_id=…, occupation_code=…, limit=…)`` of the directory read model.
ListCertificates = Callable[..., Any]


def revoked_basis(
    proposal: Mapping[str, Any], occupation_code: str, list_certificates: ListCertificates
) -> list[dict[str, str]]:
    """The revoked certificates ``proposal`` (as ``approval_queue.proposal_view`` answers it)
    rests on: ``[{"number", "kind": "current-level" | "issued", "reason"}]``, empty when none."""
    held = list_certificates(
        worker_id=proposal["worker_id"], occupation_code=occupation_code, limit=200
    ).items
    flagged: list[dict[str, str]] = []
    level = proposal.get("current_level")
    if level is not None:
        at_level = [c for c in held if str(c["level"]) == str(level)]
        if at_level and all(c["status"] == REVOKED for c in at_level):
            flagged += [_flag(c, "current-level") for c in at_level]
    issued = proposal.get("certificate_number")
    if issued:
        flagged += [_flag(c, "issued") for c in held if c["number"] == issued and _revoked(c)]
    return flagged


def _revoked(certificate: Mapping[str, Any]) -> bool:
    return bool(certificate["status"] == REVOKED)


def _flag(certificate: Mapping[str, Any], kind: str) -> dict[str, str]:
    return {
        "number": str(certificate["number"]),
        "kind": kind,
        "reason": str(certificate.get("status_reason") or ""),
    }
