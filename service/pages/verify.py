"""``/verify`` (and the home page's main box): check a certificate by number, name and ID number.

The three fields are POSTed (never in a URL, so the ID number stays out of access logs and
browser history) to ``POST /verify``, rate-limited per client address like the API's check
(``VERIFY_RATE_LIMIT``). Bad input is explained beside the field that is wrong; the number is
never corrected. The ID number is never shown back, not even in the form after an error.

The answer is ``POST /api/v1/verify``'s check (``service.national_query``, from the directory read
model): a wrong name, a wrong ID number and an unknown number are the same "not found", with the
same work done on every path. A match shows the
masked summary, the issuing body as filed (and whether the occupation and level are in its
filed scope), each check of the certificate's signed credential (signature, key, issuer,
dates, status, log inclusion) and where its issuance sits in the transparency log.

Below the form (and on each certificate page), a credential file of any issuer is verified:
dropped or chosen in the page, read by the browser and POSTed as JSON to ``POST
/credentials/verify``; without JavaScript the form uploads it to ``POST /verify/check-file``,
which runs the same verification here. A valid credential of an issuer not filed in this ledger
is shown as "signature valid, issuer not filed here", never as a valid certificate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import request

from domain.certificate_number import CertificateNumber
from domain.errors import InvalidValue
from domain.id_number import IdKind, IdNumber
from service.app_services import certificate_lookup, current_audit, ledger, national_query
from service.certificate_lookup import CertificateRecord
from service.credentials import CredentialUnavailable
from service.pages.blueprints import pages, render, verify_pages
from service.pages.i18n import N_, gettext
from service.signing.canonical_json import JSONValueError, parse_strict

log = logging.getLogger(__name__)

NAME_MAX = 50
MAX_UPLOAD = 256 * 1024
ID_KINDS = {
    IdKind.RESIDENT.value: N_("居民身份证"),
    IdKind.HMT_RESIDENCE_PERMIT.value: N_("港澳台居民居住证"),
    IdKind.PASSPORT.value: N_("护照"),
    IdKind.HK_MACAO_PERMIT.value: N_("港澳居民来往内地通行证"),
    IdKind.TAIWAN_PERMIT.value: N_("台湾居民来往大陆通行证"),
    IdKind.FOREIGN_PERMANENT_RESIDENCE.value: N_("外国人永久居留身份证"),
}
NUMBER_PARTS = {
    "evaluator type": N_(
        "第 1 位是评价机构类型，应为大写字母 Y（用人单位）或 S（社会培训评价组织）。"
    ),
    "evaluator code": N_("第 2–5 位是评价机构代码，应为数字。"),
    "province code": N_("第 6–7 位是省级行政区划代码，应为 11–65 之间的有效代码。"),
    "site serial": N_("第 8–13 位是评价机构序号，应为数字。"),
    "issue year": N_("第 14–15 位是发证年份，应为数字。"),
    "level": N_("第 16 位是职业技能等级，应为 1–5。"),
    "serial": N_("第 17–22 位是证书序号，应为数字。"),
}
ID_PARTS = {
    "length": N_("位数不对"),
    "characters": N_("含有不允许的字符"),
    "check character": N_("最后一位校验码不符"),
    "birth date": N_("出生日期无效"),
    "region": N_("地区码无效"),
    "format": N_("格式不符"),
    "x": N_("末位 X 应为大写"),
}


@dataclass
class VerifyForm:
    number: str = ""
    name: str = ""
    id_kind: str = IdKind.RESIDENT.value
    errors: dict[str, str] = field(default_factory=dict)
    id_number: IdNumber | None = None


def number_problem(number: str) -> str | None:
    """What is wrong with a certificate number, in the visitor's language (None: nothing)."""
    if not number:
        return gettext("请输入证书编号。")
    try:
        CertificateNumber.parse(number)
    except InvalidValue as error:
        if error.field == "length":
            text = gettext(
                "证书编号应为 22 位（1 个字母加 21 位数字），您输入了 %(count)s 位。",
                count=len(number),
            )
            if number != number.strip():
                text += " " + gettext("编号前后有空格。")
            return text
        part = NUMBER_PARTS.get(error.field)
        if part is None:
            return gettext("证书编号格式不正确。")
        return gettext("证书编号有误：") + gettext(part)
    return None


def read_form() -> VerifyForm:
    form = VerifyForm(
        number=request.form.get("number", "")[:64],
        name=request.form.get("name", "")[: NAME_MAX + 1],
        id_kind=request.form.get("id_kind", IdKind.RESIDENT.value),
    )
    problem = number_problem(form.number)
    if problem:
        form.errors["number"] = problem
    if not form.name.strip():
        form.errors["name"] = gettext("请输入持证人姓名。")
    elif len(form.name) > NAME_MAX:
        form.errors["name"] = gettext("姓名最多 %(max)s 个字。", max=NAME_MAX)
    if form.id_kind not in ID_KINDS:
        form.errors["id_kind"] = gettext("请选择证件类型。")
        form.id_kind = IdKind.RESIDENT.value
    id_text = request.form.get("id_number", "")
    if not id_text:
        form.errors["id_number"] = gettext("请输入身份证件号码。")
    elif "id_kind" not in form.errors:
        try:
            form.id_number = IdNumber.parse(id_text[:40], form.id_kind)
        except InvalidValue as error:
            part = ID_PARTS.get(error.field, N_("格式不符"))
            form.errors["id_number"] = gettext(
                "证件号码有误：%(what)s。请核对后重新输入。", what=gettext(part)
            )
    return form


