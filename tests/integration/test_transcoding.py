"""The ledger's transcoder decodes ``uuid_hex`` on the short path, to the same ``UUID``."""

from __future__ import annotations

import uuid

import pytest

from service.config import Settings
from service.ledger import Ledger
from service.persistence.transcoding import UUIDAsHexParsedStrictly, uuid_from_hex


def test_the_ledger_decodes_uuid_hex_strictly_and_stores_the_librarys_bytes(tmp_path):
    ledger = Ledger(Settings(data_dir=tmp_path))
    try:
        transcoder = ledger.mapper.transcoder
        assert isinstance(transcoder.names["uuid_hex"], UUIDAsHexParsedStrictly)  # type: ignore[attr-defined]
        values = [uuid.uuid4() for _ in range(50)] + [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]
        encoded = transcoder.encode({"ids": values})
        assert encoded.count(b'"_type_":"uuid_hex"') == len(values)
        decoded = transcoder.decode(encoded)["ids"]
        assert decoded == values
        assert [hash(d) for d in decoded] == [hash(v) for v in values]
        assert all(type(d) is uuid.UUID for d in decoded)
    finally:
        ledger.close()


@pytest.mark.parametrize("text", ["", "xyz", "0" * 31, "g" * 32, "{" + "0" * 32 + "}"])
def test_anything_but_32_hex_digits_is_left_to_uuid_and_its_error(text):
    try:
        expected: object = uuid.UUID(text)
    except ValueError:
        with pytest.raises(ValueError):
            uuid_from_hex(text)
    else:
        assert uuid_from_hex(text) == expected
