"""Certificates as signed PDF: checked with independent tools (poppler's pdfsig, pdfdetach,
pdftotext, pdftoppm; pyhanko's validator) and our own ``vc verify`` on the attachment."""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from flask.testing import FlaskClient

from domain.api_token import Role
from service.app import create_app
from service.certificate_pdf import CertificatePdfs, run_to_completion
from service.cli import main
from service.ledger import Ledger
from tests.factories import file_employer, issue_to_new_worker
from tests.factories.sessions import CONFIRM_DAY, PUBLISH_DAY, plan_session
from tests.factories.tokens import bearer, grant

SCREENSHOTS = Path("var/browser-screenshots")


@pytest.fixture
def backend() -> str:
    """SQLite only: the PDFs do not depend on the store (the key store's P-256 rows are
    tested on both in tests/credentials/test_key_store.py)."""
    return "sqlite"


@pytest.fixture
def app_client(ledger: Ledger):
    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    yield app.test_client()
    app.extensions["craftledger"].close()


def pdfsig(path: Path, nss: Path | None = None) -> str:
    """pdfsig's report; with ``nss``, against that NSS database's trust settings."""
    trust = ["-nssdir", f"sql:{nss}"] if nss else []
    done = subprocess.run(["pdfsig", *trust, path], capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def nss_trusting(root_pem: bytes, folder: Path) -> Path:
    """An NSS database (certutil, Debian's libnss3-tools) trusting ``root_pem`` as a CA."""
    nss = folder / "nss"
    nss.mkdir()
    (folder / "root.pem").write_bytes(root_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "ledger", "-t", "CT,C,C", "-a", "-i",
         folder / "root.pem"],
        check=True,
    )  # fmt: skip
    return nss


def signer_certificate(path: Path, folder: Path) -> x509.Certificate:
    """The certificate inside the PDF's CMS signature, as ``pdfsig -dump`` saves it."""
    subprocess.run(["pdfsig", "-dump", str(path)], cwd=folder, check=True, capture_output=True)
    from asn1crypto import cms

    signed = cms.ContentInfo.load((folder / f"{path.name}.sig0").read_bytes())  # zero-padded
    chain = [choice.chosen for choice in signed["content"]["certificates"]]
    (signer,) = [certificate for certificate in chain if not certificate.ca]  # and the root
    return x509.load_der_x509_certificate(signer.dump())


