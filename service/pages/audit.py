"""``/audit``: for auditors (sign in with an auditor token) -- an aggregate's history as a
timeline with actor and reason, the newest signed tree head, and a proof checker.

The proof checker runs **in the browser**: ``static/proofcheck.js`` recomputes the RFC 9162
inclusion or consistency proof with WebCrypto SHA-256 and checks the tree head's Ed25519
signature with WebCrypto against the ledger's public key, so the auditor need not trust this
server's answer. Without JavaScript the same form posts to ``POST /audit/check-proof``, which
runs the standalone offline verifier (``service.audit.proof_check``, what ``craftledger audit
check-proof`` runs) here. The page shows the newest head already signed (heads are signed in the
background; the page never signs one).

A history is looked up by aggregate id (UUID) or by certificate number; event data is shown as
the audit API gives it (ID numbers masked).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any
from uuid import UUID

from flask import request

from domain.api_token import Role
from domain.certificate import Certificate
from domain.certificate_number import CertificateNumber
from domain.errors import InvalidValue
from service.app_services import current_audit
from service.audit import LogUnavailable
from service.audit.proof_check import parse_public_key, run_checks
from service.pages.blueprints import pages, render
from service.pages.gates import signed_in_as
from service.pages.i18n import N_, gettext

HISTORY_LIMIT = 500
MAX_INPUT = 64 * 1024


auditors_only = signed_in_as(
    Role.AUDITOR,
    Role.ADMIN,  # the HR bureau's 质量督导 (its officials act as admin) and administrators
    come_back_to="/audit",
    refusal=N_("审计页面仅供审计人员和人社部门使用：请用审计或管理员账号登录。"),
)


def resolve_aggregate(text: str) -> UUID | None:
    """An aggregate id from a UUID or a certificate number (None when it is neither)."""
    text = text.strip()
    try:
        return UUID(text)
    except ValueError:
        pass
    try:
        CertificateNumber.parse(text)
    except InvalidValue:
        return None
    return Certificate.create_id(number=text)


def history(aggregate_id: UUID) -> list[dict[str, Any]] | None:
    try:
        found = current_audit().histories.aggregate_events(aggregate_id, 0, HISTORY_LIMIT)
    except LookupError:
        return None
    items = []
    for event in found["items"]:
        data = event.get("data")
        items.append(
            {
                **event,
                "data_json": json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
            }
        )
    return items


def audit_values(**extra: Any) -> dict[str, Any]:
    audit = current_audit()
    head = audit.heads.latest()
    try:
        public_key = audit.heads.public_key_multibase()
    except LogUnavailable:
        public_key = ""
    values: dict[str, Any] = {
        "tree_head": None if head is None else head.to_json(),
        "tree_head_json": "" if head is None else json.dumps(head.to_json(), indent=2),
        "public_key": public_key,
        "lookup": "",
        "lookup_error": None,
        "events": None,
        "aggregate_id": None,
        "proof_result": None,
        "proof_form": {"tree_head": "", "proof": "", "public_key": public_key},
        "title": gettext("审计"),
    }
    values.update(extra)
    return values


@pages.route("/audit", methods=["GET"])
@auditors_only
def audit_page() -> Any:
    lookup = request.args.get("aggregate", "").strip()[:80]
    if not lookup:
        return render("pages/audit.html", **audit_values())
    aggregate_id = resolve_aggregate(lookup)
    if aggregate_id is None:
        return render(
            "pages/audit.html",
            status=422,
            **audit_values(
                lookup=lookup,
                lookup_error=gettext("请输入记录编号（UUID）或 22 位证书编号。"),
            ),
        )
    events = history(aggregate_id)
    if events is None:
        return render(
            "pages/audit.html",
            status=404,
            **audit_values(lookup=lookup, lookup_error=gettext("账本中没有这条记录。")),
        )
    return render(
        "pages/audit.html",
        **audit_values(lookup=lookup, events=events, aggregate_id=str(aggregate_id)),
    )


def _json_field(name: str) -> Any:
    text = request.form.get(name, "")
    upload = request.files.get(name + "_file")
    if upload is not None and upload.filename:
        text = upload.read(MAX_INPUT + 1).decode("utf-8", "replace")
    return text[:MAX_INPUT]


@pages.route("/audit/check-proof", methods=["POST"])
@auditors_only
def audit_check_proof() -> Any:
    head_text = _json_field("tree_head")
    proof_text = _json_field("proof")
    key_text = request.form.get("public_key", "").strip()[:200]
    form = {"tree_head": head_text, "proof": proof_text, "public_key": key_text}
    checks: list[dict[str, str]] = []
    try:
        heads = json.loads(head_text)
        proof = json.loads(proof_text)
    except json.JSONDecodeError:
        checks.append(
            {"check": "input", "status": "invalid", "detail": gettext("树头或证明不是 JSON。")}
        )
    else:
        key = None
        if key_text:
            try:
                key = parse_public_key(key_text)
            except ValueError as error:
                checks.append({"check": "public key", "status": "invalid", "detail": str(error)})
        if not checks:
            head_list = heads if isinstance(heads, list) else [heads]
            checks = [asdict(c) for c in run_checks(head_list, proof, key, None)]
    verified = bool(checks) and all(c["status"] == "valid" for c in checks)
    return render(
        "pages/audit.html",
        **audit_values(proof_form=form, proof_result={"verified": verified, "checks": checks}),
    )
