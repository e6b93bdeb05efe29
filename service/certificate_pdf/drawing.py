"""What every signed one-page PDF of the ledger draws the same way: the A4 landscape page with
its double red frame, fonts (``fonts_for``), labelled rows (Chinese label, English beneath, the
value on a rule), the QR code to a verification page with its caption, the footnotes, and the
signed credential attached as ``credential.json``. The certificate (``layout``) and the award
(``award_layout``) differ only in what they put where.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import segno
from fpdf import FPDF

from service.certificate_pdf.fonts import BOLD, REGULAR, fonts_for

__all__ = [
    "ATTACHMENT_NAME",
    "GREY",
    "INK",
    "RED",
    "SCAN",
    "attach_credential",
    "chinese_date",
    "footnotes",
    "labelled_rows",
    "landscape_page",
    "scan_block",
    "title_block",
]

ATTACHMENT_NAME = "credential.json"
SCAN = "扫码查验 Scan to verify"
RED = (150, 30, 30)
INK = (25, 25, 25)
GREY = (90, 90, 90)


def chinese_date(iso_date: str) -> str:
    day = datetime.strptime(iso_date[:10], "%Y-%m-%d")
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def landscape_page(title: str, author: str, when: datetime, text: str) -> tuple[FPDF, str | None]:
    """A new A4 landscape document with one framed page and the fonts ``text`` needs; the
    fallback font's family when a character of ``text`` is not in the shipped subset."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creator("craftledger")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creation_date(when)
    pdf.set_auto_page_break(False)
    fallback = fonts_for(pdf, text)
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, 275, 188)
    return pdf, fallback


def title_block(pdf: FPDF, title: str, subtitle: str, y: float = 24) -> None:
    """The red title, centred, and its English beneath."""
    pdf.set_text_color(*RED)
    pdf.set_font(BOLD, size=30)
    pdf.set_xy(11, y)
    pdf.cell(275, 14, title, align="C")
    pdf.set_font(REGULAR, size=11)
    pdf.set_xy(11, y + 15)
    pdf.cell(275, 6, subtitle, align="C")


def labelled_rows(
    pdf: FPDF,
    labels: Sequence[tuple[str, str]],
    values: Sequence[str],
    fallback: str | None,
    *,
    top: float,
    line: float,
    width: float = 137,
) -> None:
    """One row per (Chinese, English) label: the label in bold, its English beneath in grey,
    the value on a thin rule (in the fallback font too, for rare characters of names)."""
    for index, ((label_zh, label_en), value) in enumerate(zip(labels, values, strict=True)):
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
        pdf.cell(width + 3, 8, value)
        pdf.set_fallback_fonts([])
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.15)
        pdf.line(75, y + 9.2, 75 + width, y + 9.2)


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


def scan_block(pdf: FPDF, url: str, y: float = 92, size: float = 46.0) -> None:
    """The QR code to ``url`` on the right, "scan to verify" and the URL beneath."""
    _qr(pdf, url, 227, y, size)
    pdf.set_text_color(*INK)
    pdf.set_font(REGULAR, size=9)
    pdf.set_xy(215, y + size + 2)
    pdf.cell(70, 5, SCAN, align="C")
    pdf.set_font(REGULAR, size=6.5)
    pdf.set_xy(205, y + size + 7)
    pdf.multi_cell(78, 3.2, url, align="C")


def footnotes(pdf: FPDF, chinese: str, english: str) -> None:
    """What is attached and who signed, in Chinese then English, at the foot of the page."""
    pdf.set_text_color(*GREY)
    pdf.set_font(REGULAR, size=8)
    pdf.set_xy(30, 177)
    pdf.multi_cell(250, 4.2, chinese, align="L")
    pdf.set_font(REGULAR, size=7)
    pdf.set_xy(30, 186)
    pdf.multi_cell(250, 3.6, english, align="L")


def attach_credential(pdf: FPDF, credential_json: bytes, description: str, when: datetime) -> bytes:
    """The document's bytes with ``credential_json`` attached as ``credential.json``
    (``/EmbeddedFiles`` and an ``/AF`` associated file, relationship ``Source``)."""
    pdf.embed_file(
        bytes=credential_json,
        basename=ATTACHMENT_NAME,
        desc=description,
        modification_date=when,
        mime_type="application/vc+ld+json",
        associated_file_relationship="Source",
    )
    return bytes(pdf.output())
