"""The transparency log: every stored event is a leaf of an RFC 9162 Merkle tree, in log order.

``merkle`` holds the pure hashing and proof algorithms, ``tree_store`` the append-only tree over
SQLite, PostgreSQL or memory, ``tree_head`` the Ed25519-signed tree heads and ``proof_json`` the
RFC 6962-named JSON shapes that clients and the offline verifier exchange.
"""
