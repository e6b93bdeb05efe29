"""Issuers' status lists (状态列表): entries allocated to credentials, bits flipped, lists served.

``credential_records_for(issuer, certificates)`` allocates each certificate's random,
never-reused status list indexes and returns the aggregates to save *in the same atomic save*
as the certificates (batch issuers call it once for the whole batch);
``status_list_updates_for(certificate)`` returns the status-bit changes to save with a
suspension, reinstatement or revocation; ``status_list_credential(issuer, purpose)`` is the
signed ``BitstringStatusListCredential`` a verifier fetches.

An issuer's lists are numbered (``domain.status_list_allocation``): list 1 at
``/api/v1/status-lists/{issuer}/{purpose}`` as ever, list ``n`` from 2 at ``…/{purpose}/{n}``;
a credential's entries lie in the list its allocation names, and when the open list is 3/4 full
the next one opens (recorded on the issuer's ``StatusListDirectory``, saved with the
allocation that opened it).

Credentials carry one entry, in the issuer's ``message`` list (2 bits: 0 valid, 1 suspended,
2 revoked) at their revocation index. That list is derived when read from the revocation and
suspension lists (which are what status changes record, and which stay served for credentials
issued with two entries): a revocation bit gives 2 at its index; a suspension bit gives 1 at
the revocation index of the same subject (its allocation), unless revoked there; list ``n``
of the message purpose is derived from list ``n`` of the other two. Reading it
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
    FIRST_LIST,
    LIST_SIZE,
    PURPOSES,
    BlockFor,
    Draw,
    ListIndex,
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    StatusListDirectory,
    StatusPosition,
    allocate_entries,
    check_purpose,
    draw_entries,
    record_taken,
)
from service.commands import NotFound, retried
from service.credentials.credential_document import CredentialUrls, SignedDocument
from service.credentials.keys import SIGNING_KINDS, CredentialUnavailable, Keys, whole_seconds
from service.credentials.signed_cache import SignedDocuments, SignedEntry
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
    """What ``allocate_status_list_entries`` decided: each subject's position (list number
    and index per purpose), and the aggregates to save with the credentials they are for."""

    positions: dict[str, StatusPosition] = field(default_factory=dict)
    aggregates: list[Aggregate] = field(default_factory=list)

    @property
    def indexes(self) -> dict[str, dict[str, int]]:
        """Each subject's index per purpose (within its list, ``positions``)."""
        return {subject: dict(p.indexes) for subject, p in self.positions.items()}


Blocks = dict[tuple[int, int], StatusIndexBlock]
"""Loaded blocks by ``(list number, block number)``."""


@dataclass
class StatusReservation:
    """Free status list entries drawn ahead of an issuing command, with their blocks loaded
    (see ``StatusLists.reserve_status_list_entries``)."""

    issuer_id: UUID
    draw: Draw = field(default_factory=Draw)
    blocks: Blocks = field(default_factory=dict)

    @property
    def entries(self) -> list[ListIndex]:
        return self.draw.entries

    @property
    def indexes(self) -> list[int]:
        """The indexes drawn (each within its list)."""
        return [entry.index for entry in self.draw.entries]


