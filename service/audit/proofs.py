"""RFC 9162 proofs (包含证明, 一致性证明) from what the transparency log has recorded.

Every proof is answered against a head already signed: nothing here appends leaves or signs
heads (the projection runner and its listener do, in the background). A leaf that no signed head
covers yet raises ``NotYetSigned`` with the seconds after which a head is due, so a caller can
answer 409 with ``Retry-After`` instead of signing on the request thread.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.certificate import Certificate
from projections.transparency.merkle import InvalidProofError, check_inclusion, leaf_hash
from projections.transparency.proof_json import ConsistencyProof, InclusionProof
from projections.transparency_log import LeafRecord, TransparencyLogQuery, leaf_data_of
from service.audit.errors import AwaitingHead, LogUnavailable, NotYetSigned, OutOfRange
from service.audit.histories import Histories
from service.audit.tree_heads import StoredHead, TreeHeads
from service.signing.credential_verifier import Check

__all__ = ["Proofs"]

log = logging.getLogger(__name__)


class Proofs:
    """Inclusion and consistency proofs, and the inclusion of a certificate's issuance."""

    def __init__(self, log_query: TransparencyLogQuery, heads: TreeHeads, histories: Histories):
        self.log = log_query
        self.heads = heads
        self.histories = histories

    def _retry_after(self) -> int:
        return max(1, math.ceil(self.heads.policy.every_seconds))

    def latest_head(self) -> StoredHead:
        """The newest signed head; NotYetSigned before the first one."""
        latest = self.heads.latest()
        if latest is None:
            raise NotYetSigned("no tree head has been signed yet", self._retry_after())
        return latest

    def head_covering(self, leaf_index: int) -> StoredHead:
        """The newest signed head, if its tree holds ``leaf_index``; AwaitingHead if not."""
        try:
            latest = self.latest_head()
        except NotYetSigned as error:
            raise AwaitingHead(
                f"leaf {leaf_index} is in the log; {error}", error.retry_after
            ) from None
        if latest.tree_size <= leaf_index:
            raise AwaitingHead(
                f"leaf {leaf_index} is not in a signed tree head yet (the newest covers"
                f" {latest.tree_size} leaves)",
                self._retry_after(),
            )
        return latest

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        """PATH(index, D[0:size]); ``size`` defaults to the newest signed head's."""
        if size is None:
            size = self.head_covering(index).tree_size
        if not 0 <= index < size:
            raise OutOfRange(f"leaf index {index} is not below tree size {size}")
        if not self.log.ready():
            raise LogUnavailable("the transparency log has not been built yet")
        try:
            leaf, path = self.log.inclusion(index, size)
        except LookupError:
            raise LogUnavailable(f"the log has {self.log.size()} leaves, not {size}") from None
        return InclusionProof(index, size, leaf, path)

    def consistency_proof(self, first: int, second: int | None = None) -> ConsistencyProof:
        """PROOF(first, D[0:second]); ``second`` defaults to the newest signed head's."""
        if second is None:
            second = self.latest_head().tree_size
        if not 0 < first <= second:
            raise OutOfRange(f"no consistency proof from size {first} to size {second}")
        if not self.log.ready():
            raise LogUnavailable("the transparency log has not been built yet")
        try:
            path = self.log.consistency(first, second)
        except LookupError:
            raise LogUnavailable(f"the log has {self.log.size()} leaves, not {second}") from None
        return ConsistencyProof(first, second, path)

    # -- one event's inclusion ------------------------------------------------------------------

    def _leaf_of(self, aggregate_id: UUID, version: int) -> LeafRecord:
        record = self.histories.leaf_of_event(aggregate_id, version) if self.log.ready() else None
        if record is None:
            recorded = self.histories.event_recorded(aggregate_id, version)
            pending = AwaitingHead if recorded else NotYetSigned
            raise pending(
                f"event {aggregate_id} v{version} is not in the transparency log yet",
                self._retry_after(),
            )
        return record

    def event_inclusion(self, aggregate_id: UUID, version: int) -> dict[str, Any]:
        """The inclusion of one stored event in the log, against the newest signed head:
        ``{position, leaf_index, tree_head, inclusion_proof}``. Checks that the stored event
        still hashes to its leaf and that the proof leads to the head's root."""
        record = self._leaf_of(aggregate_id, version)
        head = self.head_covering(record.leaf_index)
        proof = self.inclusion_proof(record.leaf_index, head.tree_size)
        notification = self.histories.notification_at(record.position)
        if notification is None or leaf_hash(leaf_data_of(notification)) != proof.leaf_hash:
            raise InvalidProofError(
                f"the stored event at position {record.position} no longer matches its leaf"
            )
        check_inclusion(
            proof.leaf_hash,
            proof.leaf_index,
            proof.tree_size,
            proof.audit_path,
            head.head.root_hash,
        )
        return {
            "position": record.position,
            "leaf_index": record.leaf_index,
            "tree_head": head.to_json(),
            "inclusion_proof": proof.to_json(),
        }

    def certificate_inclusion(self, number: str) -> dict[str, Any]:
        """The certificate's issuance event (its version 1) in the log."""
        return self.event_inclusion(Certificate.create_id(number=number), 1)

    def log_inclusion_check(self, credential: Mapping[str, Any]) -> Check:
        """The ``log_inclusion`` check of a credential's verification report."""
        name = "log_inclusion"
        subject = credential.get("credentialSubject")
        number = subject.get("licenseNumber") if isinstance(subject, Mapping) else None
        if not isinstance(number, str):
            return Check(name, "skipped", "only certificate credentials are checked in the log")
        try:
            found = self.certificate_inclusion(number)
        except InvalidProofError as error:
            return Check(name, "failed", str(error))
        except AwaitingHead as error:
            # recorded (its leaf is in the log), only the head that will cover it is pending:
            # nothing to doubt, nothing to prove yet -- and a verify never signs one itself
            return Check(
                name,
                "skipped",
                f"the issuance of {number} is recorded in the log; {error}: a signed tree head "
                f"covering it is due within {error.retry_after} s (verify again for the proof)",
            )
        except (LogUnavailable, LookupError, ValueError) as error:
            return Check(name, "unknown", f"the transparency log cannot answer: {error}")
        except Exception as error:
            log.exception("log inclusion check failed")
            return Check(name, "unknown", f"the transparency log cannot answer: {error}")
        return Check(
            name,
            "passed",
            f"the issuance of {number} is leaf {found['leaf_index']} (position "
            f"{found['position']}) of the signed tree of {found['tree_head']['tree_size']}",
            data={"log_inclusion": found},
        )
