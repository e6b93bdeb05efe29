"""Personal data in the read models, sealed when the event log is encrypted.

With ``CRAFTLEDGER_CIPHER_KEY`` set the event log is encrypted (the ``eventsourcing`` library's
AES-GCM cipher), and so must be every copy of what it holds: the read models keep workers' names,
masked ID numbers and the reasons given for suspensions, revocations and withdrawals, and a copy of
``projections.sqlite3`` (or of the PostgreSQL projection tables) must not give them away.

Design: **encrypted columns**, not an encrypted database. SQLite has no page cipher in the
standard library and PostgreSQL has none at all, so a cipher below SQL would cover one store and
not the other; and keeping personal data out of the read models would make every list and
certificate page load aggregates from the log on a request thread. Instead the few columns that
hold personal data are sealed value by value:

- ``seal(text)``: AES-256-GCM, a random 96-bit nonce per value, as ``s1:`` + base64url(nonce +
  ciphertext). Equal names give different ciphertexts, so a copy of the table does not even show
  which rows name the same person.
- ``open(value)``: the text again (``None`` stays ``None``; a value without the prefix is returned
  as it is, so a store written without a key still reads).
- ``blind(text)``: a deterministic keyed hash (HMAC-SHA256) for equality lookups, if a read model
  ever needs to find rows *by* a personal value.

Both keys are derived from the cipher key with HKDF-SHA256 under their own labels, so neither is the
event log's key. Without a cipher key ``Sealer.none()`` leaves everything as it is (and
``blind`` is the identity): the read models are exactly what they were.

What stays in plaintext: identifiers (UUIDs, certificate numbers), organisation, occupation and
competition names, levels, statuses, dates, scores and ranks. Sorting by a sealed column sorts by
ciphertext (a stable but meaningless order), and a substring search on one is done after opening
the candidate rows (``projections.directory``, ``projections.honours``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "s1:"
_SEAL_LABEL = b"craftledger projections seal v1"
_BLIND_LABEL = b"craftledger projections blind v1"


def _derive(key: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(key)


class Sealer:
    """Seals and opens personal values of the read models (see the module docstring)."""

    def __init__(self, cipher_key: str | bytes | None) -> None:
        if cipher_key is None or cipher_key == "" or cipher_key == b"":
            self.active = False
            self._aead: AESGCM | None = None
            self._blind_key = b""
            return
        key = base64.b64decode(cipher_key) if isinstance(cipher_key, str) else cipher_key
        self.active = True
        self._aead = AESGCM(_derive(key, _SEAL_LABEL))
        self._blind_key = _derive(key, _BLIND_LABEL)

    @classmethod
    def none(cls) -> Sealer:
        """Leaves every value as it is (no cipher key)."""
        return cls(None)

    def seal(self, value: Any) -> Any:
        """``value`` (text) sealed; ``None`` and, without a key, everything as it is."""
        if self._aead is None or value is None:
            return value
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, str(value).encode(), None)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, value: Any) -> Any:
        """The text of a ``seal``-ed value; anything else as it is."""
        if self._aead is None or not isinstance(value, str) or not value.startswith(PREFIX):
            return value
        data = base64.urlsafe_b64decode(value[len(PREFIX) :])
        return self._aead.decrypt(data[:12], data[12:], None).decode()

    def open_fields(self, row: dict[str, Any], *fields: str) -> dict[str, Any]:
        """``row`` with ``fields`` opened in place (those it has)."""
        if self._aead is not None:
            for name in fields:
                if name in row:
                    row[name] = self.open(row[name])
        return row

    def blind(self, value: str) -> str:
        """A deterministic keyed hash of ``value`` for equality lookups (the value itself
        without a key)."""
        if not self.active:
            return value
        return hmac.new(self._blind_key, value.encode(), hashlib.sha256).hexdigest()
