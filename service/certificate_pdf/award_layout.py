"""A competition award (金牌, 银牌, 铜牌, 优胜奖) as a one-page unsigned PDF, drawn with the
certificate's pieces (``service.certificate_pdf.drawing``): the same framed A4 landscape page,
labelled rows, QR code block, footnotes and ``credential.json`` attachment.

The page: title 获奖证书 / Award Certificate; a medal disk in the award's colour with its
character (金, 银, 铜, 优); rows for the entrant's name as registered for the competition, the
competition, its tier, the occupation (工种), the rank (within the entrant's group when
employees and students are ranked apart), the award, the standardised score, the organiser
that awards it and the day the results were published; a QR code to the competition's public
results page, where the rank and award can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF

from domain.ranking import Award
from service.certificate_pdf.drawing import (
    INK,
    RED,
    SCAN,
    attach_credential,
    chinese_date,
    footnotes,
    labelled_rows,
    landscape_page,
    scan_block,
    title_block,
)
from service.certificate_pdf.fonts import BOLD, REGULAR

__all__ = ["AWARD_EN", "FIXED_TEXT", "TIER_NAMES", "AwardFace", "render_award_unsigned"]

TITLE = "获奖证书"
SUBTITLE = "Competition Award Certificate"
LABELS = (
    ("姓名", "Name"),
    ("竞赛名称", "Competition"),
    ("竞赛级别", "Tier"),
    ("职业（工种）", "Occupation"),
    ("名次", "Rank"),
    ("奖项", "Award"),
    ("标准分", "Standardised score"),
    ("颁发单位", "Awarded by"),
    ("颁发日期", "Date of award"),
)
AWARD_EN = {
    Award.GOLD: "Gold medal",
    Award.SILVER: "Silver medal",
    Award.BRONZE: "Bronze medal",
    Award.EXCELLENCE: "Award of excellence",
}
MEDAL_CHARACTER = {Award.GOLD: "金", Award.SILVER: "银", Award.BRONZE: "铜", Award.EXCELLENCE: "优"}
MEDAL_COLOUR = {
    Award.GOLD: (201, 160, 40),
    Award.SILVER: (150, 155, 165),
    Award.BRONZE: (166, 98, 50),
    Award.EXCELLENCE: RED,
}
TIER_NAMES = {
    "world": ("世界技能大赛", "WorldSkills Competition"),
    "national_1": ("国家级一类", "National, class I"),
    "national_2": ("国家级二类", "National, class II"),
    "provincial_1": ("省（市）级一类", "Provincial (city), class I"),
    "provincial_2": ("省（市）级二类", "Provincial (city), class II"),
    "district": ("区级", "District level"),
    "enterprise_or_school": ("企业和院校级", "Enterprise or school level"),
}
"""Competition tiers in Chinese (as the pages label them) and English."""
GROUP_NAMES = {"employee": "职工组", "student": "学生组"}
FOOTNOTE = (
    "本证书由竞赛组织单位在成绩发布时颁发，名次与奖项可在上述网址查验。"
    "附件 credential.json 为同一奖项的签名可验证凭证（W3C VC 2.0，Open Badges 3.0），"
    "本文件由组织单位的文书签名密钥签名，签名后任何改动都会被阅读器指出。"
)
FOOTNOTE_EN = (
    "The attachment credential.json is this award's signed verifiable credential "
    "(Open Badges 3.0); this file is signed by the organiser's document-signing key."
)
FIXED_TEXT = "".join(
    [TITLE, SUBTITLE, SCAN, FOOTNOTE, FOOTNOTE_EN, "年月日第名共人", *GROUP_NAMES.values()]
    + [zh + en for zh, en in LABELS]
    + [award.name_zh + AWARD_EN[award] + MEDAL_CHARACTER[award] for award in Award]
    + [zh + en for zh, en in TIER_NAMES.values()]
)
"""Every character the layout itself prints (the bold subset font is cut to these too)."""


@dataclass(frozen=True)
class AwardFace:
    """What the award's face shows, all of it from the competition's recorded results."""

    competition_name: str
    tier: str
    occupation_code: str
    occupation_name: str
    entrant_name: str
    rank: int
    group: str
    group_size: int
    award: Award
    standardised: int
    organiser_name: str
    awarded_on: str
    verification_url: str


def rank_text(face: AwardFace) -> str:
    """第1名（共12人，职工组）/ 1 of 12: the rank within the entrant's group."""
    group = GROUP_NAMES.get(face.group)
    among = f"共{face.group_size}人" + (f"，{group}" if group else "")
    return f"第{face.rank}名（{among}）  {face.rank} of {face.group_size}"


def _medal(pdf: FPDF, award: Award) -> None:
    """A disk in the award's colour with its character, above the QR code."""
    x, y, size = 232.0, 40.0, 36.0
    pdf.set_fill_color(*MEDAL_COLOUR[award])
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.6)
    pdf.ellipse(x, y, size, size, style="FD")
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.8)
    pdf.ellipse(x + 2.5, y + 2.5, size - 5, size - 5, style="D")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(BOLD, size=38)
    pdf.set_xy(x, y + 8)
    pdf.cell(size, 20, MEDAL_CHARACTER[award], align="C")
    pdf.set_text_color(*INK)
    pdf.set_font(REGULAR, size=9)
    pdf.set_xy(x - 10, y + size + 1.5)
    pdf.cell(size + 20, 5, f"{award.name_zh} {AWARD_EN[award]}", align="C")


def render_award_unsigned(face: AwardFace, credential_json: bytes, when: datetime) -> bytes:
    """The award page as PDF bytes, ``credential_json`` attached; ready to be signed."""
    tier_zh, tier_en = TIER_NAMES.get(face.tier, (face.tier, ""))
    values = (
        face.entrant_name,
        face.competition_name,
        f"{tier_zh}  {tier_en}".strip(),
        f"{face.occupation_name}（{face.occupation_code}）",
        rank_text(face),
        f"{face.award.name_zh}  {AWARD_EN[face.award]}",
        str(face.standardised),
        face.organiser_name,
        chinese_date(face.awarded_on),
    )
    pdf, fallback = landscape_page(
        f"{TITLE} {face.award.name_zh} {face.competition_name}",
        face.organiser_name,
        when,
        "".join(values) + face.verification_url,
    )
    title_block(pdf, TITLE, SUBTITLE)
    labelled_rows(pdf, LABELS, values, fallback, top=50.0, line=13.6, width=140)
    _medal(pdf, face.award)
    scan_block(pdf, face.verification_url, y=95, size=42)
    footnotes(pdf, FOOTNOTE, FOOTNOTE_EN)
    return attach_credential(
        pdf,
        credential_json,
        "the award's signed verifiable credential (full disclosure)",
        when,
    )
