"""``/c/{number}``: the public certificate page.

* the masked certificate (name 张*, masked ID number) and its status, from the directory read
  model (``service.certificate_lookup``);
* a QR code (``segno``) encoding the page's absolute URL under the service's base URL (the one
  credential ids and DIDs use), as SVG and PNG;
* the signed credential (public disclosure) to download;
* a print view that fits one A4 page;
* verification of a credential file, as on ``/verify`` (``service.pages.verify``); without
  JavaScript the form uploads the file to ``POST /c/{number}/check-file``.
"""

from __future__ import annotations

import io
import json
from typing import Any

import segno
from flask import Response, url_for
from markupsafe import Markup

from service.app_services import certificate_lookup, ledger
from service.certificate_lookup import CertificateRecord
from service.credentials import CredentialUnavailable
from service.ledger import NotFound
from service.pages.blueprints import pages, render, render_error
from service.pages.i18n import gettext
from service.pages.verify import checked_upload, issuing_body, number_problem, summary


def load(number: str) -> CertificateRecord:
    """The certificate from the directory read model (no aggregate is loaded)."""
    problem = number_problem(number)
    if problem:
        raise _NumberMalformed(problem)
    found = certificate_lookup().find(number)
    if found is None:
        raise NotFound(f"no certificate {number}")
    return found


class _NumberMalformed(Exception):
    pass


@pages.errorhandler(_NumberMalformed)
def _malformed(error: _NumberMalformed) -> Response:
    return render_error(
        404, gettext("没有这个编号的证书。"), str(error), title=gettext("证书不存在")
    )


def page_url(number: str) -> str:
    """The certificate page's absolute URL (what the QR code encodes)."""
    return ledger().credentials.credential_urls.base_url + url_for(
        "pages.certificate_page", number=number
    )


def qr_code(number: str) -> segno.QRCode:
    return segno.make(page_url(number), error="m", micro=False)


@pages.route("/c/<string:number>", methods=["GET"])
def certificate_page(number: str) -> Any:
    certificate = load(number)
    return render(
        "pages/certificate.html",
        certificate=summary(certificate),
        issuer=issuing_body(certificate),
        page_url=page_url(number),
        title=gettext("职业技能等级证书 %(number)s", number=number),
        file_result=None,
    )


@pages.route("/c/<string:number>/print", methods=["GET"])
def certificate_print(number: str) -> Any:
    certificate = load(number)
    qr = qr_code(number)
    return render(
        "pages/certificate_print.html",
        certificate=summary(certificate),
        issuer=issuing_body(certificate),
        page_url=page_url(number),
        qr_svg=Markup(  # segno's own markup; the only text in it (the title) is escaped
            qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", title=page_url(number))
        ),
        title=gettext("职业技能等级证书 %(number)s", number=number),
    )


@pages.route("/c/<string:number>/qr.svg", methods=["GET"])
def certificate_qr_svg(number: str) -> Any:
    load(number)
    out = io.BytesIO()
    qr_code(number).save(out, kind="svg", scale=6, border=2, title=page_url(number))
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@pages.route("/c/<string:number>/qr.png", methods=["GET"])
def certificate_qr_png(number: str) -> Any:
    load(number)
    out = io.BytesIO()
    qr_code(number).save(out, kind="png", scale=8, border=2)
    response = Response(out.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@pages.route("/c/<string:number>/credential.json", methods=["GET"])
def certificate_credential_download(number: str) -> Any:
    certificate = load(number)
    try:
        credential = ledger().credentials.certificate_credential(certificate.number, "public")
    except CredentialUnavailable:
        raise NotFound(f"no credential for {certificate.number}") from None
    body = json.dumps(credential, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{certificate.number}.credential.json"'
    )
    return response


@pages.route("/c/<string:number>/check-file", methods=["POST"])
def certificate_check_file(number: str) -> Any:
    certificate = load(number)
    result, error = checked_upload()
    return render(
        "pages/certificate.html",
        status=200 if error is None else 422,
        certificate=summary(certificate),
        issuer=issuing_body(certificate),
        page_url=page_url(number),
        title=gettext("职业技能等级证书 %(number)s", number=number),
        file_result=result,
        file_error=error,
    )
