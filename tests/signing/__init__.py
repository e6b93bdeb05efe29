"""Tests of the verifiable-credential cryptographic core (``service.signing``)."""
