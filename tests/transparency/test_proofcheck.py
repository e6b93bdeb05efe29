"""``check-proof``: the offline verifier, from files only, with its exit statuses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from projections.transparency.proof_json import ConsistencyProof, InclusionProof
from projections.transparency.tree_head import sign_tree_head
from projections.transparency.tree_store import AppendOnlyTree, MemoryNodeStore
from service.cli.proofcheck import check_proof, parse_public_key

KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
RAW_PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
EVENTS = [json.dumps({"position": i, "type": "Issued"}).encode() for i in range(40)]
TIMESTAMP = 1_716_192_000_000


def multikey(raw: bytes) -> str:
    """Multikey of an Ed25519 key: 'z' + base58btc(0xed 0x01 || key), encoded independently."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    data = b"\xed\x01" + raw
    number, digits = int.from_bytes(data, "big"), ""
    while number:
        number, remainder = divmod(number, 58)
        digits = alphabet[remainder] + digits
    return "z" + "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


@pytest.fixture
def tree() -> AppendOnlyTree:
    tree = AppendOnlyTree(MemoryNodeStore())
    tree.append_entries(EVENTS)
    return tree


def write(directory: Path, name: str, document: object) -> str:
    path = directory / name
    path.write_text(json.dumps(document))
    return str(path)


def head_file(tmp_path: Path, tree: AppendOnlyTree, size: int, key: Ed25519PrivateKey = KEY) -> str:
    head = sign_tree_head(key, size, tree.root(size), TIMESTAMP)
    return write(tmp_path, f"head-{size}-{id(key)}.json", head.to_json())


def inclusion_file(tmp_path: Path, tree: AppendOnlyTree, index: int, size: int) -> str:
    proof = InclusionProof(index, size, tree.leaf_hash(index), tree.inclusion_proof(index, size))
    return write(tmp_path, f"inclusion-{index}-{size}.json", proof.to_json())


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(check_proof, list(args))
    return result.exit_code, result.output


def test_the_multikey_and_base64_forms_decode_to_the_same_key() -> None:
    assert multikey(RAW_PUBLIC).startswith("z6Mk")
    for text in (multikey(RAW_PUBLIC), base64.b64encode(RAW_PUBLIC).decode()):
        assert parse_public_key(text).public_bytes(Encoding.Raw, PublicFormat.Raw) == RAW_PUBLIC


def test_a_base64_key_that_happens_to_start_with_z_is_still_base64() -> None:
    raw = b"\xcf" + RAW_PUBLIC[1:]  # 0b110011... encodes as "z" in base64
    text = base64.b64encode(raw).decode()
    assert text.startswith("z")
    assert parse_public_key(text).public_bytes(Encoding.Raw, PublicFormat.Raw) == raw


@pytest.mark.parametrize("key_form", ["multikey", "base64"])
def test_a_valid_inclusion_proof_verifies_offline(
    tmp_path: Path, tree: AppendOnlyTree, key_form: str
) -> None:
    key = multikey(RAW_PUBLIC) if key_form == "multikey" else base64.b64encode(RAW_PUBLIC).decode()
    leaf = tmp_path / "event.json"
    leaf.write_bytes(EVENTS[17])
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 33),
        "--proof", inclusion_file(tmp_path, tree, 17, 33),
        "--public-key", key,
        "--leaf", str(leaf),
    )  # fmt: skip
    assert code == 0, output
    assert "valid    tree head 33 signature" in output
    assert "valid    leaf:" in output
    assert "valid    inclusion of leaf 17 in tree 33" in output


def test_without_a_key_the_proof_is_checked_but_the_result_is_not_valid(
    tmp_path: Path, tree: AppendOnlyTree
) -> None:
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40),
        "--proof", inclusion_file(tmp_path, tree, 3, 40),
    )  # fmt: skip
    assert code == 3
    assert "unknown  tree head 40 signature: not checked" in output
    assert "valid    inclusion of leaf 3 in tree 40" in output


def test_a_head_signed_by_another_key_is_invalid(tmp_path: Path, tree: AppendOnlyTree) -> None:
    impostor = Ed25519PrivateKey.from_private_bytes(b"\x08" * 32)
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40, impostor),
        "--proof", inclusion_file(tmp_path, tree, 3, 40),
        "--public-key", multikey(RAW_PUBLIC),
    )  # fmt: skip
    assert code == 1
    assert "invalid  tree head 40 signature" in output


def test_a_tampered_audit_path_is_invalid(tmp_path: Path, tree: AppendOnlyTree) -> None:
    document = json.loads(Path(inclusion_file(tmp_path, tree, 9, 40)).read_text())
    document["audit_path"][1] = base64.b64encode(b"\x00" * 32).decode()
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40),
        "--proof", write(tmp_path, "tampered.json", document),
        "--public-key", multikey(RAW_PUBLIC),
    )  # fmt: skip
    assert code == 1
    assert "invalid  inclusion of leaf 9 in tree 40: proof leads to a different root" in output


