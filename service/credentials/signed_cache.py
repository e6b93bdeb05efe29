"""Signed documents kept once signed, each dropped exactly when the log changes what it says.

A certificate's credential is a pure function of a few aggregates (the certificate, its status
list allocation, the holder's sealed identifier for the full disclosure) and of the key its
issuer signs it with (``Keys.signing_key_for``: the key valid at the issue time). Signing it
again on every fetch repeats the same work for the same bytes, so :class:`SignedDocuments`
keeps each signed document with what it rests on:

* the ids of the aggregates it was built from: an event of any of them drops it;
* for a credential, its issuer and key choice ``(key_id, created)``: an event of the issuer (a
  rotation, a compromise, a new name in the filing) drops only the credentials whose key
  choice it changes. A rotation changes none (credentials keep the key valid when they were
  issued); a compromise changes exactly those the compromised key signed after the
  compromise, which are then re-signed with the replacement key when next fetched. (A status
  list is signed with the key in use: its issuer is among what it is built from.)

Each process checks its documents against the log itself: before answering, it reads the
log's head (one query); when the head has moved, it reads the events since the position it
last checked (their originator ids) and drops what they touch. So a document is never served
from a state older than the head read before answering, whichever process recorded the
change (several gunicorn workers on PostgreSQL each keep their own; the library's PostgreSQL
recorder commits log positions in order, so none appears behind a head already read). At
most ``maxsize`` documents are kept, the least recently served dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.organisation import Organisation
from service.credentials.credential_document import SignedDocument
from service.ledger_store import LedgerStore

__all__ = ["SignedDocuments", "SignedEntry"]

DEFAULT_MAXSIZE = 20_000


@dataclass(frozen=True)
class SignedEntry:
    """A signed document and what it rests on (see the module)."""

    signed: SignedDocument
    built_from: frozenset[UUID]
    """The aggregates it was built from: an event of any drops it."""
    issuer_id: UUID | None = None
    issued_at: datetime | None = None
    key: tuple[str, datetime] | None = None
    """For a credential signed with the key valid at its issue (``issued_at``): the key choice
    ``(key_id, created)`` it was signed with, checked again when its issuer changes (its
    issuer is then not in ``built_from``)."""


class SignedDocuments:
    """Signed documents by key, kept until the log changes what they rest on."""

    def __init__(
        self,
        ledger: LedgerStore,
        key_for: Callable[[Organisation, datetime], tuple[str, datetime]] | None = None,
        maxsize: int = DEFAULT_MAXSIZE,
    ) -> None:
        self._ledger = ledger
        self._key_for = key_for
        self._maxsize = maxsize
        self._entries: OrderedDict[Hashable, SignedEntry] = OrderedDict()
        self._checked: int | None = None
        """The log position up to which every kept entry has been checked."""
        self._lock = threading.Lock()
        self._catching_up = threading.Lock()
        self.signed_count = 0
        """How many documents this cache has had built and signed (tests read it)."""

    def get(self, key: Hashable, build: Callable[[], SignedEntry]) -> SignedDocument:
        """The document under ``key``: kept, or ``build()`` (which reads the ledger and
        signs) and kept."""
        head = self._ledger.log_position
        self._check_up_to(head)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry.signed
        entry = build()
        with self._lock:
            self.signed_count += 1
            # Keep it only if nothing after ``head`` was checked meanwhile: the build read
            # the ledger at or after ``head``, and a later check would not see it to drop it.
            if self._checked == head:
                self._entries[key] = entry
                while len(self._entries) > self._maxsize:
                    self._entries.popitem(last=False)
        return entry.signed

    def _check_up_to(self, head: int) -> None:
        """Drop what the events after the last checked position up to ``head`` change."""
        with self._catching_up:
            checked = self._checked
            if checked is not None and head <= checked:
                return
            touched: set[Any] = set()  # the log names originators by UUID
            if checked is not None and self._entries:
                for notification in self._ledger.notifications(start=checked + 1, stop=head):
                    touched.add(notification.originator_id)
            with self._lock:
                issuers = {e.issuer_id for e in self._entries.values() if e.key} & touched
            rechecked = {issuer_id: self._ledger.organisation(issuer_id) for issuer_id in issuers}
            with self._lock:
                for key, entry in list(self._entries.items()):
                    issuer = rechecked.get(entry.issuer_id)
                    if entry.built_from & touched or (
                        issuer is not None and self._key_choice(issuer, entry) != entry.key
                    ):
                        del self._entries[key]
                self._checked = head

    def _key_choice(self, issuer: Organisation, entry: SignedEntry) -> tuple[str, datetime] | None:
        if entry.issued_at is None or self._key_for is None:
            return entry.key
        try:
            return self._key_for(issuer, entry.issued_at)
        except Exception:  # no key can sign it now: the next fetch says why
            return None

    def clear(self) -> None:
        """Forget every document (the next of each is built and signed again)."""
        with self._lock:
            self._entries.clear()
