"""Issuers' status lists (状态列表): entries allocated to credentials, bits flipped, lists served.

``credential_records_for(issuer, certificates)`` allocates each certificate's random,
never-reused status list indexes and returns the aggregates to save *in the same atomic save*
as the certificates (batch issuers call it once for the whole batch);
``status_list_updates_for(certificate)`` returns the status-bit changes to save with a
suspension, reinstatement or revocation; ``status_list_credential(issuer, purpose)`` is the
signed ``BitstringStatusListCredential`` a verifier fetches.

Credentials carry one entry, in the issuer's ``message`` list (2 bits: 0 valid, 1 suspended,
2 revoked) at their revocation index. That list is derived when read from the revocation and
suspension lists (which are what status changes record, and which stay served for credentials
issued with two entries): a revocation bit gives 2 at its index; a suspension bit gives 1 at
the revocation index of the same subject (its allocation), unless revoked there. Reading it
records nothing, and it follows every revoke, suspend and reinstate as the two lists do.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.certificate import Certificate
from domain.organisation import Organisation
from domain.status_list_allocation import (
    BLOCK_SIZE,
    LIST_SIZE,
    PURPOSES,
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    allocate_indexes,
    check_purpose,
    draw_free_indexes,
    record_taken,
)
from service.commands import NotFound, retried
from service.credentials.credential_document import CredentialUrls, SignedDocument
from service.credentials.keys import SIGNING_KINDS, CredentialUnavailable, Keys, whole_seconds
from service.ledger_store import LedgerStore
from service.signing.status_list import (
    LIST_PURPOSES,
    MESSAGE,
    MESSAGE_REVOKED,
    MESSAGE_STATUS_SIZE,
    MESSAGE_SUSPENDED,
    Bitstring,
    BitstringStatusListCredential,
)

__all__ = [
    "SERVICE_ACTOR",
    "STATUS_LIST_MAX_AGE",
    "STATUS_LIST_VALIDITY",
    "StatusAllocationBatch",
    "StatusLists",
    "StatusReservation",
]

SERVICE_ACTOR = "craftledger:credentials"
STATUS_LIST_VALIDITY = timedelta(hours=48)
"""How long a served status list stays current; verifiers treat an older list as unknown."""
STATUS_LIST_MAX_AGE = 300
"""Seconds a client may cache a status list (``Cache-Control`` and the list's ``ttl``)."""
_SYSTEM_RANDOM = secrets.SystemRandom()


@dataclass
class StatusAllocationBatch:
    """What ``allocate_status_list_entries`` decided: indexes per subject and per purpose, and
    the aggregates to save with the credentials they are for."""

    indexes: dict[str, dict[str, int]] = field(default_factory=dict)
    aggregates: list[Aggregate] = field(default_factory=list)


@dataclass
class StatusReservation:
    """Free status list indexes drawn ahead of an issuing command, with their blocks loaded
    (see ``StatusLists.reserve_status_list_entries``)."""

    issuer_id: UUID
    indexes: list[int] = field(default_factory=list)
    blocks: dict[int, StatusIndexBlock] = field(default_factory=dict)


class StatusLists:
    """Status list entries and bits of every issuer, and their signed lists."""

    def __init__(self, ledger: LedgerStore, urls: CredentialUrls, keys: Keys) -> None:
        self._ledger = ledger
        self._urls = urls
        self._keys = keys
        self._signed = _LRU(1024)

    def _recorded(self, aggregate_id: UUID) -> Any | None:
        try:
            return self._ledger.load(object, aggregate_id, "aggregate")
        except NotFound:
            return None

    def allocation_of(self, issuer_id: UUID, subject: str) -> StatusListAllocation | None:
        """The status list entries allocated to ``subject`` (a certificate number, an award)."""
        found = self._recorded(StatusListAllocation.create_id(issuer_id=issuer_id, subject=subject))
        return found if isinstance(found, StatusListAllocation) else None

    def _recorded_list(self, issuer_id: UUID, purpose: str) -> StatusList | None:
        check_purpose(purpose)
        found = self._recorded(StatusList.create_id(issuer_id=issuer_id, purpose=purpose))
        return found if isinstance(found, StatusList) else None

    def status_list(self, issuer_id: UUID, purpose: str) -> StatusList:
        """The issuer's status list for ``purpose``, to flip a bit on (new if none is recorded)."""
        found = self._recorded_list(issuer_id, purpose)
        return found or StatusList(issuer_id=issuer_id, purpose=purpose, list_size=LIST_SIZE)

    def _block_loader(
        self, issuer_id: UUID, blocks: dict[int, StatusIndexBlock]
    ) -> Callable[[int], StatusIndexBlock]:
        def block_for(number: int) -> StatusIndexBlock:
            if number not in blocks:
                block_id = StatusIndexBlock.create_id(issuer_id=issuer_id, block=number)
                loaded = self._recorded(block_id)
                blocks[number] = loaded or StatusIndexBlock(
                    issuer_id=issuer_id, block=number, block_size=BLOCK_SIZE
                )
            return blocks[number]

        return block_for

    # -- allocation ----------------------------------------------------------------------------

    def reserve_status_list_entries(
        self, issuer_id: UUID, count: int, *, rng: Any = None
    ) -> StatusReservation:
        """Draw ``count`` free random indexes and load their blocks, recording nothing.

        Call it at the start of an issuing command, *before* reading the contended aggregates
        (the number series), and pass it to ``credential_records_for``: the block reads then
        stay out of the window between reading the series and saving, which is what decides
        how often concurrent issuers collide. A stale reservation is harmless: the block's
        version is checked by the save like any other aggregate's.
        """
        reservation = StatusReservation(issuer_id)
        block_for = self._block_loader(issuer_id, reservation.blocks)
        reservation.indexes = draw_free_indexes(count, block_for, rng or _SYSTEM_RANDOM)
        return reservation

    def allocate_status_list_entries(
        self,
        issuer_id: UUID,
        subjects: Sequence[str],
        *,
        at: datetime,
        actor: str,
        rng: Any = None,
        new_subjects: bool = False,
        reservation: StatusReservation | None = None,
    ) -> StatusAllocationBatch:
        """Allocate random, never-reused revocation and suspension indexes for ``subjects``.

        Returns the indexes and the aggregates to pass to the same ``save`` as the credentials
        (nothing is saved here). Subjects that already have entries keep them; with
        ``new_subjects`` (certificates issued in this very save, which cannot have entries
        yet) that lookup is skipped. A ``reservation`` from ``reserve_status_list_entries``
        supplies the indexes (and fresh ones are drawn if it holds too few). Many subjects
        at once cost one event per block touched plus one per subject.
        """
        batch = StatusAllocationBatch()
        new: list[str] = []
        for subject in dict.fromkeys(subjects):
            existing = None if new_subjects else self.allocation_of(issuer_id, subject)
            if existing is not None:
                batch.indexes[subject] = dict(existing.indexes)
            else:
                new.append(subject)
        if not new:
            return batch
        usable = reservation is not None and reservation.issuer_id == issuer_id
        blocks = reservation.blocks if usable and reservation else {}
        block_for = self._block_loader(issuer_id, blocks)
        if usable and reservation and len(reservation.indexes) >= len(new):
            chosen = dict(zip(new, reservation.indexes, strict=False))
            record_taken(chosen, block_for, actor)
        else:
            chosen = allocate_indexes(new, block_for, rng or _SYSTEM_RANDOM, actor)
        batch.aggregates.extend(block for block in blocks.values() if block.pending_events)
        for subject in new:
            indexes = {purpose: chosen[subject] for purpose in PURPOSES}
            batch.indexes[subject] = indexes
            batch.aggregates.append(
                StatusListAllocation(
                    issuer_id=issuer_id,
                    subject=subject,
                    list_size=LIST_SIZE,
                    indexes=indexes,
                    at=at,
                    actor=actor,
                )
            )
        return batch

    def credential_records_for(
        self,
        issuer: Organisation,
        certificates: Sequence[Certificate],
        *,
        actor: str | None = None,
        reservation: StatusReservation | None = None,
    ) -> list[Aggregate]:
        """What to save with newly issued ``certificates`` of ``issuer``: their status list
        entries and, if the issuer has no key yet, its first key (then ``issuer`` is among
        the aggregates returned). Call once per batch, before the one atomic ``save``::

            reservation = credentials.reserve_status_list_entries(issuer.id, len(candidates))
            series = ...  # the contended read comes after
            certificates = [...]  # issued by the domain, not yet saved
            extra = credentials.credential_records_for(
                issuer, certificates, actor=actor, reservation=reservation
            )
            return ledger.record(first, *others, *extra)
        """
        if not certificates:
            return []
        actor = actor or certificates[0].issued_by
        extra: list[Aggregate] = []
        earliest = min(certificate.issued_at for certificate in certificates)
        if not issuer.signing_keys and issuer.kind in SIGNING_KINDS:
            self._keys.add_key(issuer, earliest, actor)
            extra.append(issuer)
        batch = self.allocate_status_list_entries(
            issuer.id,
            [c.number for c in certificates],
            at=earliest,
            actor=actor,
            new_subjects=True,
            reservation=reservation,
        )
        return extra + batch.aggregates

    @retried
    def ensure_status_list_entries(self, number: str) -> dict[str, int]:
        """Give a certificate issued before status lists existed its entries (a command)."""
        certificate = self._ledger.certificate(number)
        existing = self.allocation_of(certificate.issuer_id, number)
        if existing is not None:
            return dict(existing.indexes)
        batch = self.allocate_status_list_entries(
            certificate.issuer_id, [number], at=self._ledger.clock(), actor=SERVICE_ACTOR
        )
        first, *others = batch.aggregates
        self._ledger.record(first, *others)
        return batch.indexes[number]

    # -- status changes ------------------------------------------------------------------------

    def status_list_updates_for(self, certificate: Certificate) -> list[Aggregate]:
        """The status bit changes for the certificate's latest status change (suspended: set
        its suspension bit; reinstated: clear it; revoked: set its revocation bit), to save
        with the certificate. A certificate issued before status lists gets its entries now."""
        change = certificate.history[-1]
        extra: list[Aggregate] = []
        allocation = self.allocation_of(certificate.issuer_id, certificate.number)
        if allocation is None:
            batch = self.allocate_status_list_entries(
                certificate.issuer_id, [certificate.number], at=change["at"], actor=SERVICE_ACTOR
            )
            indexes = batch.indexes[certificate.number]
            extra.extend(batch.aggregates)
        else:
            indexes = allocation.indexes
        status = change["status"]
        purpose = {"revoked": "revocation", "suspended": "suspension", "valid": "suspension"}[
            status
        ]
        status_list = self.status_list(certificate.issuer_id, purpose)
        arguments = (
            indexes[purpose],
            certificate.number,
            change["at"],
            change["actor"],
            change["reason"],
        )
        if status == "valid":
            status_list.clear_bit(*arguments)
        else:
            status_list.set_bit(*arguments)
        if status_list.pending_events:
            extra.append(status_list)
        return extra

    # -- the signed list -----------------------------------------------------------------------

    def status_list_credential(self, issuer_id: UUID, purpose: str) -> SignedDocument:
        """The issuer's signed ``BitstringStatusListCredential`` for ``purpose`` (revocation,
        suspension, or message: see the module docstring).

        Signed with the key in use, ``created`` and ``validFrom`` at the start of the current
        hour (or the key's start, if later), ``validUntil`` ``STATUS_LIST_VALIDITY`` after:
        the document, and so its ETag, change only when a bit flips, the key rotates or the
        hour turns.
        """
        if purpose not in LIST_PURPOSES:
            check_purpose(purpose)  # raises: unknown purpose
        organisation = self._ledger.organisation(issuer_id)
        key_id = organisation.current_key_id
        if key_id is None:
            raise CredentialUnavailable(
                f"{organisation.name} has no key in use to sign its status lists; rotate its key"
            )
        key = organisation.signing_keys[key_id]
        now = whole_seconds(self._ledger.clock())
        created = max(now.replace(minute=0, second=0), whole_seconds(key["valid_from"]))
        sources = PURPOSES if purpose == MESSAGE else (purpose,)
        lists = [self._recorded_list(issuer_id, source) for source in sources]
        versions = tuple(found.version if found else 0 for found in lists)
        cache_key = (self._urls.base_url, issuer_id, purpose, versions, key_id, created)
        cached = self._signed.get(cache_key)
        if cached is not None:
            return cached
        if purpose == MESSAGE:
            bits = self._message_bits(issuer_id, *lists)
        else:
            bits = Bitstring(LIST_SIZE)
            for index in lists[0].set_bits if lists[0] else ():
                bits.set(index)
        url = self._urls.status_list_url(issuer_id, purpose)
        unsigned = BitstringStatusListCredential(
            id=url,
            issuer=self._urls.controller_id(issuer_id),
            purpose=purpose,  # type: ignore[arg-type]
            bitstring=bits,
            valid_from=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            valid_until=(created + STATUS_LIST_VALIDITY).strftime("%Y-%m-%dT%H:%M:%SZ"),
            ttl_milliseconds=STATUS_LIST_MAX_AGE * 1000,
        ).to_document()
        signed = SignedDocument.of(self._keys.sign(organisation, unsigned, key_id, created))
        self._signed.put(cache_key, signed)
        return signed

    def _message_bits(
        self, issuer_id: UUID, revocation: StatusList | None, suspension: StatusList | None
    ) -> Bitstring:
        """The 2-bit message list from the two 1-bit lists: revoked (2) at each revocation
        bit; suspended (1) at the revocation index of each suspended subject not revoked."""
        bits = Bitstring(LIST_SIZE * MESSAGE_STATUS_SIZE)
        for index in revocation.set_bits if revocation else ():
            bits.set_value(index, MESSAGE_REVOKED, MESSAGE_STATUS_SIZE)
        suspended = suspension.set_bits if suspension else {}
        ids = {
            StatusListAllocation.create_id(issuer_id=issuer_id, subject=subject): index
            for index, subject in suspended.items()
        }
        allocations = self._ledger.load_many(ids) if ids else {}
        for allocation_id, index in ids.items():
            allocation = allocations.get(allocation_id)
            if isinstance(allocation, StatusListAllocation):
                index = allocation.indexes["revocation"]
            if bits.get_value(index, MESSAGE_STATUS_SIZE) != MESSAGE_REVOKED:
                bits.set_value(index, MESSAGE_SUSPENDED, MESSAGE_STATUS_SIZE)
        return bits


class _LRU:
    """A small thread-safe LRU for signed status lists (keyed by list version and hour)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Any, SignedDocument] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> SignedDocument | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: SignedDocument) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