def test_leaf_bytes_that_differ_from_the_proven_leaf_are_invalid(
    tmp_path: Path, tree: AppendOnlyTree
) -> None:
    leaf = tmp_path / "edited-event.json"
    leaf.write_bytes(EVENTS[9].replace(b"Issued", b"Revoked"))
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40),
        "--proof", inclusion_file(tmp_path, tree, 9, 40),
        "--public-key", multikey(RAW_PUBLIC),
        "--leaf", str(leaf),
    )  # fmt: skip
    assert code == 1
    assert "invalid  leaf: the leaf bytes do not hash to leaf_hash" in output


def test_a_proof_needs_the_head_of_its_own_size(tmp_path: Path, tree: AppendOnlyTree) -> None:
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 39),
        "--proof", inclusion_file(tmp_path, tree, 3, 40),
        "--public-key", multikey(RAW_PUBLIC),
    )  # fmt: skip
    assert code == 1
    assert "no tree head of size 40 given" in output


def test_consistency_between_two_signed_heads(tmp_path: Path, tree: AppendOnlyTree) -> None:
    proof = ConsistencyProof(11, 40, tree.consistency_proof(11, 40)).to_json()
    arguments = ["--proof", write(tmp_path, "consistency.json", proof)]
    arguments += ["--public-key", multikey(RAW_PUBLIC)]
    both = [
        "--tree-head",
        head_file(tmp_path, tree, 11),
        "--tree-head",
        head_file(tmp_path, tree, 40),
    ]
    code, output = run(*both, *arguments)
    assert code == 0, output
    assert "valid    consistency of tree 11 with tree 40" in output
    code, output = run(both[0], both[1], *arguments)
    assert code == 1 and "no tree head of size 40 given" in output


def test_a_rewritten_history_fails_consistency(tmp_path: Path, tree: AppendOnlyTree) -> None:
    rewritten = AppendOnlyTree(MemoryNodeStore())
    rewritten.append_entries([*EVENTS[:5], b"a quietly edited event", *EVENTS[6:]])
    old_head = head_file(tmp_path, tree, 11)
    new_head = sign_tree_head(KEY, 40, rewritten.root(40), TIMESTAMP).to_json()
    proof = ConsistencyProof(11, 40, rewritten.consistency_proof(11, 40)).to_json()
    code, output = run(
        "--tree-head", old_head,
        "--tree-head", write(tmp_path, "new-head.json", new_head),
        "--proof", write(tmp_path, "consistency.json", proof),
        "--public-key", multikey(RAW_PUBLIC),
    )  # fmt: skip
    assert code == 1
    assert "invalid  consistency of tree 11 with tree 40" in output


def test_two_signed_heads_of_one_size_with_different_roots_are_a_split_view(
    tmp_path: Path, tree: AppendOnlyTree
) -> None:
    forked = AppendOnlyTree(MemoryNodeStore())
    forked.append_entries([*EVENTS[:39], b"another last event"])
    fork_head = sign_tree_head(KEY, 40, forked.root(), TIMESTAMP).to_json()
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40),
        "--tree-head", write(tmp_path, "fork.json", fork_head),
        "--proof", inclusion_file(tmp_path, tree, 3, 40),
        "--public-key", multikey(RAW_PUBLIC),
    )  # fmt: skip
    assert code == 1
    assert "split view" in output


def test_malformed_input_is_an_invalid_check_not_a_crash(
    tmp_path: Path, tree: AppendOnlyTree
) -> None:
    not_json = tmp_path / "garbage.json"
    not_json.write_text("{not json")
    code, output = run("--tree-head", str(not_json), "--proof", str(not_json))
    assert code == 1 and "invalid  input" in output
    odd_proof = write(tmp_path, "odd.json", {"leaf_index": 1})
    code, output = run("--tree-head", head_file(tmp_path, tree, 40), "--proof", odd_proof)
    assert code == 1 and "neither an inclusion" in output
    bad_head = write(tmp_path, "bad-head.json", {"tree_size": 40})
    code, output = run("--tree-head", bad_head, "--proof", inclusion_file(tmp_path, tree, 1, 40))
    assert code == 1 and "invalid  tree head: timestamp: missing" in output


def test_an_unreadable_public_key_is_a_usage_error(tmp_path: Path, tree: AppendOnlyTree) -> None:
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40),
        "--proof", inclusion_file(tmp_path, tree, 3, 40),
        "--public-key", "z6MkNotAKey0OIl",
    )  # fmt: skip
    assert code == 2 and "--public-key" in output


def test_json_output_lists_every_check(tmp_path: Path, tree: AppendOnlyTree) -> None:
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40),
        "--proof", inclusion_file(tmp_path, tree, 3, 40),
        "--public-key", multikey(RAW_PUBLIC),
        "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(output)
    assert report["verified"] is True
    assert [c["status"] for c in report["checks"]] == ["valid", "valid"]
    code, output = run(
        "--tree-head", head_file(tmp_path, tree, 40),
        "--proof", inclusion_file(tmp_path, tree, 3, 40),
        "--json",
    )  # fmt: skip
    assert code == 3 and json.loads(output)["verified"] is None
