"""Commands that keep issuers' keys and status lists and sign credentials.

A mixin of ``service.ledger.Ledger``: methods here use the Ledger's loading and saving helpers.
"""

from __future__ import annotations


class CredentialIssuing:
    """Commands that keep issuers' keys and status lists and sign credentials."""
