"""The ledger's event transcoder: the library's JSON transcoder, decoding UUIDs faster.

``eventsourcing``'s ``JSONTranscoder`` turns every ``{"_type_": "uuid_hex", "_data_": …}``
back into a ``UUID`` through ``uuid.UUID(hex)``, whose generic parsing (braces, dashes,
``urn:uuid:``) costs about as much as the rest of decoding a small event; replaying 5,000
workers decodes some 25,000 of them. :func:`uuid_from_hex` builds the same ``UUID`` from the
32 hex digits the library writes, strictly (anything else goes to ``uuid.UUID`` and its error).

Nothing stored changes: the transcodings, their names and the bytes they write are the
library's own (``UUIDAsHex``, ``DecimalAsStr``, ``DatetimeAsISO``, registered by the
application as usual); only the decoding of ``uuid_hex`` takes the short path.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, SafeUUID

from eventsourcing.persistence import JSONTranscoder

__all__ = ["LedgerTranscoder", "uuid_from_hex"]

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


class LedgerTranscoder(JSONTranscoder):
    """``JSONTranscoder`` whose object hook decodes ``uuid_hex`` with :func:`uuid_from_hex`."""

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) == 2 and d.get("_type_") == "uuid_hex":
            data = d.get("_data_")
            if isinstance(data, str):
                return uuid_from_hex(data)
        return super()._decode_obj(d)
