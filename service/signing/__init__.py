"""Cryptographic core for verifiable credentials: Multikey keys, strict JSON, eddsa-jcs-2022
Data Integrity proofs, Bitstring Status Lists and credential verification (no I/O beyond files).
"""
