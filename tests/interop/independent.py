"""Digital Bazaar's JavaScript verifier (``interop/verify.mjs``) run from the tests.

``served_bundle`` fetches what a verifier needs over HTTP from the app (the credentials, each
issuer's ``did:web`` controller document, every status list credential they point to, our
JSON-LD context); ``verify`` hands the bundle to Node on stdin and returns its JSON report.
Node and ``interop/node_modules`` (``npm ci`` in ``interop/``, as ``.ci/run`` does) are
required: when missing the tests fail, never skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.support.api_world import World

INTEROP = Path(__file__).resolve().parents[2] / "interop"
SCRIPT = INTEROP / "verify.mjs"
TIMEOUT_SECONDS = 120
CRYPTOSUITES = ("eddsa-jcs-2022", "eddsa-rdfc-2022")


def node() -> str:
    """The ``node`` executable, with the pinned packages installed; fails loudly otherwise."""
    executable = shutil.which("node")
    if executable is None:
        pytest.fail("node is not installed (apt-get install nodejs npm); .ci/run installs it")
    if not (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.fail(f"the interop packages are not installed: run `npm ci` in {INTEROP}")
    return executable


def run_node(*arguments: str, stdin: str = "") -> Any:
    """``node verify.mjs`` with ``arguments``, bounded in time; its stdout parsed as JSON."""
    finished = subprocess.run(
        [node(), str(SCRIPT), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=INTEROP,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def verify(
    credentials: list[dict[str, Any]], documents: dict[str, Any], now: str
) -> dict[str, Any]:
    """The independent report: ``{credentials, statusLists, refused}`` (see verify.mjs)."""
    bundle = {"credentials": credentials, "documents": documents, "now": now}
    return run_node(stdin=json.dumps(bundle, ensure_ascii=False))  # type: ignore[no-any-return]


# -- fetching what a verifier needs, over HTTP ------------------------------------------------


def local_path(url: str) -> str:
    """The app-relative path of one of the app's own URLs."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def did_web_path(did: str) -> str:
    """Where a ``did:web`` DID's document is served (the did:web method's resolution rule)."""
    _host, *segments = did.removeprefix("did:web:").split(":")
    return (
        "/" + "/".join(unquote(s) for s in segments) + "/did.json"
        if segments
        else ("/.well-known/did.json")
    )


def fetch(world: World, url_or_path: str, principal: str = "public") -> Any:
    answer = world.call("GET", local_path(url_or_path), principal)
    assert answer.status_code == 200, (url_or_path, answer.get_json())
    return answer.get_json()


def issuer_of(document: dict[str, Any]) -> str:
    issuer = document["issuer"]
    return issuer["id"] if isinstance(issuer, dict) else issuer  # type: ignore[no-any-return]


def served_documents(world: World, credentials: list[dict[str, Any]]) -> dict[str, Any]:
    """Every document the credentials name, fetched from the app: each ``did:web`` issuer's
    controller document, each status list credential (and its issuer's), our context."""
    documents: dict[str, Any] = {}
    pending = list(credentials)
    while pending:
        document = pending.pop()
        issuer = issuer_of(document)
        if issuer.startswith("did:web:") and issuer not in documents:
            documents[issuer] = fetch(world, did_web_path(issuer))
        for context in document["@context"]:
            if isinstance(context, str) and context.endswith("/contexts/craftledger/v1"):
                documents.setdefault(context, fetch(world, context))
        entries = document.get("credentialStatus", [])
        for entry in entries if isinstance(entries, list) else [entries]:
            url = entry["statusListCredential"]
            if url not in documents:
                documents[url] = fetch(world, url)
                pending.append(documents[url])
    return documents


def proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof", [])
    return proof if isinstance(proof, list) else [proof]


def standing(report: dict[str, Any]) -> str:
    """valid, suspended or revoked, from the independent status report of every entry, by
    purpose and size: revocation/suspension bits, or a ``message`` entry's value (0x0 valid,
    0x1 suspended, 0x2 revoked)."""
    states = set()
    for entry in report["status"]:
        assert entry["verified"], entry
        purpose, value = entry["statusPurpose"], entry["value"]
        if purpose == "message":  # the entry's own statusMessage, else issue 18's meanings
            states.add(entry["message"] or {0: "valid", 1: "suspended", 2: "revoked"}[value])
        elif value:
            states.add({"revocation": "revoked", "suspension": "suspended"}[purpose])
    for state in ("revoked", "suspended"):
        if state in states:
            return state
    return "valid"
