"""The worker page and share links: a worker token entered once opens /me (ladder, honours,
career stage SVG, points statements); share links with an expiry and an optional 提取码 are
events on the ShareLink aggregate, opened by others and refused once revoked."""

from __future__ import annotations

import json
import re

from service.pages.web_session import COOKIE
from service.signing.data_integrity import CRYPTOSUITES
from tests.pages.pages_world import PagesWorld, csrf_of, sign_in


def worker_client(pages_world: PagesWorld):
    client = pages_world.client()
    signed = sign_in(client, pages_world.world.tokens["worker"])
    assert signed.status_code == 303 and signed.location == "/me"
    return client


def test_me_asks_the_public_to_sign_in_and_refuses_a_bad_token(pages_world):
    client = pages_world.client()
    assert client.get("/me").location == "/signin/token?next=/me"
    bad = sign_in(client, "not-a-token")
    assert bad.status_code == 422
    assert 'id="token-error" role="alert">令牌无效或已被撤销' in bad.text


def test_the_session_cookie_keeps_the_tokens_hash_never_the_token(pages_world):
    client = pages_world.client()
    token = pages_world.world.tokens["worker"]
    page = client.get("/signin/token")
    answer = client.post("/signin/token", data={"csrf": csrf_of(page.text), "token": token})
    cookie = answer.headers.getlist("Set-Cookie")
    session = next(c for c in cookie if c.startswith(COOKIE + "="))
    assert token not in session
    assert "HttpOnly" in session and "SameSite=Lax" in session
    secure = pages_world.world.app.test_client()
    page = secure.get("/signin/token", base_url="https://ledger.example")
    over_tls = secure.post(
        "/signin/token",
        data={"csrf": csrf_of(page.text), "token": token},
        base_url="https://ledger.example",
    )
    assert "Secure" in next(c for c in over_tls.headers.getlist("Set-Cookie") if COOKIE in c)


def test_the_worker_sees_the_ladder_honours_career_and_points(pages_world):
    client = worker_client(pages_world)
    page = client.get("/me")
    assert page.status_code == 200
    html = page.text
    world = pages_world.world
    assert world.ids["certificate"] in html
    worker = pages_world.ledger.worker(world.ids["worker"])
    assert worker.masked_id_number in html
    assert world.id_numbers[world.ids["worker"]].reveal() not in html
    assert 'aria-current="step"' in html
    assert re.search(r'<svg class="chart career"[^>]*role="img"', html)
    for city in ("上海市", "天津市", "广州市"):
        assert city in html
    assert page.headers["Cache-Control"] == "no-store"


def test_a_points_statement_downloads_as_a_signed_credential(pages_world):
    client = worker_client(pages_world)
    assert 'href="/me/points/shanghai-residence-points.json"' in client.get("/me").text
    download = client.get("/me/points/shanghai-residence-points.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    credential = json.loads(download.data)
    assert [proof["cryptosuite"] for proof in credential["proof"]] == list(CRYPTOSUITES)
    verified = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert verified.json["verified"] is True


def make_link(client, **form: str):
    page = client.get("/me")
    data = {"csrf": csrf_of(page.text), "days": "7", "code": "", "label": ""}
    data.update(form)
    made = client.post("/me/share-links", data=data)
    assert made.status_code == 201, made.text
    base = re.escape(
        client.application.extensions["craftledger"].ledger.credentials.credential_urls.base_url
    )
    url = re.search(rf'class="share-url" href="{base}(/s/[^"]+)"', made.text)
    assert url
    return url.group(1), made


def test_a_share_link_with_an_extraction_code_opens_for_others_and_is_refused_once_revoked(
    pages_world,
):
    owner = worker_client(pages_world)
    before = pages_world.ledger.log_position
    path, made = make_link(owner, code="Ab12", label="给新单位")
    assert 'class="share-code">Ab12' in made.text
    topics = [n.topic for n in pages_world.ledger.notifications(start=before + 1)]
    assert topics == ["craftledger:ShareLink.Made"]

    visitor = pages_world.client()
    asked = visitor.get(path)
    assert asked.status_code == 200 and "请输入提取码" in asked.text
    wrong = visitor.post(path, data={"csrf": csrf_of(asked.text), "code": "zzzz"})
    assert wrong.status_code == 403 and "提取码不正确" in wrong.text
    right = visitor.post(path, data={"csrf": csrf_of(asked.text), "code": "ab12"})
    assert right.status_code == 303
    shown = visitor.get(path)
    assert shown.status_code == 200
    assert pages_world.world.ids["certificate"] in shown.text
    assert "技能档案（分享）" in shown.text and "生成分享链接" not in shown.text
    assert shown.headers["Referrer-Policy"] == "no-referrer"

    me = owner.get("/me").text
    link_id = re.search(r'action="/me/share-links/([0-9a-f-]+)/revoke"', me).group(1)
    revoked = owner.post(f"/me/share-links/{link_id}/revoke", data={"csrf": csrf_of(me)})
    assert revoked.status_code == 303
    newest = next(pages_world.ledger.notifications(start=pages_world.ledger.log_position))
    assert newest.topic == "craftledger:ShareLink.Revoked"
    refused = visitor.get(path)
    assert refused.status_code == 410 and "已被持有人撤销" in refused.text


def test_a_share_link_without_a_code_opens_directly_and_a_bad_token_is_404(pages_world):
    owner = worker_client(pages_world)
    path, _ = make_link(owner, days="1")
    assert pages_world.client().get(path).status_code == 200
    assert pages_world.client().get(path[:-2] + "xx").status_code == 404
    assert pages_world.client().get("/s/nothing").status_code == 404


def test_share_link_input_is_explained_in_place(pages_world):
    owner = worker_client(pages_world)
    page = owner.get("/me")
    bad = owner.post(
        "/me/share-links",
        data={"csrf": csrf_of(page.text), "days": "365", "code": "ab", "label": ""},
    )
    assert bad.status_code == 422
    assert 'id="days-error">请选择有效期' in bad.text
    assert 'id="code-error">提取码为 4–8 位字母或数字' in bad.text
    forged = owner.post("/me/share-links", data={"days": "7"})
    assert forged.status_code == 400


def test_only_a_worker_token_opens_me(pages_world):
    client = pages_world.client()
    sign_in(client, pages_world.world.tokens["auditor"])
    page = client.get("/me")
    assert page.status_code == 403 and "请用工人令牌登录" in page.text
