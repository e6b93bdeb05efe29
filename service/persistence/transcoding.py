"""The ledger's ``uuid_hex`` transcoding: the library's, decoding UUIDs faster.

``eventsourcing``'s ``JSONTranscoder`` turns every ``{"_type_": "uuid_hex", "_data_": …}``
back into a ``UUID`` through ``uuid.UUID(hex)``, whose generic parsing (braces, dashes,
``urn:uuid:``) costs about as much as the rest of decoding a small event; replaying 5,000
workers decodes some 25,000 of them. :func:`uuid_from_hex` builds the same ``UUID`` from the
32 hex digits the library writes, strictly (anything else goes to ``uuid.UUID`` and its error).

Nothing stored changes: the transcodings, their names and the bytes they write are the
library's own (``UUIDAsHex``, ``DecimalAsStr``, ``DatetimeAsISO``, registered by the
application as usual, this one registered over the library's ``UUIDAsHex`` under the same name,
through the transcoder's own ``register``); only the decoding of ``uuid_hex`` takes the short path.
"""

from __future__ import annotations

from uuid import UUID, SafeUUID

from eventsourcing.persistence import UUIDAsHex

__all__ = ["UUIDAsHexParsedStrictly", "uuid_from_hex"]

_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown


def uuid_from_hex(text: str) -> UUID:
    """``UUID(text)`` for exactly 32 hex digits (what ``UUID.hex`` gives), without the general
    parser; any other text is handed to ``UUID`` (which accepts or refuses it as ever)."""
    if len(text) == 32:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) == 16:
            value = _new(UUID)
            _set(value, "int", int.from_bytes(raw, "big"))
            _set(value, "is_safe", _UNKNOWN)
            return value  # type: ignore[no-any-return]
    return UUID(text)


class UUIDAsHexParsedStrictly(UUIDAsHex):
    """The library's ``uuid_hex`` transcoding (same name, same bytes), decoding with
    :func:`uuid_from_hex`; registered in its place by ``Ledger.register_transcodings``."""

    def decode(self, data: str) -> UUID:
        return uuid_from_hex(data)
