"""Cut the shipped font subsets (``service.certificate_pdf.fonts``) from Noto Serif CJK's
collections: ``python -m service.certificate_pdf.make_fonts [/usr/share/fonts/opentype/noto]``
(about 20 s). Run again when a layout's fixed text (certificate or award) changes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from domain.occupation import KNOWN_OCCUPATIONS
from service.certificate_pdf.award_layout import FIXED_TEXT as AWARD_TEXT
from service.certificate_pdf.fonts import BOLD_FILE, REGULAR_FILE, SC_INDEX
from service.certificate_pdf.layout import FIXED_TEXT


def _gb2312() -> set[int]:
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def _subset(source: Path, unicodes: set[int], target: Path) -> None:
    font = TTFont(source, fontNumber=SC_INDEX, recalcTimestamp=False)  # reproducible bytes
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    target.write_bytes(out.getvalue())


def build(source_dir: Path) -> None:
    """Cut the shipped subsets from Noto Serif CJK's collections in ``source_dir``."""
    fixed = {ord(ch) for ch in FIXED_TEXT + AWARD_TEXT} | set(range(0x20, 0x7F))
    names = {ord(ch) for occupation in KNOWN_OCCUPATIONS for ch in occupation.name}
    punctuation = set(range(0x3000, 0x3040)) | set(range(0xFF01, 0xFF5F))
    _subset(
        source_dir / "NotoSerifCJK-Regular.ttc",
        _gb2312() | fixed | names | punctuation,
        REGULAR_FILE,
    )
    _subset(source_dir / "NotoSerifCJK-Bold.ttc", fixed, BOLD_FILE)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto"))