class StatusLists:
    """Status list entries and bits of every issuer, and their signed lists."""

    def __init__(
        self, ledger: LedgerStore, urls: CredentialUrls, keys: Keys, list_size: int = LIST_SIZE
    ) -> None:
        self._ledger = ledger
        self._urls = urls
        self._keys = keys
        self._signed = _LRU(1024)
        self.served = SignedDocuments(ledger, keys.signing_key_for)
        """The lists served, kept once signed (``served_status_list_credential``)."""
        self.list_size = list_size
        """Entries drawn from in each list: ``LIST_SIZE``; a test sets fewer, to fill a list
        (the lists served keep ``LIST_SIZE`` entries, the W3C minimum)."""

    @property
    def block_size(self) -> int:
        return min(BLOCK_SIZE, self.list_size)

    def _recorded(self, aggregate_id: UUID) -> Any | None:
        try:
            return self._ledger.load(object, aggregate_id, "aggregate")
        except NotFound:
            return None

    def allocation_of(self, issuer_id: UUID, subject: str) -> StatusListAllocation | None:
        """The status list entries allocated to ``subject`` (a certificate number, an award)."""
        found = self._recorded(StatusListAllocation.create_id(issuer_id=issuer_id, subject=subject))
        return found if isinstance(found, StatusListAllocation) else None

    def directory(self, issuer_id: UUID) -> StatusListDirectory | None:
        """The issuer's directory of numbered lists; None while list 1 is its only list."""
        found = self._recorded(StatusListDirectory.create_id(issuer_id=issuer_id))
        return found if isinstance(found, StatusListDirectory) else None

    def list_count(self, issuer_id: UUID) -> int:
        """How many lists of each purpose the issuer has (1 until a second opens)."""
        directory = self.directory(issuer_id)
        return directory.current if directory else FIRST_LIST

    def _recorded_list(
        self, issuer_id: UUID, purpose: str, list_number: int = FIRST_LIST
    ) -> StatusList | None:
        check_purpose(purpose)
        found = self._recorded(StatusList.create_id(issuer_id, purpose, list_number))
        return found if isinstance(found, StatusList) else None

    def status_list(
        self, issuer_id: UUID, purpose: str, list_number: int = FIRST_LIST
    ) -> StatusList:
        """The issuer's list ``list_number`` for ``purpose``, to flip a bit on (new if none is
        recorded)."""
        found = self._recorded_list(issuer_id, purpose, list_number)
        return found or StatusList.open(issuer_id, purpose, LIST_SIZE, list_number)

    def _block_loader(self, issuer_id: UUID, blocks: Blocks) -> BlockFor:
        def block_for(list_number: int, number: int) -> StatusIndexBlock:
            if (list_number, number) not in blocks:
                loaded = self._recorded(StatusIndexBlock.create_id(issuer_id, number, list_number))
                blocks[list_number, number] = loaded or StatusIndexBlock.open(
                    issuer_id, number, self.block_size, list_number
                )
            return blocks[list_number, number]

        return block_for

    def _taken_counter(self, issuer_id: UUID, blocks: Blocks) -> Callable[[int], int]:
        """``taken_in(n)``: the indexes list ``n`` records as taken, its blocks read at once."""

        def taken_in(list_number: int) -> int:
            numbers = range(self.list_size // self.block_size)
            ids = {
                StatusIndexBlock.create_id(issuer_id, number, list_number): number
                for number in numbers
                if (list_number, number) not in blocks
            }
            for block_id, found in self._ledger.load_many(ids).items():
                if isinstance(found, StatusIndexBlock):
                    blocks[list_number, ids[block_id]] = found
            return sum(
                len(blocks[list_number, n].taken) for n in numbers if (list_number, n) in blocks
            )

        return taken_in

    def _draw(
        self,
        issuer_id: UUID,
        count: int,
        blocks: Blocks,
        rng: Any,
        *,
        subjects: Sequence[str] | None = None,
        actor: str = SERVICE_ACTOR,
    ) -> tuple[Draw, dict[str, ListIndex]]:
        """Draw ``count`` entries (and record them for ``subjects`` if given) in the issuer's
        open list, opening the next when it is full."""
        options = {
            "open_list": self.list_count(issuer_id),
            "taken_in": self._taken_counter(issuer_id, blocks),
            "list_size": self.list_size,
            "block_size": self.block_size,
        }
        block_for = self._block_loader(issuer_id, blocks)
        if subjects is None:
            return draw_entries(count, block_for, rng or _SYSTEM_RANDOM, **options), {}
        chosen, draw = allocate_entries(
            subjects, block_for, rng or _SYSTEM_RANDOM, actor, **options
        )
        return draw, chosen

    def _opened(
        self, issuer_id: UUID, draw: Draw, used: int, at: datetime, actor: str
    ) -> list[Aggregate]:
        """The issuer's directory with the lists ``draw`` opened up to list ``used`` (the
        highest an entry is saved in), to save with the entries."""
        if not any(list_number <= used for list_number in draw.opened):
            return []
        directory = self.directory(issuer_id) or StatusListDirectory(issuer_id=issuer_id)
        for list_number, taken_before in sorted(draw.opened.items()):
            if directory.current < list_number <= used:
                directory.open_list(list_number, self.list_size, taken_before, at, actor)
        return [directory] if directory.pending_events else []

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
        reservation.draw, _ = self._draw(issuer_id, count, reservation.blocks, rng)
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
                batch.positions[subject] = existing.position
            else:
                new.append(subject)
        if not new:
            return batch
        usable = reservation is not None and reservation.issuer_id == issuer_id
        blocks = reservation.blocks if usable and reservation else {}
        if usable and reservation and len(reservation.entries) >= len(new):
            draw = reservation.draw
            chosen = dict(zip(new, draw.entries, strict=False))
            record_taken(
                chosen, self._block_loader(issuer_id, blocks), actor, block_size=self.block_size
            )
        else:
            draw, chosen = self._draw(issuer_id, len(new), blocks, rng, subjects=new, actor=actor)
        used = max(entry.list_number for entry in chosen.values())
        batch.aggregates.extend(self._opened(issuer_id, draw, used, at, actor))
        batch.aggregates.extend(block for block in blocks.values() if block.pending_events)
        for subject in new:
            entry = chosen[subject]
            position = StatusPosition(
                entry.list_number, {purpose: entry.index for purpose in PURPOSES}
            )
            batch.positions[subject] = position
            batch.aggregates.append(
                StatusListAllocation.allocate(
                    issuer_id, subject, self.list_size, position, at, actor
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
    def ensure_status_list_entries(self, number: str) -> StatusPosition:
        """Give a certificate issued before status lists existed its entries (a command)."""
        certificate = self._ledger.certificate(number)
        existing = self.allocation_of(certificate.issuer_id, number)
        if existing is not None:
            return existing.position
        batch = self.allocate_status_list_entries(
            certificate.issuer_id, [number], at=self._ledger.clock(), actor=SERVICE_ACTOR
        )
        first, *others = batch.aggregates
        self._ledger.record(first, *others)
        return batch.positions[number]

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
            position = batch.positions[certificate.number]
            extra.extend(batch.aggregates)
        else:
            position = allocation.position
        status = change["status"]
        purpose = {"revoked": "revocation", "suspended": "suspension", "valid": "suspension"}[
            status
        ]
        status_list = self.status_list(certificate.issuer_id, purpose, position.list_number)
        arguments = (
            position[purpose],
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

    def status_list_credential(
        self, issuer_id: UUID, purpose: str, list_number: int = FIRST_LIST
    ) -> SignedDocument:
        """The issuer's signed ``BitstringStatusListCredential`` number ``list_number`` for
        ``purpose`` (revocation, suspension, or message: see the module docstring); a list
        not yet opened is ``NotFound``.

        Signed with the key in use, ``created`` and ``validFrom`` at the start of the current
        hour (or the key's start, if later), ``validUntil`` ``STATUS_LIST_VALIDITY`` after:
        the document, and so its ETag, change only when a bit flips, the key rotates or the
        hour turns.
        """
        if purpose not in LIST_PURPOSES:
            check_purpose(purpose)  # raises: unknown purpose
        organisation = self._ledger.organisation(issuer_id)
        if list_number != FIRST_LIST and not 1 < list_number <= self.list_count(issuer_id):
            raise NotFound(f"{organisation.name} has no status list {list_number!r}")
        key_id = organisation.current_key_id
        if key_id is None:
            raise CredentialUnavailable(
                f"{organisation.name} has no key in use to sign its status lists; rotate its key"
            )
        key = organisation.signing_keys[key_id]
        now = whole_seconds(self._ledger.clock())
        created = max(now.replace(minute=0, second=0), whole_seconds(key["valid_from"]))
        sources = PURPOSES if purpose == MESSAGE else (purpose,)
        lists = [self._recorded_list(issuer_id, source, list_number) for source in sources]
        versions = tuple(found.version if found else 0 for found in lists)
        cache_key = (
            self._urls.base_url,
            issuer_id,
            purpose,
            list_number,
            versions,
            key_id,
            created,
        )
        cached = self._signed.get(cache_key)
        if cached is not None:
            return cached
        if purpose == MESSAGE:
            bits = self._message_bits(issuer_id, *lists)
        else:
            bits = Bitstring(LIST_SIZE)
            for index in lists[0].set_bits if lists[0] else ():
                bits.set(index)
        url = self._urls.status_list_url(issuer_id, purpose, list_number)
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

    def served_status_list_credential(
        self, issuer_id: UUID, purpose: str, list_number: int = FIRST_LIST
    ) -> SignedDocument:
        """``status_list_credential(issuer_id, purpose, list_number)``, the same bytes, signed
        once and kept until an event of the issuer (its key in use), of its lists or of its
        directory of lists changes it, or the hour (its ``validFrom``) turns. ``NotFound``
        for an organisation that issues no credentials."""
        if purpose not in LIST_PURPOSES:
            check_purpose(purpose)  # raises: unknown purpose
        hour = whole_seconds(self._ledger.clock()).replace(minute=0, second=0)
        return self.served.get(
            (issuer_id, purpose, list_number, hour),
            lambda: self._served_entry(issuer_id, purpose, list_number),
        )

    def _served_entry(self, issuer_id: UUID, purpose: str, list_number: int) -> SignedEntry:
        organisation = self._ledger.organisation(issuer_id)
        if organisation.kind not in SIGNING_KINDS:
            raise NotFound(f"{organisation.name} issues no credentials and keeps no status lists")
        signed = self.status_list_credential(issuer_id, purpose, list_number)
        sources = PURPOSES if purpose == MESSAGE else (purpose,)
        built_from = {
            issuer_id,
            StatusListDirectory.create_id(issuer_id=issuer_id),
            *(StatusList.create_id(issuer_id, source, list_number) for source in sources),
        }
        return SignedEntry(signed, frozenset(built_from))

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
