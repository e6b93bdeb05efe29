"""The credentials capability is composed around the ledger's port, not mixed into the Ledger."""

from __future__ import annotations

import ast
from pathlib import Path

from service.credentials import Credentials
from service.ledger import Ledger

CREDENTIALS = Path(__file__).resolve().parents[2] / "service" / "credentials"


def test_no_credentials_module_imports_the_ledger_or_reads_its_private_names() -> None:
    found = []
    for path in sorted(CREDENTIALS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "service.ledger":
                found.append(f"{path.name}: imports service.ledger")
            if isinstance(node, ast.Attribute) and node.attr == "_identity_key":
                found.append(f"{path.name}: reads _identity_key")
    assert found == []


def test_the_ledger_holds_its_credentials_rather_than_inheriting_them(ledger: Ledger) -> None:
    assert isinstance(ledger.credentials, Credentials)
    assert not isinstance(ledger, Credentials)
    assert not hasattr(ledger, "record_issue")
    assert not hasattr(ledger, "certificate_credential")
