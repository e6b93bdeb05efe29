"""The audit page: auditors only; a history as a timeline with actor and reason, the tree head,
and the server-side proof check (the no-script path of the proof checker)."""

from __future__ import annotations

import json

from tests.pages.conftest import PagesWorld, csrf_of, sign_in


def auditor(pages_world: PagesWorld):
    client = pages_world.client()
    sign_in(client, pages_world.world.tokens["auditor"])
    return client


def test_only_auditors_see_the_audit_page(pages_world):
    assert pages_world.client().get("/audit").location == "/signin?next=/audit"
    worker = pages_world.client()
    sign_in(worker, pages_world.world.tokens["worker"])
    assert worker.get("/audit").status_code == 403


def test_a_certificates_history_is_a_timeline_with_actor_and_reason(pages_world):
    client = auditor(pages_world)
    page = client.get(f"/audit?aggregate={pages_world.revoked}")
    assert page.status_code == 200
    html = page.text
    assert html.count('<li class="event">') == 2
    assert "Certificate.Issued" in html and "Certificate.Revoked" in html
    assert '<span class="reason">考试作弊</span>' in html
    assert '<span class="actor">test</span>' in html
    assert 'id="tree-size"' in html


def test_a_bad_or_unknown_lookup_is_explained(pages_world):
    client = auditor(pages_world)
    bad = client.get("/audit?aggregate=hello")
    assert bad.status_code == 422 and 'id="aggregate-error"' in bad.text
    unknown = client.get("/audit?aggregate=00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404 and "账本中没有这条记录" in unknown.text


def test_the_server_checks_a_real_proof_and_refuses_a_tampered_one(pages_world):
    client = auditor(pages_world)
    api = pages_world.client()
    head = api.get("/api/v1/audit/tree-head").json
    proof = api.get(f"/api/v1/audit/proofs/inclusion?index=0&size={head['tree_size']}").json
    key = api.get("/api/v1/audit/public-key").json["publicKeyMultibase"]
    page = client.get("/audit")

    def check(proof_document: dict) -> str:
        answer = client.post(
            "/audit/check-proof",
            data={
                "csrf": csrf_of(page.text),
                "tree_head": json.dumps(head),
                "proof": json.dumps(proof_document),
                "public_key": key,
            },
        )
        assert answer.status_code == 200
        return answer.text

    assert "verdict-ok" in check(proof)
    tampered = dict(proof, leaf_index=proof["leaf_index"] + 1)
    assert "verdict-bad" in check(tampered)
