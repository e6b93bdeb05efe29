"""The certificate page: masked, a QR code of its own absolute URL, the signed credential to
download, an A4 print view, and an uploaded credential file verified (a tampered one fails)."""

from __future__ import annotations

import io
import json

import segno

from tests.pages.pages_world import PagesWorld, csrf_of


def number_of(pages_world: PagesWorld) -> str:
    return str(pages_world.world.ids["certificate"])


def test_the_public_certificate_is_masked(pages_world):
    number = number_of(pages_world)
    page = pages_world.client().get(f"/c/{number}")
    assert page.status_code == 200
    certificate = pages_world.ledger.certificate(number)
    assert "张*" in page.text and "张三" not in page.text
    assert certificate.masked_id_number in page.text
    assert f'src="/c/{number}/qr.svg"' in page.text
    assert f'href="/c/{number}/credential.json" download' in page.text
    assert f'href="/c/{number}/print"' in page.text


def test_the_qr_code_encodes_the_pages_absolute_url_under_the_configured_base_url(pages_world):
    """The base URL of credential ids and DIDs, not the host the request came in on."""
    number = number_of(pages_world)
    served = pages_world.client().get(f"/c/{number}/qr.svg", base_url="http://elsewhere:1234")
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    base = pages_world.ledger.credentials.credential_urls.base_url
    assert pages_world.ledger.credentials.certificate_credential(number)["id"].startswith(
        base + "/"
    )
    url = f"{base}/c/{number}"
    expected = io.BytesIO()
    segno.make(url, error="m", micro=False).save(expected, kind="svg", scale=6, border=2, title=url)
    assert served.data == expected.getvalue()
    other = io.BytesIO()
    segno.make(url + "x", error="m", micro=False).save(other, kind="svg", scale=6, border=2)
    assert served.data != other.getvalue()
    png = pages_world.client().get(f"/c/{number}/qr.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")


def test_the_downloaded_credential_verifies(pages_world):
    number = number_of(pages_world)
    download = pages_world.client().get(f"/c/{number}/credential.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    credential = json.loads(download.data)
    assert "张三" not in download.text, "the public disclosure"
    verified = pages_world.client().post(
        "/credentials/verify", json={"verifiableCredential": credential}
    )
    assert verified.json["verified"] is True


def upload(pages_world: PagesWorld, data: bytes):
    number = number_of(pages_world)
    client = pages_world.client()
    csrf = csrf_of(client.get(f"/c/{number}").text)
    return client.post(
        f"/c/{number}/check-file",
        data={"csrf": csrf, "credential": (io.BytesIO(data), "credential.json")},
        content_type="multipart/form-data",
    )


def test_an_uploaded_credential_is_verified_and_a_tampered_one_fails(pages_world):
    number = number_of(pages_world)
    original = pages_world.client().get(f"/c/{number}/credential.json").data
    good = upload(pages_world, original)
    assert good.status_code == 200
    assert "verdict-ok" in good.text
    tampered_document = json.loads(original)
    tampered_document["credentialSubject"]["achievement"]["name"] = "一级/高级技师"
    tampered = upload(pages_world, json.dumps(tampered_document, ensure_ascii=False).encode())
    assert "verdict-bad" in tampered.text
    assert 'class="check check-failed"' in tampered.text
    not_json = upload(pages_world, b"not json at all")
    assert "verdict-bad" in not_json.text


def test_an_upload_without_a_file_or_a_csrf_token_is_refused(pages_world):
    number = number_of(pages_world)
    assert "请选择要校验的证书文件" in upload(pages_world, b"").text
    no_csrf = pages_world.client().post(f"/c/{number}/check-file", data={})
    assert no_csrf.status_code == 400 and "表单已过期" in no_csrf.text


def test_the_print_view_is_one_a4_sheet(pages_world):
    number = number_of(pages_world)
    page = pages_world.client().get(f"/c/{number}/print")
    assert page.status_code == 200
    assert "print.css" in page.text and "<svg" in page.text and "张*" in page.text
    css = pages_world.client().get("/assets/pages/print.css").text
    assert "size: A4 portrait" in css


def test_a_malformed_number_is_a_404_that_says_why(pages_world):
    page = pages_world.client().get("/c/Y0000110000012540000")
    assert page.status_code == 404
    assert "没有这个编号的证书" in page.text and "您输入了 20 位" in page.text
    unknown = pages_world.client().get("/c/Y000011000001254999999")
    assert unknown.status_code == 404
