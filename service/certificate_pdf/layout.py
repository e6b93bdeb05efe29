"""The one-page certificate (职业技能等级证书) as an unsigned PDF, drawn with ``fpdf2``.

A4 landscape, in the order of the national certificate: title, holder (name, ID number as the
holder chose to show it), occupation (工种) and its code, level, certificate number, issue
date, evaluation body; a QR code to the public verification page ``/c/{number}`` drawn as
vector squares (``segno``'s matrix); a footnote saying what is attached and signed. The signed
credential is embedded as the file attachment ``credential.json`` (``/EmbeddedFiles``,
``/AF`` relationship ``Source``). Text is set in Noto Serif CJK SC, embedded as a subset
(``service.certificate_pdf.fonts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from service.certificate_pdf.drawing import (
    ATTACHMENT_NAME,
    SCAN,
    attach_credential,
    chinese_date,
    footnotes,
    labelled_rows,
    landscape_page,
    scan_block,
    title_block,
)

__all__ = [
    "ATTACHMENT_NAME",
    "FIXED_TEXT",
    "ID_NUMBER_CHOICES",
    "CertificateFace",
    "IdNumberShown",
    "render_unsigned",
    "shown_id_number",
]

IdNumberShown = Literal["masked", "last4", "hidden"]
ID_NUMBER_CHOICES: tuple[IdNumberShown, ...] = ("masked", "last4", "hidden")
"""How the holder chose to show the ID number: as the ledger masks it (``110105********123X``),
only its last four characters, or not at all. The full number is never shown (the ledger
keeps only its masked form and a salted hash)."""

TITLE = "职业技能等级证书"
SUBTITLE = "Vocational Skill Level Certificate"
LABELS = (
    ("姓名", "Name"),
    ("证件号码", "ID number"),
    ("职业（工种）", "Occupation"),
    ("职业编码", "Occupation code"),
    ("技能等级", "Level"),
    ("证书编号", "Certificate No."),
    ("发证日期", "Date of issue"),
    ("评价机构", "Evaluation body"),
)
HIDDEN_ID = "（持证人选择不显示）"
FOOTNOTE = (
    "本证书由评价机构依据国家职业技能标准评价颁发，可在上述网址查验。"
    "附件 credential.json 为同一证书的签名可验证凭证（W3C VC 2.0），"
    "本文件由评价机构的文书签名密钥签名，签名后任何改动都会被阅读器指出。"
)
FOOTNOTE_EN = (
    "The attachment credential.json is this certificate's signed verifiable credential; "
    "this file is signed by the evaluation body's document-signing key."
)
FIXED_TEXT = "".join(
    [TITLE, SUBTITLE, HIDDEN_ID, SCAN, FOOTNOTE, FOOTNOTE_EN, "年月日"]
    + [zh + en for zh, en in LABELS]
)
"""Every character the layout itself prints (the bold subset font is cut to these)."""


@dataclass(frozen=True)
class CertificateFace:
    """What the certificate's face shows (all of it as recorded in the certificate's events)."""

    number: str
    holder_name: str
    masked_id_number: str
    occupation_code: str
    occupation_name: str
    level_zh: str
    level_en: str
    issued_on: str
    issuer_name: str
    verification_url: str


def shown_id_number(masked_id_number: str, shown: IdNumberShown) -> str:
    """The ID number as the holder chose to show it (from the masked form only)."""
    if shown == "hidden":
        return HIDDEN_ID
    if shown == "last4":
        return "*" * (len(masked_id_number) - 4) + masked_id_number[-4:]
    return masked_id_number


def render_unsigned(
    face: CertificateFace, shown: IdNumberShown, credential_json: bytes, when: datetime
) -> bytes:
    """The certificate page as PDF bytes, ``credential_json`` attached; ready to be signed."""
    values = (
        face.holder_name,
        shown_id_number(face.masked_id_number, shown),
        face.occupation_name,
        face.occupation_code,
        f"{face.level_zh}  {face.level_en}",
        face.number,
        chinese_date(face.issued_on),
        face.issuer_name,
    )
    pdf, fallback = landscape_page(
        f"{TITLE} {face.number}",
        face.issuer_name,
        when,
        "".join(values) + face.verification_url,
    )
    title_block(pdf, TITLE, SUBTITLE)
    labelled_rows(pdf, LABELS, values, fallback, top=56.0, line=14.5)
    scan_block(pdf, face.verification_url)
    footnotes(pdf, FOOTNOTE, FOOTNOTE_EN)
    return attach_credential(
        pdf,
        credential_json,
        "the certificate's signed verifiable credential (full disclosure)",
        when,
    )
