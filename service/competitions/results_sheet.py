"""A finalised competition's results sheet (成绩表): every ranked entrant with group, rank,
component scores, total, standardised score and award, as the viewer may see them, and the same
as an XLSX workbook.

Who sees what is the leaderboard's rule (``service.competitions.leaderboard``): whether the
viewer may see the board at all is ``may_see_board``, each row is shaped by ``board_entry``
(names masked, no worker ids for those who do not see everything). The sheet is of the final
results only (``results-not-final`` before). No row carries an ID number: the results never
had one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from domain.competition import ALL_ENTRANTS, Competition
from domain.evaluation.scores import COMPONENT_NAMES_ZH
from domain.ranking import Award
from service.certificate_pdf.award_layout import AWARD_EN, GROUP_NAMES, TIER_NAMES
from service.competitions.leaderboard import Viewer, board_entry, may_see_board, sees_everything
from service.evaluations.exports import _header, _text
from service.problems import Problem

__all__ = [
    "ResultsSheet",
    "results_sheet",
    "results_workbook",
    "results_workbook_name",
    "summary_facts",
]


@dataclass(frozen=True)
class ResultsSheet:
    """The final results as one viewer may see them."""

    competition: Competition
    privileged: bool
    components: list[str]
    rows: list[dict[str, Any]]

    @property
    def groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The rows by ranking group, in ranking order (one group unless ranked apart)."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            grouped.setdefault(row["group"], []).append(row)
        return list(grouped.items())


def _row(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "worker_id": result["worker_id"],
        "group": result["group"],
        "group_size": result["group_size"],
        "rank": result["rank"],
        "tied": result["tied"],
        "entrant_number": result["entrant_number"],
        "name": result["name"],
        "entrant_kind": result["entrant_kind"],
        "employer_name": result["employer_name"],
        "components": {c["component"]: c["score"] for c in result["components"]},
        "total": result["total"],
        "standardised": result["standardised"],
        "award": result["award"],
    }


def results_sheet(competition: Competition, viewer: Viewer) -> ResultsSheet:
    """The final results as ``viewer`` may see them; refuses (``board-hidden``) whom the
    leaderboard rule does not let see the board (403, as the board), and before the results
    are published (``results-not-final``)."""
    if not may_see_board(competition, viewer):
        raise Problem(403, "forbidden", "the leaderboard is public once the results are final")
    competition.require_final()
    privileged = sees_everything(competition, viewer)
    rows = [board_entry(competition, viewer, _row(result)) for result in competition.results or ()]
    components = [c["name"] for c in (competition.marking_scheme or {}).get("components") or []]
    return ResultsSheet(competition, privileged, components, rows)


def summary_facts(ledger: Any, competition: Competition) -> list[tuple[str, object]]:
    """Who organised it, what and when, for the workbook's summary (both languages)."""
    organiser = ledger.organisation(competition.organiser_id)
    occupation = ledger.occupation(competition.occupation_code)
    finalised = competition.finalised_at
    return [
        ("职业（工种）Occupation", f"{occupation.name} {occupation.code}"),
        ("地区 Region", competition.region),
        ("组织单位 Organiser", organiser.name),
        ("成绩发布 Published", finalised.date().isoformat() if finalised else ""),
    ]


def results_workbook_name(competition: Competition) -> str:
    return f"results-{competition.reference}.xlsx"


def _component_title(name: str) -> str:
    chinese = COMPONENT_NAMES_ZH.get(name)
    return f"{chinese} {name}" if chinese else name


def results_workbook(sheet: ResultsSheet, facts: list[tuple[str, object]]) -> bytes:
    """The workbook: 概况 Summary (``facts`` and the competition's own), 成绩 Results (one row
    per ranked entrant, group by group). Cells are text or numbers, never formulas."""
    competition = sheet.competition
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("概况 Summary")
    tier_zh, tier_en = TIER_NAMES.get(competition.tier.value, (competition.tier.value, ""))
    for label, value in [
        ("竞赛名称 Competition", competition.name),
        ("编号 Reference", competition.reference),
        ("级别 Tier", f"{tier_zh} {tier_en}".strip()),
        ("年度 Year", competition.year),
        *facts,
        ("参赛人数 Entrants ranked", len(sheet.rows)),
    ]:
        summary.append([label, _text(value)])
    results = workbook.create_sheet("成绩 Results")
    _header(
        results,
        (
            "组别 Group",
            "名次 Rank",
            "并列 Tied",
            "参赛号 Entrant No.",
            "选手 Name",
            "单位 Employer or school",
            *(_component_title(name) for name in sheet.components),
            "总分 Total",
            "标准分 Standardised score",
            "奖项 Award",
        ),
    )
    for row in sheet.rows:
        award = Award(row["award"]) if row["award"] else None
        group = "全部 All" if row["group"] == ALL_ENTRANTS else GROUP_NAMES.get(row["group"])
        results.append(
            [
                group or row["group"],
                row["rank"],
                "是 yes" if row["tied"] else "",
                row["entrant_number"],
                _text(row["name"]),
                _text(row["employer_name"]),
                *(_number(row["components"].get(name)) for name in sheet.components),
                _number(row["total"]),
                row["standardised"],
                f"{award.name_zh} {AWARD_EN[award]}" if award else "",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number(text: str | None) -> float | str:
    """A score as a number (the recorded decimal text has at most a few places)."""
    return "" if text is None else float(text)
