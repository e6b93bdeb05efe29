"""The verify page: number + name + ID number POSTed, answered with the masked summary, the
issuing body as filed, each check and the log inclusion; bad input explained beside its field."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import datetime, timedelta

import pytest

from tests.factories.foreign import foreign_credential
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.support.api_world import running_app


def post_verify(pages_world: PagesWorld, number: str, name: str, id_number: str, **extra: str):
    data = {"number": number, "name": name, "id_kind": "resident", "id_number": id_number}
    data.update(extra)
    return pages_world.client().post("/verify", data=data)


def holder(pages_world: PagesWorld) -> tuple[str, str]:
    world = pages_world.world
    return world.ids["certificate"], world.id_numbers[world.ids["worker"]].reveal()


def test_the_home_page_is_the_verify_box_posting_the_id_number_in_the_body(pages_world):
    page = pages_world.client().get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="zh-CN">' in html
    form = re.search(r'<form method="post" action="/verify"[^>]*>', html)
    assert form, "the verify box posts to /verify"
    for field in ("number", "name", "id_number", "id_kind"):
        assert f'<label for="{field}">' in html
        assert f'id="{field}" name="{field}"' in html


def test_a_valid_certificate_shows_the_masked_summary_the_body_as_filed_and_each_check(
    pages_world, caplog
):
    number, id_number = holder(pages_world)
    with caplog.at_level(logging.DEBUG):
        answer = post_verify(pages_world, number, "张三", id_number)
    assert answer.status_code == 200
    html = answer.text
    assert "status-valid" in html and "有效" in html
    assert "张*" in html and "张三" not in html.split("<main", 1)[1].split("持证人", 1)[1][:80]
    masked = pages_world.ledger.certificate(number).masked_id_number
    assert masked in html
    assert id_number not in html, "the ID number is never shown back"
    organisation = pages_world.ledger.organisation(pages_world.world.ids["org_a"])
    assert organisation.filing_code in html and organisation.name in html
    assert "该职业和等级在备案范围内" in html
    checks = re.findall(
        r'<li class="check check-(\w+)">\s*<span class="check-status">[^<]*</span>'
        r'\s*<span class="check-name">([^<]*)</span>',
        html,
    )
    names = {name: status for status, name in checks}
    assert names["签名"] == "passed" and names["证书状态"] == "passed"
    assert names["透明日志收录"] == "passed"
    proofs = re.findall(r'<li class="proof proof-(\w+)"><code>([^<]+)</code> ([^<]*)</li>', html)
    assert proofs == [
        ("verified", "eddsa-jcs-2022", "通过"),
        ("verified", "eddsa-rdfc-2022", "通过"),
    ], "each proof of the set, under the signature check"
    assert "此证书的签发事件已收录于透明日志" in html
    assert id_number not in caplog.text


def test_a_revoked_certificate_is_answered_revoked(pages_world):
    world = pages_world.world
    number = pages_world.revoked
    certificate = pages_world.ledger.certificate(number)
    id_number = world.id_numbers[certificate.worker_id].reveal()
    answer = post_verify(pages_world, number, certificate.holder_name, id_number)
    assert answer.status_code == 200
    assert "status-revoked" in answer.text and "此证书已被撤销" in answer.text
    assert re.search(
        r'check-failed">\s*<span class="check-status">[^<]*</span>\s*'
        r'<span class="check-name">证书状态',
        answer.text,
    )


def test_a_wrong_name_is_the_same_not_found_as_an_unknown_number(pages_world):
    number, id_number = holder(pages_world)
    wrong_name = post_verify(pages_world, number, "张四", id_number)
    unknown = post_verify(
        pages_world, number[:-1] + ("9" if number[-1] != "9" else "8"), "张三", id_number
    )
    for answer in (wrong_name, unknown):
        assert answer.status_code == 200
        assert "status-not_found" in answer.text and "未查询到匹配的证书" in answer.text
        assert "评价机构（备案信息）" not in answer.text


def test_a_mistyped_number_is_explained_beside_the_number_field_and_the_id_is_not_echoed(
    pages_world,
):
    number, id_number = holder(pages_world)
    answer = post_verify(pages_world, number[:-1], "张三", id_number)
    assert answer.status_code == 422
    html = answer.text
    assert '<p class="field-error" id="number-error">证书编号应为 22 位' in html
    assert "您输入了 21 位" in html
    assert re.search(
        r'id="number" name="number"[^>]*aria-describedby="number-hint number-error"'
        r' aria-invalid="true"',
        html,
    )
    assert '<a href="#number">' in html, "the error summary links to the field"
    assert id_number not in html
    assert f'value="{number[:-1]}"' in html, "the number is kept as typed, never corrected"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("y000011000001254000001", "第 1 位是评价机构类型"),
        ("Y000011000001256000001", "第 16 位是职业技能等级"),
        ("Y000099000001254000001", "第 6–7 位是省级行政区划代码"),
    ],
)
def test_each_malformed_part_of_a_number_is_named(pages_world, number, expected):
    _, id_number = holder(pages_world)
    answer = post_verify(pages_world, number, "张三", id_number)
    assert answer.status_code == 422
    assert expected in answer.text


def test_missing_name_and_a_bad_id_number_are_explained_in_place(pages_world):
    number, id_number = holder(pages_world)
    bad_check = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
    answer = post_verify(pages_world, number, "", bad_check)
    assert answer.status_code == 422
    assert 'id="name-error">请输入持证人姓名。' in answer.text
    assert 'id="id_number-error">证件号码有误：最后一位校验码不符' in answer.text
    assert bad_check not in answer.text


def test_the_check_is_rate_limited_with_an_explained_page(tmp_path):
    with running_app("sqlite", tmp_path, {"VERIFY_RATE_LIMIT": "2 per minute"}) as (app, _):
        client = app.test_client()
        data = {"number": "Y000011000001254000001", "name": "张三", "id_number": "1"}
        statuses = [client.post("/verify", data=data).status_code for _ in range(3)]
        assert statuses == [422, 422, 429]
        limited = client.post("/verify", data=data)
        assert limited.mimetype == "text/html"
        assert "查询过于频繁" in limited.text
        assert client.get("/verify").status_code == 200, "only the POST is limited"


def test_the_check_time_is_given_in_utc_and_china_time(pages_world):
    number, id_number = holder(pages_world)
    html = post_verify(pages_world, number, "张三", id_number).text
    shown = re.search(
        r'<p class="checked-at">查询时间：<time datetime="([^"]+)">([^<]+) UTC</time>'
        r'<span class="china-time">（北京时间 ([^）]+)）</span></p>',
        html,
    )
    assert shown, "the check time, on both clocks"
    instant = datetime.fromisoformat(shown.group(1).replace("Z", "+00:00"))
    assert shown.group(2) == f"{instant:%Y-%m-%d %H:%M:%S}"
    assert shown.group(3) == f"{instant + timedelta(hours=8):%Y-%m-%d %H:%M:%S}"


def upload_to_verify(pages_world: PagesWorld, data: bytes):
    client = pages_world.client()
    page = client.get("/verify")
    assert 'action="/verify/check-file"' in page.text and "credential-check.js" in page.text
    return client.post(
        "/verify/check-file",
        data={"csrf": csrf_of(page.text), "credential": (io.BytesIO(data), "credential.json")},
        content_type="multipart/form-data",
    )


def test_a_valid_credential_of_an_issuer_not_filed_here_is_shown_as_such(pages_world):
    signed = foreign_credential()
    page = upload_to_verify(pages_world, json.dumps(signed).encode())
    assert page.status_code == 200
    assert "verdict-foreign" in page.text and "verdict-ok" not in page.text
    assert "签发机构未在本账本备案" in page.text
    assert 'class="check check-skipped"' in page.text
    ours = pages_world.client().get(f"/c/{pages_world.world.ids['certificate']}/credential.json")
    assert "verdict-ok" in upload_to_verify(pages_world, ours.data).text
    assert upload_to_verify(pages_world, b"").status_code == 422
