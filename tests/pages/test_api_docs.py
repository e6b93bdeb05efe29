"""``/docs``: Swagger UI served from the installed ``swagger-ui-bundle`` (nothing from a CDN),
as a page of this site under the pages' CSP and security headers, started by a static script."""

from __future__ import annotations

import re

from swagger_ui_bundle import swagger_ui_path

from tests.pages.pages_world import PagesWorld


def referenced_urls(html: str) -> list[str]:
    return re.findall(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)"', html)


def test_docs_references_only_same_origin_assets_and_they_answer(pages_world: PagesWorld):
    client = pages_world.client()
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "cdn" not in page.text.lower()
    urls = referenced_urls(page.text)
    assert "/assets/swagger-ui/swagger-ui-bundle.js" in urls
    assert "/assets/swagger-ui/swagger-ui.css" in urls
    assert "/assets/pages/api-docs.js" in urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
    bundle = client.get("/assets/swagger-ui/swagger-ui-bundle.js")
    assert bundle.data == (swagger_ui_path / "swagger-ui-bundle.js").read_bytes()
    assert 'data-spec-url="/openapi.json"' in page.text


def test_docs_has_the_pages_csp_and_headers_and_no_inline_script(pages_world: PagesWorld):
    page = pages_world.client().get("/docs")
    headers = page.headers
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert "style-src 'self';" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts
    for attributes, body in scripts:
        assert 'src="' in attributes and not body.strip(), "no inline script"
    assert "style=" not in page.text
    asset = pages_world.client().get("/assets/swagger-ui/swagger-ui.css")
    assert asset.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_bundles_ui_files_are_served(pages_world: PagesWorld):
    client = pages_world.client()
    assert client.get("/assets/swagger-ui/index.html").status_code == 404
    assert client.get("/assets/swagger-ui/..%2F__init__.py").status_code == 404


def test_the_docs_page_speaks_english_too(pages_world: PagesWorld):
    page = pages_world.client().get("/docs?lang=en")
    assert '<html lang="en">' in page.text and "API documentation" in page.text
