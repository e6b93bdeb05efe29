"""``/me/certificate.pdf``: the signed worker downloads one of their certificates as a signed
PDF, showing the ID number as they choose (``service.certificate_pdf``)."""

from __future__ import annotations

from typing import Any

from flask import request

from domain.errors import DomainRuleViolation, InvalidValue
from service.app_services import ledger
from service.attachments import attachment
from service.certificate_pdf import ID_NUMBER_CHOICES, CertificatePdfs, MissingGlyphs
from service.credentials import CredentialUnavailable
from service.ledger import NotFound
from service.pages.blueprints import pages, render_error
from service.pages.i18n import gettext
from service.pages.web_session import page_principal
from service.pages.worker import signed_in_worker, workers_only


@pages.route("/me/certificate.pdf", methods=["GET"])
@workers_only
def me_certificate_pdf() -> Any:
    worker_id = signed_in_worker()
    assert worker_id is not None
    number = request.args.get("number", "")
    shown = request.args.get("id_number", "masked")
    if shown not in ID_NUMBER_CHOICES:
        return render_error(400, gettext("证件号码显示方式无效"), "id_number")
    try:
        certificate = ledger().certificate(number)
    except (NotFound, InvalidValue):
        certificate = None
    if certificate is None or certificate.worker_id != worker_id:
        return render_error(404, gettext("没有这本证书"), "number")
    try:
        body = CertificatePdfs(ledger()).certificate_pdf(
            certificate.number, shown, actor=page_principal().actor
        )
    except (DomainRuleViolation, CredentialUnavailable, MissingGlyphs) as error:
        return render_error(409, gettext("暂时无法生成 PDF"), str(error))
    return attachment(body, "application/pdf", f"{certificate.number}.pdf")
