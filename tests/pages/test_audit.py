"""The audit page: auditors only; a history as a timeline with actor and reason, the tree head,
and the server-side proof check (the no-script path of the proof checker)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from tests.pages.pages_world import PagesWorld, csrf_of, sign_in


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


def test_the_tree_head_and_events_show_utc_and_china_time_not_milliseconds(pages_world):
    client = auditor(pages_world)
    page = client.get(f"/audit?aggregate={pages_world.revoked}").text
    head = client.get("/api/v1/audit/tree-head").json
    signed = datetime.fromtimestamp(head["timestamp"] / 1000, UTC)
    china = signed + timedelta(hours=8)
    shown = re.search(r'<dd id="tree-head-time">(.*?)</dd>', page, re.S)
    assert shown, "the tree head's signing time is on the page"
    assert f"{signed:%Y-%m-%d %H:%M:%S} UTC</time>" in shown.group(1)
    assert f"（北京时间 {china:%Y-%m-%d %H:%M:%S}）" in shown.group(1)
    assert str(head["timestamp"]) not in shown.group(1)
    times = re.findall(r'<p class="event-head"><time datetime="([^"]+)">([^<]+) UTC</time>', page)
    assert len(times) == 2
    for machine, human in times:
        instant = datetime.fromisoformat(machine.replace("Z", "+00:00"))
        assert human == f"{instant:%Y-%m-%d %H:%M:%S}"
    english = client.get("/audit?lang=en").text
    assert f"(China time {china:%Y-%m-%d %H:%M:%S})" in english
