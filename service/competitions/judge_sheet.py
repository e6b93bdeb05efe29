"""What a judge (裁判) of a competition sees of one component: their marking sheet.

A judge's account is scoped to one competition (``AccountRole.JUDGE``); its panels say which
components the judge's login marks and under which name (``Competition.panel_judge``). The
sheet lists the active entrants by entrant number only -- judges mark blind, by 参赛号, as at
the venue -- with the judge's OWN mark of each; other judges' marks appear only once the
component is locked (封分), so no judge is swayed by another's. It says how far the judge is
(已评 N / M), whether they have submitted their marks (``MarksSubmitted``) and when.

Pages (``service.pages.judge``) and any other entry point ask :func:`judge_sheet`; ``None``
means the login marks nothing there (answered as not found, like any out-of-scope address).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.competition import Competition

__all__ = ["JudgeRow", "JudgeSheet", "judge_sheet", "judge_sheets"]


@dataclass(frozen=True)
class JudgeRow:
    """One entrant as a judge sees them: number, own mark, others' marks once locked."""

    worker_id: UUID
    entrant_number: int
    mark: str | None
    others: dict[str, str]  # judge name -> mark; empty until the component is locked


@dataclass(frozen=True)
class JudgeSheet:
    competition_id: UUID
    competition_name: str
    component: str
    judge: str  # the name the judge's marks are recorded under
    rows: list[JudgeRow]
    locked: bool
    submitted_at: datetime | None
    final: bool

    @property
    def marked(self) -> int:
        return sum(1 for row in self.rows if row.mark is not None)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def open(self) -> bool:
        """Whether the component still takes marks (not locked, results not final)."""
        return not (self.locked or self.final)

    def editable(self, row: JudgeRow) -> bool:
        """Whether the judge may record or change their mark of ``row``: before submitting,
        any; after it, only an entrant's they have not marked (one registered since)."""
        return self.open and (not self.submitted or row.mark is None)

    @property
    def may_submit(self) -> bool:
        return self.open and not self.submitted and self.total > 0 and self.marked == self.total

    def row(self, worker_id: UUID | str) -> JudgeRow | None:
        return next((r for r in self.rows if str(r.worker_id) == str(worker_id)), None)

    def index_of(self, worker_id: UUID | str) -> int | None:
        return next(
            (i for i, r in enumerate(self.rows) if str(r.worker_id) == str(worker_id)), None
        )

    def first_unmarked(self) -> int:
        """Where to start: the first entrant without the judge's mark (else the first)."""
        return next((i for i, r in enumerate(self.rows) if r.mark is None), 0)


def judge_sheets(competition: Competition, login: str) -> list[JudgeSheet]:
    """The sheets of every component ``login`` marks in ``competition``."""
    sheets = (judge_sheet(competition, c, login) for c in competition.components_of(login))
    return [sheet for sheet in sheets if sheet is not None]


def judge_sheet(competition: Competition, component: str, login: str) -> JudgeSheet | None:
    """The judge's sheet of ``component``; None when ``login`` is on no panel of it."""
    judge = competition.panel_judge(component, login)
    if judge is None:
        return None
    locked = component in competition.locks
    rows = []
    for entrant in competition.active_entrants():
        marks = competition.component_marks(entrant["worker_id"], component)
        own = marks.pop(judge, None)
        rows.append(
            JudgeRow(
                worker_id=UUID(entrant["worker_id"]),
                entrant_number=entrant["entrant_number"],
                mark=own,
                others=dict(sorted(marks.items())) if locked else {},
            )
        )
    rows.sort(key=lambda row: row.entrant_number)
    submitted = competition.submitted.get(component, {}).get(judge)
    return JudgeSheet(
        competition_id=competition.id,
        competition_name=competition.name,
        component=component,
        judge=judge,
        rows=rows,
        locked=locked,
        submitted_at=submitted,
        final=competition.is_final,
    )
