"""W3C Bitstring Status List v1.0: the bitstring, its encoding, the list credential, indexes.

Index 0 is the most significant (left-most) bit of byte 0. ``encodedList`` is ``u`` followed
by unpadded base64url of the GZIP-compressed bitstring; compression is deterministic (no
timestamp), so an unchanged list encodes to the same text and can keep its ETag.

A list has entries of ``statusSize`` bits: entry ``i`` is the bits ``i × size … i × size +
size − 1``, most significant first. Revocation and suspension lists have 1-bit entries; the
``message`` list has 2-bit entries whose values ``STATUS_MESSAGES`` names (valid, suspended,
revoked). ``statusSize`` and ``statusMessage`` travel on the credential's entry: the list's
``BitstringStatusList`` subject does not carry them (VC 2.0's context defines no such terms
there; w3c/vc-bitstring-status-list#175).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import secrets
import zlib
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any, Literal, Protocol

MIN_LENGTH = 131_072
"""Minimum number of entries (16 KiB) the specification requires for herd privacy."""
MAX_LENGTH = 1 << 27
"""Largest bitstring ``decode`` expands (16 MiB), a guard against compression bombs."""
CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

StatusPurpose = Literal["revocation", "suspension", "message"]
PURPOSES: tuple[StatusPurpose, ...] = ("revocation", "suspension")
"""The single-bit purposes: the bit set means revoked, or suspended."""
MESSAGE: StatusPurpose = "message"
LIST_PURPOSES: tuple[StatusPurpose, ...] = (*PURPOSES, MESSAGE)
"""Every purpose of a list an issuer serves."""
MESSAGE_STATUS_SIZE = 2
"""Bits per entry of the message list: revocation (high bit) and suspension (low bit)."""
MESSAGE_VALID, MESSAGE_SUSPENDED, MESSAGE_REVOKED = 0, 1, 2
STATUS_MESSAGES: tuple[dict[str, str], ...] = (
    {"status": "0x0", "message": "valid"},
    {"status": "0x1", "message": "suspended"},
    {"status": "0x2", "message": "revoked"},
    {"status": "0x3", "message": "revoked"},
)
"""The message list's ``statusMessage``: one per value of 2 bits (the specification requires
all four). We write 0x2 for a revoked credential even if it was suspended too (revocation is
final and wins); 0x3 is never written, and read as revoked."""


class StatusListError(ValueError):
    """A malformed bitstring, encoded list or index."""


class Bitstring:
    """A fixed-length bitstring of at least ``MIN_LENGTH`` bits, all clear when created."""

    __slots__ = ("_bytes",)

    def __init__(self, length: int = MIN_LENGTH) -> None:
        if length < MIN_LENGTH or length % 8:
            raise StatusListError(
                f"a status list holds a multiple of 8 bits, at least {MIN_LENGTH}: {length}"
            )
        self._bytes = bytearray(length // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bitstring:
        """The bitstring whose bits are ``data``, most significant bit first."""
        bitstring = cls(len(data) * 8)
        bitstring._bytes[:] = data
        return bitstring

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def _position(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self):
            raise StatusListError(f"index {index!r} is outside 0…{len(self) - 1}")
        return index >> 3, 0x80 >> (index & 7)

    def get(self, index: int) -> bool:
        """Whether the bit at ``index`` is set."""
        byte, mask = self._position(index)
        return bool(self._bytes[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set (or with ``value=False`` clear) the bit at ``index``."""
        byte, mask = self._position(index)
        if value:
            self._bytes[byte] |= mask
        else:
            self._bytes[byte] &= ~mask & 0xFF

    def get_value(self, index: int, size: int) -> int:
        """The value of entry ``index`` of ``size`` bits (bits ``index × size`` onwards)."""
        self._position(index * size + size - 1)
        return sum(self.get(index * size + bit) << (size - 1 - bit) for bit in range(size))

    def set_value(self, index: int, value: int, size: int) -> None:
        """Set entry ``index`` of ``size`` bits to ``value`` (``0 ≤ value < 2 ** size``)."""
        if not 0 <= value < 1 << size:
            raise StatusListError(f"value {value} does not fit {size} bits")
        self._position(index * size + size - 1)
        for bit in range(size):
            self.set(index * size + bit, bool(value >> (size - 1 - bit) & 1))

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bytes)

    def encode(self) -> str:
        """The ``encodedList`` value: ``u`` + base64url (no padding) of the GZIP bitstring."""
        compressed = gzip.compress(bytes(self._bytes), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, *, max_length: int = MAX_LENGTH) -> Bitstring:
        """Parse an ``encodedList`` value; ``StatusListError`` if malformed, shorter than
        ``MIN_LENGTH`` or longer than ``max_length`` bits."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (starting with 'u')")
        body = encoded[1:]
        if "=" in body:
            raise StatusListError("encodedList must be unpadded base64url")
        if not _BASE64URL.fullmatch(body):
            raise StatusListError("encodedList holds characters outside base64url")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise StatusListError("encodedList is not valid base64url") from None
        inflater = zlib.decompressobj(wbits=31)
        try:
            data = inflater.decompress(compressed, max_length // 8 + 1)
        except zlib.error as error:
            raise StatusListError(f"encodedList is not valid GZIP: {error}") from None
        if len(data) * 8 > max_length or inflater.unconsumed_tail:
            raise StatusListError(f"status list expands beyond {max_length} bits")
        if not inflater.eof:
            raise StatusListError("encodedList holds a truncated GZIP stream")
        if len(data) * 8 < MIN_LENGTH:
            raise StatusListError(
                f"status list has {len(data) * 8} entries, fewer than the {MIN_LENGTH} required"
            )
        return cls.from_bytes(data)


@dataclass(frozen=True)
class BitstringStatusListCredential:
    """An unsigned ``BitstringStatusListCredential`` for one issuer and purpose; the message
    list's bitstring holds ``MIN_LENGTH`` entries of ``MESSAGE_STATUS_SIZE`` bits."""

    id: str
    issuer: str
    purpose: StatusPurpose
    bitstring: Bitstring
    valid_from: str | None = None
    valid_until: str | None = None
    ttl_milliseconds: int | None = None

    def __post_init__(self) -> None:
        if self.purpose not in LIST_PURPOSES:
            raise StatusListError(f"statusPurpose must be one of {', '.join(LIST_PURPOSES)}")
        size = MESSAGE_STATUS_SIZE if self.purpose == MESSAGE else 1
        if len(self.bitstring) < MIN_LENGTH * size:
            raise StatusListError(f"a {self.purpose} list holds at least {MIN_LENGTH} entries")

    def to_document(self) -> dict[str, Any]:
        """The credential as a JSON-ready dict, ready for ``add_proof``."""
        subject: dict[str, Any] = {
            "id": f"{self.id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": self.purpose,
            "encodedList": self.bitstring.encode(),
        }
        if self.ttl_milliseconds is not None:
            subject["ttl"] = self.ttl_milliseconds
        document: dict[str, Any] = {
            "@context": [CONTEXT_V2],
            "id": self.id,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.issuer,
        }
        if self.valid_from is not None:
            document["validFrom"] = self.valid_from
        if self.valid_until is not None:
            document["validUntil"] = self.valid_until
        document["credentialSubject"] = subject
        return document


