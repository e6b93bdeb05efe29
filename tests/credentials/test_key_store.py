"""The key store: private keys sealed with AES-256-GCM, 0600 files, bound rows, one ledger key."""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
from pathlib import Path

import psycopg
import pytest

from service.config import Settings
from service.credentials.key_store import (
    KEY_ENCRYPTION_KEY_FILE,
    KEY_ENCRYPTION_KEY_VARIABLE,
    LEDGER_OWNER,
    TABLE,
    KeyStore,
    KeyStoreError,
)
from service.ledger import Ledger
from service.signing.multikey import public_multibase_of
from tests.credentials.secret_forms import secret_forms
from tests.support.stores import POSTGRES_URL


def sqlite_store(tmp_path: Path, env: dict[str, str] | None = None) -> KeyStore:
    return KeyStore.for_settings(Settings(data_dir=tmp_path), env=env or {})


def test_the_sqlite_key_file_and_the_generated_kek_are_readable_by_the_owner_only(tmp_path):
    store = sqlite_store(tmp_path)
    store.generate("org-1")
    store.close()
    for name in ("keys.sqlite3", KEY_ENCRYPTION_KEY_FILE):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o600, (name, oct(mode))


def test_the_stored_bytes_never_contain_the_private_key_in_any_form(tmp_path):
    store = sqlite_store(tmp_path)
    stored = store.generate("org-1")
    private_key = store.private_key("org-1", stored.key_id)
    store.close()
    raw = (tmp_path / "keys.sqlite3").read_bytes()
    assert stored.public_key_multibase.encode() in raw  # the row is really in this file
    for form in secret_forms(private_key):
        assert form not in raw


def test_a_reopened_store_opens_the_same_key_with_the_same_kek(tmp_path):
    first = sqlite_store(tmp_path)
    stored = first.generate("org-1")
    seed_public = public_multibase_of(first.private_key("org-1", stored.key_id))
    first.close()
    second = sqlite_store(tmp_path)
    assert public_multibase_of(second.private_key("org-1", stored.key_id)) == seed_public
    assert [k.key_id for k in second.keys_of("org-1")] == [stored.key_id]
    second.close()


def test_the_kek_from_the_environment_is_used_and_no_key_file_is_written(tmp_path):
    kek = base64.b64encode(os.urandom(32)).decode()
    store = sqlite_store(tmp_path, {KEY_ENCRYPTION_KEY_VARIABLE: kek})
    stored = store.generate("org-1")
    store.close()
    assert not (tmp_path / KEY_ENCRYPTION_KEY_FILE).exists()
    reopened = sqlite_store(tmp_path, {KEY_ENCRYPTION_KEY_VARIABLE: kek})
    assert reopened.private_key("org-1", stored.key_id)
    reopened.close()


def test_a_wrong_kek_is_named_as_such_and_reveals_nothing(tmp_path):
    kek = base64.b64encode(os.urandom(32)).decode()
    store = sqlite_store(tmp_path, {KEY_ENCRYPTION_KEY_VARIABLE: kek})
    stored = store.generate("org-1")
    private_key = store.private_key("org-1", stored.key_id)
    store.close()
    other = sqlite_store(
        tmp_path, {KEY_ENCRYPTION_KEY_VARIABLE: base64.b64encode(os.urandom(32)).decode()}
    )
    with pytest.raises(KeyStoreError, match="another key-encryption key") as raised:
        other.private_key("org-1", stored.key_id)
    message = str(raised.value).encode()
    assert not any(form in message for form in secret_forms(private_key))
    other.close()


def test_a_row_moved_to_another_owner_does_not_open(tmp_path):
    store = sqlite_store(tmp_path)
    stored = store.generate("org-1")
    store.close()
    with sqlite3.connect(tmp_path / "keys.sqlite3") as connection:
        connection.execute(f"UPDATE {TABLE} SET owner_id = 'org-2'")
    moved = sqlite_store(tmp_path)
    with pytest.raises(KeyStoreError, match="altered or moved"):
        moved.private_key("org-2", stored.key_id)
    moved.close()


def test_keys_are_never_overwritten(tmp_path):
    store = sqlite_store(tmp_path)
    store.generate("org-1", "key-1")
    with pytest.raises(KeyStoreError, match="already exists"):
        store.generate("org-1", "key-1")
    store.close()


def test_reprs_show_no_key_material(tmp_path):
    store = sqlite_store(tmp_path)
    stored = store.generate("org-1")
    private_key = store.private_key("org-1", stored.key_id)
    text = (repr(store) + repr(stored) + repr(private_key) + str(vars(store))).encode()
    assert not any(form in text for form in secret_forms(private_key))
    store.close()


def test_the_ledger_key_is_made_once_under_its_reserved_owner(make_ledger):
    first = make_ledger()
    stored, private_key = first.credentials.key_store.ledger_key()
    assert stored.owner_id == LEDGER_OWNER
    assert public_multibase_of(private_key) == stored.public_key_multibase
    first.close()
    second = make_ledger()
    again, _ = second.credentials.key_store.ledger_key()
    assert again.public_key_multibase == stored.public_key_multibase


@pytest.mark.parametrize("backend", ["postgres"])
def test_on_postgres_keys_live_in_the_schema_table_sealed(make_ledger, backend, postgres_schema):
    ledger: Ledger = make_ledger()
    stored = ledger.credentials.key_store.generate("org-1")
    private_key = ledger.credentials.key_store.private_key("org-1", stored.key_id)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        rows = connection.execute(
            f'SELECT owner_id, nonce, ciphertext FROM "{postgres_schema}".{TABLE}'
        ).fetchall()
    assert [row[0] for row in rows] == ["org-1"]
    sealed = bytes(rows[0][1]) + bytes(rows[0][2])
    assert not any(form in sealed for form in secret_forms(private_key))


def test_a_p256_document_signing_key_is_sealed_reopens_and_never_opens_as_ed25519(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    first = sqlite_store(tmp_path)
    stored = first.generate_p256("document-signing:org-1", "ds-1")
    assert stored.public_key_multibase.startswith("zDn")  # the P-256 Multikey header
    key = first.p256_private_key("document-signing:org-1", "ds-1")
    first.close()
    raw = (tmp_path / "keys.sqlite3").read_bytes()
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    assert scalar not in raw
    assert key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()) not in raw
    second = sqlite_store(tmp_path)
    reopened = second.p256_private_key("document-signing:org-1", "ds-1")
    assert isinstance(reopened, ec.EllipticCurvePrivateKey)
    assert reopened.private_numbers() == key.private_numbers()
    with pytest.raises(KeyStoreError, match="is not an Ed25519 key"):
        second.private_key("document-signing:org-1", "ds-1")  # opened already, as P-256
    second.close()
    third = sqlite_store(tmp_path)
    with pytest.raises(KeyStoreError, match="does not match"):
        third.private_key("document-signing:org-1", "ds-1")  # the row read as Ed25519
    ed = third.generate("org-1")
    with pytest.raises(KeyStoreError, match="is not a P-256 key"):
        third.p256_private_key("org-1", ed.key_id)