def pyhanko_intact(body: bytes, trusted: x509.Certificate) -> tuple[bool, bool, str]:
    """pyhanko's validation with ``trusted`` (the ledger's CA root) as the only trust root:
    (signature intact and its certificate trusted, whole file covered, coverage)."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = asn1_x509.Certificate.load(trusted.public_bytes(Encoding.DER))
    reader = PdfFileReader(io.BytesIO(body), strict=False)
    status = run_to_completion(  # pyhanko's sync API fails beside a running event loop
        async_validate_pdf_signature(
            reader.embedded_signatures[0], ValidationContext(trust_roots=[root])
        )
    )
    whole = status.coverage.name == "ENTIRE_FILE"
    return status.intact and status.valid, whole, status.coverage.name


def test_the_pdf_signature_verifies_against_the_published_certificate_and_the_text_extracts(
    ledger: Ledger, app_client: FlaskClient, tmp_path: Path
) -> None:
    body = file_employer(ledger)
    issued = issue_to_new_worker(ledger, body.id, 1)
    pem_url = f"/organisations/{body.id}/document-signing.pem"
    assert app_client.get(pem_url).status_code == 404  # made on the first PDF
    assert app_client.get("/document-signing-ca.pem").status_code == 404  # a read never writes
    _, secret = grant(ledger, Role.WORKER, worker=issued.worker_id)

    answer = app_client.get(f"/api/v1/certificates/{issued.number}/pdf", headers=bearer(secret))
    assert answer.status_code == 200, answer.data
    assert answer.mimetype == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(answer.data)

    report = pdfsig(pdf)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report
    assert "Certificate issuer isn't Trusted" in report  # until the verifier trusts the root
    root_pem = app_client.get("/document-signing-ca.pem").data
    trusted = pdfsig(pdf, nss_trusting(root_pem, tmp_path))
    assert "Signature is Valid." in trusted and "Certificate is Trusted." in trusted, trusted
    published = x509.load_pem_x509_certificate(app_client.get(pem_url).data)
    signer = signer_certificate(pdf, tmp_path)
    assert signer == published
    root = x509.load_pem_x509_certificate(root_pem)
    assert signer.issuer == root.subject
    names = {attribute.oid: attribute.value for attribute in signer.subject}
    assert names[NameOID.ORGANIZATION_NAME] == "北京链家"
    assert names[NameOID.ORGANIZATION_IDENTIFIER] == ledger.organisation(body.id).filing_code
    intact, whole, _ = pyhanko_intact(answer.data, root)
    assert intact and whole

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "职业技能等级证书" in text
    assert "电工" in text and "张三" in text and issued.number in text
    masked = ledger.certificate(issued.number).masked_id_number
    assert masked in text

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = SCREENSHOTS / "certificate-pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", pdf, page], check=True)
    assert (SCREENSHOTS / "certificate-pdf.png").stat().st_size > 20_000


def test_the_holder_chooses_how_the_id_number_shows(ledger: Ledger, tmp_path: Path) -> None:
    body = file_employer(ledger)
    issued = issue_to_new_worker(ledger, body.id, 1)
    masked = ledger.certificate(issued.number).masked_id_number
    pdfs = CertificatePdfs(ledger)
    for shown, present, absent in (
        ("last4", "*" * 14 + masked[-4:], masked),
        ("hidden", "持证人选择不显示", masked[-4:]),
    ):
        unsigned, _ = pdfs.unsigned_pdf(ledger.certificate(issued.number), shown)
        path = tmp_path / f"{shown}.pdf"
        path.write_bytes(unsigned)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert present in text and absent not in text


def flipped_in_signed_range(body: bytes) -> bytes:
    """The PDF with one byte of page content changed (inside the first signed range)."""
    at = body.index(b"stream", body.index(b"/Type /Page")) - 20
    changed = bytearray(body)
    changed[at] = ord(" ") if changed[at] != ord(" ") else ord("\n")
    return bytes(changed)


def incrementally_updated(body: bytes) -> bytes:
    """The signed PDF with an incremental update after the signature: a new title."""
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(body), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[NameObject("/Annots")] = writer.add_object(TextStringObject("not an annotation list"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_changed_after_signing_is_reported_as_changed(ledger: Ledger, tmp_path: Path) -> None:
    body = file_employer(ledger)
    issued = issue_to_new_worker(ledger, body.id, 1)
    pdfs = CertificatePdfs(ledger)
    signed = pdfs.certificate_pdf(issued.number, actor="test")
    root, _key = pdfs.signing.ca()
    intact, whole, _ = pyhanko_intact(signed, root)
    assert intact and whole  # as signed

    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(flipped_in_signed_range(signed))
    report = pdfsig(flipped)
    assert "Signature is Valid" not in report and "Digest Mismatch" in report, report
    intact, _, _ = pyhanko_intact(flipped.read_bytes(), root)
    assert not intact

    updated = tmp_path / "updated.pdf"
    updated.write_bytes(incrementally_updated(signed))
    report = pdfsig(updated)
    assert "Total document signed" not in report, report
    assert "Not total document signed" in report
    intact, whole, coverage = pyhanko_intact(updated.read_bytes(), root)
    assert intact and not whole, coverage  # the signed revision is intact; the file is not


def test_the_attached_credential_extracts_and_verifies_with_vc_verify(
    make_ledger, tmp_path: Path
) -> None:
    ledger = make_ledger()  # the real clock: `vc verify` checks against now
    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    client = app.test_client()
    body = file_employer(ledger)
    issued = issue_to_new_worker(ledger, body.id, 1)
    _, secret = grant(ledger, Role.ISSUER, organisation=body.id)
    answer = client.get(f"/api/v1/certificates/{issued.number}/pdf", headers=bearer(secret))
    assert answer.status_code == 200, answer.data
    (tmp_path / "certificate.pdf").write_bytes(answer.data)
    subprocess.run(
        ["pdfdetach", "-saveall", "-o", str(tmp_path), str(tmp_path / "certificate.pdf")],
        check=True,
    )
    extracted = tmp_path / "credential.json"
    credential = json.loads(extracted.read_bytes())
    assert credential["credentialSubject"]["licenseNumber"] == issued.number
    assert credential["credentialSubject"]["name"] == "张三"  # the full disclosure
    files = {"did.json": f"/organisations/{body.id}/did.json"}
    files |= {f"{p}.json": f"/api/v1/status-lists/{body.id}/{p}" for p in ("message", "revocation")}
    for name, url in files.items():
        (tmp_path / name).write_bytes(client.get(url).data)
    app.extensions["craftledger"].close()

    result = CliRunner().invoke(
        main,
        [
            "vc", "verify", "--json",
            "--controller", str(tmp_path / "did.json"),
            "--status-list", str(tmp_path / "message.json"),
            "--status-list", str(tmp_path / "revocation.json"),
            str(extracted),
        ],
    )  # fmt: skip
    report = json.loads(result.output)
    assert result.exit_code == 0, report
    assert report["verified"] is True


def test_only_those_who_see_the_full_credential_get_the_pdf(
    ledger: Ledger, app_client: FlaskClient
) -> None:
    body = file_employer(ledger)
    other_body = file_employer(ledger, code="11-Y-000002", prefix="Y000011000002", name="他厂")
    issued = issue_to_new_worker(ledger, body.id, 1)
    other = issue_to_new_worker(ledger, body.id, 2, name="李四")
    url = f"/api/v1/certificates/{issued.number}/pdf"
    assert app_client.get(url).status_code == 401
    for role, bound in (
        (Role.WORKER, {"worker": other.worker_id}),
        (Role.ISSUER, {"organisation": other_body.id}),
        (Role.ORGANISER, {"organisation": body.id}),
    ):
        _, secret = grant(ledger, role, **bound)
        assert app_client.get(url, headers=bearer(secret)).status_code == 403, role
    _, admin = grant(ledger, Role.ADMIN)
    answer = app_client.get(url + "?id_number=everything", headers=bearer(admin))
    assert answer.status_code == 422
    assert "id_number" in answer.get_data(as_text=True)
    ledger.certificates.change_certificate_status(issued.number, "revoke", actor="t", reason="作弊")
    answer = app_client.get(url, headers=bearer(admin))
    assert answer.status_code == 422 and b"certificate-not-valid" in answer.data


def test_a_session_s_certificates_download_as_one_zip(ledger: Ledger, clock, app_client) -> None:
    session = plan_session(ledger, clock)
    for name in ("王五", "赵六"):
        session.candidate_with(name, theory=80, practical=85)
    session.publish(PUBLISH_DAY)
    session.confirm(CONFIRM_DAY)
    numbers = sorted(c["certificate_number"] for c in session.evaluation.candidates.values())
    _, secret = grant(ledger, Role.ISSUER, organisation=session.body_id)
    answer = app_client.get(
        f"/api/v1/evaluations/{session.evaluation_id}/certificates.zip?id_number=last4",
        headers=bearer(secret),
    )
    assert answer.status_code == 200, answer.data
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    assert sorted(archive.namelist()) == [f"{n}.pdf" for n in numbers]
    assert all(archive.read(f"{n}.pdf").startswith(b"%PDF-") for n in numbers)
    _, stranger = grant(
        ledger,
        Role.ISSUER,
        organisation=file_employer(
            ledger, code="11-Y-000009", prefix="Y000011000009", name="别家"
        ).id,
    )
    forbidden = app_client.get(
        f"/api/v1/evaluations/{session.evaluation_id}/certificates.zip", headers=bearer(stranger)
    )
    assert forbidden.status_code == 403


def test_a_sessions_archive_is_made_by_a_job_and_fetched_when_done(
    ledger: Ledger, clock, app_client
) -> None:
    session = plan_session(ledger, clock)
    for name in ("钱七", "孙八"):
        session.candidate_with(name, theory=80, practical=85)
    _, secret = grant(ledger, Role.ISSUER, organisation=session.body_id)
    path = f"/api/v1/evaluations/{session.evaluation_id}/certificate-archives"
    early = app_client.post(path, headers=bearer(secret))
    assert early.status_code == 422 and early.json["rule"] == "session-not-issued"
    session.publish(PUBLISH_DAY)
    session.confirm(CONFIRM_DAY)
    started = app_client.post(f"{path}?id_number=hidden", headers=bearer(secret))
    assert started.status_code == 202, started.data
    job_id = started.json["id"]
    assert started.headers["Location"].endswith(f"/api/v1/jobs/{job_id}")
    deadline = time.monotonic() + 60
    while (job := app_client.get(f"/api/v1/jobs/{job_id}", headers=bearer(secret)).json)[
        "state"
    ] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, job
        early_file = app_client.get(f"/api/v1/jobs/{job_id}/archive.zip", headers=bearer(secret))
        assert early_file.status_code in (200, 409)
        time.sleep(0.2)
    assert job["state"] == "succeeded" and job["result"]["certificates"] == 2, job
    answer = app_client.get(f"/api/v1/jobs/{job_id}/archive.zip", headers=bearer(secret))
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    numbers = sorted(c["certificate_number"] for c in session.evaluation.candidates.values())
    assert sorted(archive.namelist()) == [f"{n}.pdf" for n in numbers]
    _, stranger = grant(
        ledger,
        Role.ISSUER,
        organisation=file_employer(
            ledger, code="11-Y-000008", prefix="Y000011000008", name="他家"
        ).id,
    )
    refused = app_client.get(f"/api/v1/jobs/{job_id}/archive.zip", headers=bearer(stranger))
    assert refused.status_code == 403


def test_every_process_derives_the_same_ca_root_from_the_stored_key(make_ledger) -> None:
    first, second = make_ledger(), make_ledger()
    root, key = CertificatePdfs(first).signing.ca()
    again, _ = CertificatePdfs(second).signing.ca()
    assert root.public_bytes(Encoding.DER) == again.public_bytes(Encoding.DER)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    root.verify_directly_issued_by(root)  # self-signed, by the stored key
    assert root.public_key() == key.public_key()


def test_a_name_outside_gb2312_falls_back_to_the_system_font_or_is_refused(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.certificate_pdf import MissingGlyphs, fonts

    body = file_employer(ledger)
    issued = issue_to_new_worker(ledger, body.id, 1, name="王䶮")  # U+4DAE, not in GB 2312
    pdfs = CertificatePdfs(ledger)
    unsigned, _ = pdfs.unsigned_pdf(ledger.certificate(issued.number))
    (tmp_path / "rare.pdf").write_bytes(unsigned)
    text = subprocess.run(
        ["pdftotext", tmp_path / "rare.pdf", "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "王䶮" in text  # Debian's fonts-noto-cjk has it (.ci/run installs the package)
    listed = subprocess.run(
        ["pdffonts", tmp_path / "rare.pdf"], capture_output=True, text=True, check=True
    ).stdout
    assert listed.count("NotoSerifCJKSC") == 3  # the two shipped subsets and the fallback

    monkeypatch.setattr(fonts, "CJK_FALLBACK_PATHS", ())  # a machine without the package
    with pytest.raises(MissingGlyphs, match="䶮"):
        pdfs.unsigned_pdf(ledger.certificate(issued.number))