def check(form: VerifyForm) -> dict[str, Any]:
    """The answer for a well-formed form (see the module docstring)."""
    assert form.id_number is not None
    answer = national_query().check(form.number, form.name, form.id_number)
    certificate = answer.certificate
    if certificate is None:
        return {"result": "not_found", "checked_at": answer.checked_at}
    return {
        "result": answer.result,
        "checked_at": answer.checked_at,
        "log_position": answer.log_position,
        "certificate": summary(certificate),
        "issuer": issuing_body(certificate),
        "checks": credential_checks(certificate.number),
    }


def summary(certificate: CertificateRecord) -> dict[str, Any]:
    """The masked summary the pages show."""
    return certificate.summary()


def issuing_body(certificate: CertificateRecord) -> dict[str, Any]:
    """The issuer as filed (备案), and whether the certificate is in its filed scope now."""
    return certificate_lookup().issuing_body(certificate)


def credential_checks(number: str) -> dict[str, Any]:
    """Each check of the certificate's public credential, and its log inclusion."""
    try:
        credential = ledger().credentials.certificate_credential(number, "public")
    except CredentialUnavailable:
        return {"available": False, "checks": [], "log": None}
    report = ledger().credentials.verify_credential(
        credential, log_inclusion=current_audit().proofs.log_inclusion_check
    )
    checks = [c.to_dict() for c in report.checks]
    log_check = next((c for c in checks if c["check"] == "log_inclusion"), None)
    inclusion = (log_check or {}).get("log_inclusion")
    return {
        "available": True,
        "verified": report.verified,
        "checks": checks,
        "log": {
            "status": log_check["status"] if log_check else "unknown",
            "leaf_index": inclusion.get("leaf_index") if inclusion else None,
            "position": inclusion.get("position") if inclusion else None,
            "tree_size": inclusion["tree_head"]["tree_size"] if inclusion else None,
        },
    }


def verify_upload(data: bytes) -> dict[str, Any]:
    """The verification of an uploaded credential file, as ``POST /credentials/verify``
    answers it (a file that is not a JSON object fails as one ``credential`` check), and
    ``filed_here``: whether its issuer is a body filed in this ledger (a valid credential of
    any other issuer is shown as such, never as this ledger's)."""
    try:
        document = parse_strict(data)
    except (JSONValueError, UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict):
        return {
            "verified": False,
            "checks": [
                {
                    "check": "credential",
                    "status": "failed",
                    "detail": "the file is not a JSON credential",
                }
            ],
        }
    report = ledger().credentials.verify_credential(
        document, log_inclusion=current_audit().proofs.log_inclusion_check
    )
    filed = report.get("issuer_filed")
    return {
        "verified": report.verified,
        "filed_here": filed is not None and filed.status == "passed",
        "checks": [c.to_dict() for c in report.checks],
    }


def checked_upload() -> tuple[dict[str, Any] | None, str | None]:
    """The uploaded ``credential`` file's verification, or what is wrong with the upload."""
    upload = request.files.get("credential")
    data = upload.read(MAX_UPLOAD + 1) if upload is not None else b""
    if not data:
        return None, gettext("请选择要校验的证书文件（.json）。")
    if len(data) > MAX_UPLOAD:
        return None, gettext("文件太大：证书文件不超过 256 KB。")
    return verify_upload(data), None


@pages.route("/verify", methods=["GET"])
def verify_form() -> Any:
    return render(
        "pages/verify.html",
        form=VerifyForm(),
        answer=None,
        id_kinds=ID_KINDS,
        title=gettext("证书查询"),
    )


@pages.route("/verify/check-file", methods=["POST"])
def verify_check_file() -> Any:
    result, error = checked_upload()
    return render(
        "pages/verify.html",
        status=200 if error is None else 422,
        form=VerifyForm(),
        answer=None,
        id_kinds=ID_KINDS,
        title=gettext("证书查询"),
        file_result=result,
        file_error=error,
    )


@verify_pages.route("/verify", methods=["POST"])
def verify_submit() -> Any:
    form = read_form()
    if form.errors:
        return render(
            "pages/verify.html",
            status=422,
            form=form,
            answer=None,
            id_kinds=ID_KINDS,
            title=gettext("证书查询"),
        )
    answer = check(form)
    return render(
        "pages/verify.html",
        form=form,
        answer=answer,
        id_kinds=ID_KINDS,
        title=gettext("查询结果"),
    )
