"""``check-proof``: verify a transparency-log proof offline, from files alone (no server).

Given the signed tree head(s) the ledger published, an inclusion or consistency proof in RFC 6962
JSON and, optionally, the ledger's Ed25519 public key and the leaf's bytes, it reports each check
separately and exits with:

- 0: every check passed, including the tree head signatures;
- 1: a check failed (bad signature, proof, leaf, or malformed input);
- 3: the proof holds for the given tree heads, but their signatures were not checked because no
  ``--public-key`` was given, so the heads themselves are unauthenticated.

An inclusion proof needs the head of its ``tree_size``; a consistency proof needs the heads of
``first`` and ``second`` (repeat ``--tree-head``). Heads are matched to proofs by ``tree_size``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import IO

import click

from projections.transparency.proof_json import ProofFormatError
from service.audit.proof_check import (
    EXIT_UNAUTHENTICATED,
    Check,
    exit_status,
    load_json,
    parse_public_key,
    run_checks,
)

__all__ = [
    "EXIT_UNAUTHENTICATED",
    "Check",
    "check_proof",
    "exit_status",
    "parse_public_key",
    "run_checks",
]


@click.command("check-proof")
@click.option(
    "--tree-head",
    "tree_head_files",
    type=click.File("rb"),
    multiple=True,
    required=True,
    help="Signed tree head JSON; repeat for a consistency proof's two sizes.",
)
@click.option("--proof", "proof_file", type=click.File("rb"), required=True, help="Proof JSON.")
@click.option(
    "--public-key",
    help="The ledger's Ed25519 public key: Multikey (z6Mk…) or base64 of the raw 32 bytes.",
)
@click.option(
    "--leaf",
    "leaf_file",
    type=click.File("rb"),
    help="The leaf's exact bytes (the stored event's canonical form), for an inclusion proof.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def check_proof(
    tree_head_files: tuple[IO[bytes], ...],
    proof_file: IO[bytes],
    public_key: str | None,
    leaf_file: IO[bytes] | None,
    as_json: bool,
) -> None:
    """Verify a transparency-log proof offline against signed tree heads.

    Exit status 0: valid; 1: invalid; 3: proof valid but tree heads unauthenticated (no key).
    """
    key = None
    if public_key is not None:
        try:
            key = parse_public_key(public_key)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--public-key") from error
    try:
        heads = [load_json(stream, stream.name) for stream in tree_head_files]
        proof = load_json(proof_file, proof_file.name)
    except ProofFormatError as error:
        checks = [Check("input", "invalid", str(error))]
    else:
        checks = run_checks(heads, proof, key, None if leaf_file is None else leaf_file.read())
    status = exit_status(checks)
    if as_json:
        verified = {0: True, 1: False}.get(status)
        click.echo(json.dumps({"verified": verified, "checks": [asdict(c) for c in checks]}))
    else:
        for check in checks:
            click.echo(f"{check.status:<8} {check.check}: {check.detail}")
    click.get_current_context().exit(status)
