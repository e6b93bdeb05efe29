"""The certificate PDF's fonts: Noto Serif CJK SC, shipped as subsets, with the system font as a
fallback for rarer characters.

Shipped in ``fonts/`` (SIL Open Font License 1.1, ``fonts/OFL.txt``: subsetting and
redistribution are allowed; Noto reserves no font name), cut from Debian's ``fonts-noto-cjk``
by ``python -m service.certificate_pdf.make_fonts``:

* ``NotoSerifCJKsc-Regular-GB2312.otf``: the 7,445 characters of GB 2312 (every common
  hanzi), ASCII, CJK and full-width punctuation (2.5 MB);
* ``NotoSerifCJKsc-Bold-labels.otf``: only the characters the layout prints itself.

So a fresh clone renders every certificate whose names use GB 2312 characters without any
system font, and fast: fpdf2 parses and subsets a 2.5 MB font per PDF, not the 25 MB
collection. A name with a character outside GB 2312 (e.g. 䶮) falls back to the full
collection when it is installed (``fonts-noto-cjk``: ``CJK_FALLBACK_PATHS``); when it is not,
``MissingGlyphs`` names the characters rather than printing blanks.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fpdf import FPDF

__all__ = ["BOLD", "CJK_FALLBACK_PATHS", "FALLBACK", "REGULAR", "MissingGlyphs", "fonts_for"]

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR_FILE = FONT_DIR / "NotoSerifCJKsc-Regular-GB2312.otf"
BOLD_FILE = FONT_DIR / "NotoSerifCJKsc-Bold-labels.otf"
REGULAR, BOLD, FALLBACK = "noto-serif", "noto-serif-bold", "noto-serif-full"
CJK_FALLBACK_PATHS = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto-cjk/NotoSerifCJK-Regular.ttc"),
)
SC_INDEX = 2
"""Noto Serif CJK's collection order is JP, KR, SC, TC, HK: index 2 is Simplified Chinese."""


class MissingGlyphs(RuntimeError):
    """A character of the certificate is in no font available here (install fonts-noto-cjk)."""


@lru_cache(maxsize=4)
def _coverage(path: Path, number: int = 0) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=number, lazy=True)
    return frozenset(font.getBestCmap())


def _fallback_path() -> Path | None:
    return next((path for path in CJK_FALLBACK_PATHS if path.is_file()), None)


def fonts_for(pdf: FPDF, text: str) -> str | None:
    """Add the shipped fonts to ``pdf``; when ``text`` needs a character they lack, also the
    full system font, whose family is returned (to use as a fallback)."""
    for family, path in ((REGULAR, REGULAR_FILE), (BOLD, BOLD_FILE)):
        pdf.add_font(family, fname=path)
        # the subset's bounding boxes stay those of the whole font (a superset): recomputing
        # them runs every glyph's charstring and was 60 % of the time of a PDF
        font: Any = pdf.fonts[family]  # a TTFFont: an OpenType file was added
        font.ttfont.recalcBBoxes = False
    missing = {ch for ch in text if ord(ch) > 0x20} - {chr(c) for c in _coverage(REGULAR_FILE)}
    if not missing:
        return None
    fallback = _fallback_path()
    if fallback is None or missing - {chr(c) for c in _coverage(fallback, SC_INDEX)}:
        raise MissingGlyphs(
            "no installed font has the character(s) "
            + "".join(sorted(missing))
            + " (install Debian's fonts-noto-cjk)"
        )
    pdf.add_font(FALLBACK, fname=fallback, collection_font_number=SC_INDEX)
    return FALLBACK
