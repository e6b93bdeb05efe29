"""Error pages say what went wrong, the status code and what to do next, in Chinese and English,
also for an address no route has (a mistyped URL, a form's address opened as a link); API
clients keep problem+json."""

from __future__ import annotations

import pytest

from tests.pages.pages_world import PagesWorld, sign_in

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("path", "status", "zh", "en"),
    [
        ("/no-such-page", 404, "请检查网址", "Check that the address"),
        ("/competitions/not-a-uuid", 404, "请检查网址", "Check that the address"),
        ("/signout", 405, "只接受页面上的表单提交", "only takes a form"),
    ],
)
def test_an_unrouted_address_gets_an_error_page_with_its_status(
    pages_world: PagesWorld, path: str, status: int, zh: str, en: str
):
    client = pages_world.client()
    page = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == status and page.mimetype == "text/html"
    assert f"状态码 <strong>{status}</strong>" in page.text
    assert zh in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    if status == 405:
        assert "POST" in page.headers["Allow"]
    english = client.get(path + "?lang=en", headers={"Accept": BROWSER_ACCEPT})
    assert f"Status code <strong>{status}</strong>" in english.text and en in english.text


def test_api_clients_keep_problem_json_for_unrouted_addresses(pages_world: PagesWorld):
    client = pages_world.client()
    assert client.get("/no-such-page").mimetype == "application/problem+json"
    api = client.get("/api/v1/no-such-thing", headers={"Accept": BROWSER_ACCEPT})
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    method = client.get("/signout", headers={"Accept": "application/json"})
    assert method.status_code == 405 and method.mimetype == "application/problem+json"


def test_error_pages_drawn_by_views_show_their_status(pages_world: PagesWorld):
    client = pages_world.client()
    missing = client.get("/c/Y000000000000000000000")
    assert missing.status_code == 404 and "<strong>404</strong>" in missing.text
    share = client.get("/s/no-such-link")
    assert share.status_code == 404 and "<strong>404</strong>" in share.text
    sign_in(client, pages_world.world.tokens["worker"])
    refused = client.get("/audit")
    assert refused.status_code == 403 and "<strong>403</strong>" in refused.text
