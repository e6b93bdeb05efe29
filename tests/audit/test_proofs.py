"""Tree heads and proofs from the HTTP API, for every tree of 1..N leaves, checked by the
standalone verifier (``check-proof``'s checks) and against the independent ``pymerkle``."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import Flask
from pymerkle import InmemoryTree
from pymerkle.core import _inclusion_path_layout
from pymerkle.proof import InclusionProof as PymerkleInclusionProof

from projections.transparency.merkle import leaf_hash, verify_consistency
from projections.transparency.tree_head import SignedTreeHead, verify_tree_head
from projections.transparency_log import leaf_data_of
from service.audit.proof_check import exit_status, parse_public_key, run_checks
from service.ledger import Ledger
from tests.audit.principals import grant_tokens, headers_for_every_role

N = 24


def b64(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture
def grown(ledger: Ledger, app: Flask) -> dict[str, Any]:
    """A log grown one event at a time to N leaves, a head fetched (and so signed) at each size;
    the heads as first served, the leaf data, and an independent pymerkle tree over them."""
    client = app.test_client()
    heads = {}
    for size in range(1, N + 1):
        grant_tokens(ledger, 1)
        head = client.get("/api/v1/audit/tree-head")
        assert head.status_code == 200, head.json
        assert head.json["tree_size"] == size
        heads[size] = head.json
    data = [leaf_data_of(n) for n in ledger.notifications()]
    independent = InmemoryTree(algorithm="sha256")
    for entry in data:
        independent.append_entry(entry)
    key = client.get("/api/v1/audit/public-key").json["publicKeyMultibase"]
    return {"client": client, "heads": heads, "data": data, "tree": independent, "key": key}


def test_every_head_is_signed_by_the_published_key_over_pymerkles_root(grown: dict[str, Any]):
    public_key = parse_public_key(grown["key"])
    assert grown["key"].startswith("z6Mk")
    timestamps = []
    for size, document in grown["heads"].items():
        head = SignedTreeHead.from_json(document)
        assert set(document) == {
            "tree_size",
            "timestamp",
            "sha256_root_hash",
            "tree_head_signature",
        }
        assert verify_tree_head(public_key, head)
        assert head.root_hash == grown["tree"].get_root(size)
        timestamps.append(head.timestamp)
    assert timestamps == sorted(timestamps)


def test_the_history_answers_every_earlier_size_with_the_head_first_served(grown: dict[str, Any]):
    client = grown["client"]
    for size, document in grown["heads"].items():
        answer = client.get(f"/api/v1/audit/tree-head?size={size}")
        assert answer.status_code == 200
        assert answer.json == document
        assert "immutable" in answer.headers["Cache-Control"]
    history = client.get("/api/v1/audit/tree-heads?limit=10").json
    assert [h["tree_size"] for h in history["items"]] == list(range(1, 11))
    rest = client.get(f"/api/v1/audit/tree-heads?after={history['next_after']}&limit=100").json
    assert [h["tree_size"] for h in rest["items"]] == list(range(11, N + 1))
    assert rest["next_after"] is None
    missing = client.get(f"/api/v1/audit/tree-head?size={N + 5}")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_every_inclusion_proof_verifies_offline_and_matches_pymerkle(grown: dict[str, Any]):
    client, tree = grown["client"], grown["tree"]
    public_key = parse_public_key(grown["key"])
    checked = 0
    for size in range(1, N + 1):
        head = grown["heads"][size]
        for index in range(size):
            proof = client.get(f"/api/v1/audit/proofs/inclusion?index={index}&size={size}")
            assert proof.status_code == 200, proof.json
            document = proof.json
            assert set(document) == {"leaf_index", "tree_size", "leaf_hash", "audit_path"}
            leaf = grown["data"][index]
            checks = run_checks([head], document, public_key, leaf)
            assert exit_status(checks) == 0, checks
            path = [b64(h) for h in document["audit_path"]]
            assert path == tree.prove_inclusion(index + 1, size).path[1:]
            rule, _ = _inclusion_path_layout(index + 1, size)
            PymerkleInclusionProof(
                "sha256", True, size, index + 1, rule, [leaf_hash(leaf), *path]
            ).verify(leaf_hash(leaf), tree.get_root(size))
            checked += 1
    assert checked == N * (N + 1) // 2


def test_every_consistency_proof_verifies_offline_between_published_heads(grown: dict[str, Any]):
    client, tree = grown["client"], grown["tree"]
    public_key = parse_public_key(grown["key"])
    for second in range(1, N + 1):
        for first in range(1, second + 1):
            proof = client.get(f"/api/v1/audit/proofs/consistency?first={first}&second={second}")
            assert proof.status_code == 200, proof.json
            heads = [grown["heads"][first], grown["heads"][second]]
            assert exit_status(run_checks(heads, proof.json, public_key, None)) == 0
            path = [b64(h) for h in proof.json["consistency"]]
            assert verify_consistency(
                first, second, tree.get_root(first), tree.get_root(second), path
            )


def test_a_proof_against_a_forged_head_or_for_another_leaf_fails_offline(grown: dict[str, Any]):
    client = grown["client"]
    public_key = parse_public_key(grown["key"])
    proof = client.get(f"/api/v1/audit/proofs/inclusion?index=3&size={N}").json
    head = dict(grown["heads"][N])
    assert exit_status(run_checks([head], proof, public_key, grown["data"][4])) == 1
    head["sha256_root_hash"] = grown["heads"][N - 1]["sha256_root_hash"]
    assert exit_status(run_checks([head], proof, public_key, None)) == 1
    assert exit_status(run_checks([grown["heads"][N]], proof, None, None)) == 3


def test_defaults_use_the_newest_head_and_position_names_the_leaf(grown: dict[str, Any]):
    client = grown["client"]
    newest = client.get("/api/v1/audit/tree-head").json
    assert newest["tree_size"] == N
    proof = client.get("/api/v1/audit/proofs/inclusion?index=0").json
    assert proof["tree_size"] == N
    by_position = client.get("/api/v1/audit/proofs/inclusion?position=1").json
    assert by_position == proof
    consistency = client.get("/api/v1/audit/proofs/consistency?first=1").json
    assert (consistency["first"], consistency["second"]) == (1, N)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("inclusion?index=5&size=5", 422),
        ("inclusion?index=0&size=0", 422),
        (f"inclusion?index=0&size={N + 1}", 404),
        ("inclusion?size=3", 422),
        ("inclusion?index=1&position=2", 422),
        ("inclusion?position=999", 404),
        ("inclusion?index=-1", 422),
        ("inclusion?index=abc", 422),
        ("consistency?first=0&second=3", 422),
        ("consistency?first=4&second=3", 422),
        (f"consistency?first=1&second={N + 1}", 404),
        ("consistency?second=3", 422),
    ],
)
def test_bad_proof_requests_are_problems_not_errors(
    grown: dict[str, Any], query: str, status: int
) -> None:
    answer = grown["client"].get(f"/api/v1/audit/proofs/{query}")
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"


def test_proofs_and_heads_are_public_to_every_role(ledger: Ledger, app: Flask) -> None:
    roles = headers_for_every_role(ledger)
    client = app.test_client()
    for role, headers in roles.items():
        for path in (
            "/api/v1/audit/tree-head",
            "/api/v1/audit/tree-heads",
            "/api/v1/audit/proofs/inclusion?index=0",
            "/api/v1/audit/proofs/consistency?first=1",
            "/api/v1/audit/public-key",
        ):
            assert client.get(path, headers=headers).status_code == 200, (role, path)