def status_list_entry(
    list_id: str, purpose: StatusPurpose, index: int, entry_id: str | None = None
) -> dict[str, Any]:
    """The ``BitstringStatusListEntry`` a credential carries in ``credentialStatus``."""
    if purpose not in PURPOSES:
        raise StatusListError(f"statusPurpose must be one of {', '.join(PURPOSES)}")
    return {
        "id": entry_id or f"{list_id}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_id,
    }


def status_message_entry(list_id: str, index: int) -> dict[str, Any]:
    """The one ``BitstringStatusListEntry`` (purpose ``message``, 2 bits) a credential carries
    in ``credentialStatus``: its value in the list is valid, suspended or revoked."""
    return {
        "id": f"{list_id}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": MESSAGE,
        "statusListIndex": str(index),
        "statusListCredential": list_id,
        "statusSize": MESSAGE_STATUS_SIZE,
        "statusMessage": [dict(message) for message in STATUS_MESSAGES],
    }


def status_messages(given: object, size: int) -> dict[str, str] | str | None:
    """``statusMessage`` as ``{"0x1": "suspended", ...}``, None if absent (allowed for 1 bit),
    or why it is malformed: required above 1 bit, one message per value of ``size`` bits."""
    if given is None:
        return None if size == 1 else f"statusMessage is required with statusSize {size}"
    if not isinstance(given, list) or len(given) != 1 << size:
        return f"statusMessage must list {1 << size} messages for statusSize {size}"
    messages: dict[str, str] = {}
    for item in given:
        status = item.get("status") if isinstance(item, Mapping) else None
        message = item.get("message") if isinstance(item, Mapping) else None
        if not (isinstance(status, str) and status.startswith("0x") and isinstance(message, str)):
            return "each statusMessage needs a 0x-prefixed hexadecimal status and a message"
        try:
            value = int(status[2:], 16)
        except ValueError:
            return f"statusMessage status {status!r} is not hexadecimal"
        messages[f"0x{value:x}"] = message
    if len(messages) != 1 << size:
        return f"statusMessage must give each of the {1 << size} values a message once"
    return messages


class IndexSource(Protocol):
    """Anything with ``randrange`` (``secrets.SystemRandom()``, or a seeded ``random.Random``
    in tests)."""

    def randrange(self, stop: int) -> int: ...


_SYSTEM_RANDOM = secrets.SystemRandom()


def random_unused_index(
    used: Set[int], size: int = MIN_LENGTH, rng: IndexSource | None = None
) -> int:
    """A uniformly random index in ``range(size)`` not in ``used`` (the list's taken indexes).

    Random indexes keep a credential's position from revealing when it was issued or how many
    were issued. Draws come from ``secrets`` unless ``rng`` is given; ``StatusListError`` when
    every index is taken.
    """
    source = rng or _SYSTEM_RANDOM
    if len(used) * 4 <= size * 3:  # at least a quarter free: rejection sampling ends quickly
        while True:
            candidate = source.randrange(size)
            if candidate not in used:
                return candidate
    free = [index for index in range(size) if index not in used]
    if not free:
        raise StatusListError(f"all {size} indexes of the status list are used")
    return free[source.randrange(len(free))]
