"""Audit (审计): signed tree heads, proofs, histories, state at any version or date, and
``audit verify``.

The transparency log (``projections.transparency_log``) is a projection: one RFC 9162 leaf per
stored event, in log order, appended in the same transaction as its tracked position, by the
projection runner. Its parts here:

- ``tree_heads``: the signed tree heads (the ledger's Ed25519 key) and their history;
- ``proofs``: inclusion and consistency proofs against heads already signed;
- ``histories``: the log and aggregates' histories and states, for auditors;
- ``verification``: ``verify_log``, recomputing the log from the stored events;
- ``proof_check``: checking a proof from documents alone (offline, and the ``/audit`` page);
- ``service``: ``Audit``, the parts over one ledger and store, and the background work that
  appends leaves and signs heads. Nothing a GET or a verify calls writes.
"""

from __future__ import annotations

from service.audit.errors import LogUnavailable, NotYetSigned, OutOfRange
from service.audit.histories import parse_moment
from service.audit.service import Audit
from service.audit.tree_heads import HEAD_TABLE, HeadPolicy, StoredHead
from service.audit.verification import AuditReport, Disagreement, HeadCheck, verify_log

__all__ = [
    "HEAD_TABLE",
    "Audit",
    "AuditReport",
    "Disagreement",
    "HeadCheck",
    "HeadPolicy",
    "LogUnavailable",
    "NotYetSigned",
    "OutOfRange",
    "StoredHead",
    "parse_moment",
    "verify_log",
]
