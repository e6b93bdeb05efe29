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

import segno
from fpdf import FPDF

from service.certificate_pdf.fonts import BOLD, REGULAR, fonts_for

__all__ = [
    "ATTACHMENT_NAME",
    "FIXED_TEXT",
    "ID_NUMBER_CHOICES",
    "CertificateFace",
    "IdNumberShown",
    "render_unsigned",
    "shown_id_number",
]

ATTACHMENT_NAME = "credential.json"
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
SCAN = "扫码查验 Scan to verify"
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

RED = (150, 30, 30)
INK = (25, 25, 25)
GREY = (90, 90, 90)


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


def chinese_date(iso_date: str) -> str:
    day = datetime.strptime(iso_date, "%Y-%m-%d")
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, 275, 188)


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares, one rectangle per run of dark modules in a row."""
    matrix = segno.make(url, error="m", micro=False).matrix
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            pdf.rect(
                x + start * module,
                y + row_index * module,
                (column - start) * module,
                module,
                style="F",
            )


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
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creator("craftledger")
    pdf.set_title(f"{TITLE} {face.number}")
    pdf.set_author(face.issuer_name)
    pdf.set_creation_date(when)
    pdf.set_auto_page_break(False)
    fallback = fonts_for(pdf, "".join(values) + face.verification_url)
    pdf.add_page()
    _frame(pdf)

    pdf.set_text_color(*RED)
    pdf.set_font(BOLD, size=30)
    pdf.set_xy(11, 24)
    pdf.cell(275, 14, TITLE, align="C")
    pdf.set_font(REGULAR, size=11)
    pdf.set_xy(11, 39)
    pdf.cell(275, 6, SUBTITLE, align="C")

    top, line = 56.0, 14.5
    for index, ((label_zh, label_en), value) in enumerate(zip(LABELS, values, strict=True)):
        y = top + index * line
        pdf.set_text_color(*INK)
        pdf.set_font(BOLD, size=13)
        pdf.set_xy(30, y)
        pdf.cell(42, 7, label_zh)
        pdf.set_font(REGULAR, size=7.5)
        pdf.set_text_color(*GREY)
        pdf.set_xy(30, y + 6.2)
        pdf.cell(42, 4, label_en)
        pdf.set_text_color(*INK)
        pdf.set_font(REGULAR, size=14)
        if fallback:
            pdf.set_fallback_fonts([fallback])
        pdf.set_xy(75, y)
        pdf.cell(140, 8, value)
        pdf.set_fallback_fonts([])
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.15)
        pdf.line(75, y + 9.2, 212, y + 9.2)

    size = 46.0
    _qr(pdf, face.verification_url, 227, 92, size)
    pdf.set_text_color(*INK)
    pdf.set_font(REGULAR, size=9)
    pdf.set_xy(215, 92 + size + 2)
    pdf.cell(70, 5, SCAN, align="C")
    pdf.set_font(REGULAR, size=6.5)
    pdf.set_xy(205, 92 + size + 7)
    pdf.multi_cell(78, 3.2, face.verification_url, align="C")

    pdf.set_text_color(*GREY)
    pdf.set_font(REGULAR, size=8)
    pdf.set_xy(30, 177)
    pdf.multi_cell(250, 4.2, FOOTNOTE, align="L")
    pdf.set_font(REGULAR, size=7)
    pdf.set_xy(30, 186)
    pdf.multi_cell(250, 3.6, FOOTNOTE_EN, align="L")

    pdf.embed_file(
        bytes=credential_json,
        basename=ATTACHMENT_NAME,
        desc="the certificate's signed verifiable credential (full disclosure)",
        modification_date=when,
        mime_type="application/vc+ld+json",
        associated_file_relationship="Source",
    )
    return bytes(pdf.output())
