"""In Chromium against a live ``serve --demo``: a worker signed in on /me downloads a certificate
as a signed PDF, choosing to show only the last four characters of the ID number; the file's
signature verifies with pdfsig and its text says what was chosen. Screenshots: the /me form,
and the downloaded PDF's page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from service.config import Settings
from service.demo import demo_id_number
from service.ledger import Ledger
from tests.browser.live_server import SCREENSHOTS, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_worker_downloads_a_signed_certificate_pdf_from_me(
    live_server: LiveServer, context, tmp_path: Path
):
    ledger = Ledger(Settings(data_dir=live_server.data_dir))
    try:
        worker_id = ledger.worker_id_for(demo_id_number("110105", 1))
        masked = ledger.worker(worker_id).masked_id_number
    finally:
        ledger.close()
    page = context.new_page()
    sign_in(page, live_server.url, live_server.token("worker", worker=worker_id))
    assert page.url.endswith("/me")
    form = page.locator("form.pdf-form").first
    number = form.get_by_label("证书编号").input_value()
    form.get_by_label("只显示后四位").check()
    form.scroll_into_view_if_needed()
    screenshot(page, "me-certificate-pdf-form")

    with page.expect_download() as downloaded:
        form.get_by_role("button", name="下载 PDF").click()
    download = downloaded.value
    assert download.suggested_filename == f"{number}.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)

    report = subprocess.run(["pdfsig", pdf], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in report, report
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert number in text
    assert masked[-4:] in text and masked not in text  # only the last four, as chosen
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", pdf, SCREENSHOTS / "me-certificate-pdf"],
        check=True,
    )
