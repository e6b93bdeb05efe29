"""Competition leaderboards (成绩榜): live during marking for organisers, final results after.

Projection ``Leaderboard`` (name ``"leaderboard"``); query ``LeaderboardQuery(store)``
(``projections.leaderboard_query``)::

    query.competition(competition_id) -> dict | None
        {"id", "organiser_id", "reference", "name", "tier", "occupation_code", "exam_level",
         "year", "region", "status", "entrants", "components": [names], "locked": [names],
         "separate_groups", "announced_at", "finalised_at"}
    query.list_competitions(after=None, limit=50, organiser_id=None, year=None, status=None,
                            tier=None, occupation_code=None) -> Page
        the same dicts, newest year first, then by id
    query.board(competition_id, after=None, limit=50, group=None, ranked=True) -> Page
        Page.extra: {"competition_id", "final": bool, "groups": [...]}
        items: {"group", "rank", "entrant_number", "worker_id", "name", "entrant_kind",
                "employer_name", "total", "standardised", "award", "tied",
                "components": {name: score | None}, "flagged": [components needing review],
                "complete": bool}

Live board (status ``announced``/``marking``): each entrant's component scores are combined
from the judges' marks as they stand (``MarkingScheme.score_component``: mean or trimmed mean,
spread flag) once the component is complete -- marked by every judge of its panel, or without a
panel by enough judges for the scheme (``domain.competition_marks.component_complete``, the rule
the lock applies) -- and, once every component has a score, the weighted total (``complete``).
The board ranks the entrants with a total by the competition's stated tie-breaks
(``domain.ranking.rank_entrants``; per group when employees and students are ranked apart);
entrants still missing a score follow, unranked (or, ``ranked=False``, every entrant in
number order). Ranks, awards and standardised scores are provisional. Withdrawn entrants are
not listed.

Final board (status ``finalised``): exactly the results stored in the ``Finalised`` event,
ordered by group, rank and entrant number -- never recomputed, so they never change.

Who may see which board, and how much of it, is ``service.competitions.leaderboard``'s
decision (organisers, admins and auditors the live one; the public as the organiser chose;
everyone the final one).

Tables (keys text; numbers as decimal text, never floats)::

    leaderboard_competition(id PK, organiser_id, reference, name, tier, occupation_code,
                            exam_level, year, region, scheme JSON, tie_breaks JSON,
                            separate_groups, status, entrants, locked JSON, announced_at,
                            finalised_at, panels JSON)               index (year, id)
    leaderboard_worker(id PK, name)
    leaderboard_entrant(competition_id, worker_id PK, entrant_number, name, entrant_kind,
                        employer_name, withdrawn, finish_time, total)
    leaderboard_mark(competition_id, worker_id, component, judge PK, mark)
    leaderboard_score(competition_id, worker_id, component PK, score, judge_count, spread,
                      flagged, reviewed)
    leaderboard_result(competition_id, worker_id PK, group_order, grp, rank, entrant_number,
                       name, entrant_kind, employer_name, group_size, total, standardised,
                       award, tied, components JSON)
                                    index (competition_id, group_order, rank, entrant_number)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from domain.competition import CompetitionStatus
from domain.competition_marks import component_complete, minimum_judges
from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import MarkingScheme
from projections.projection import (
    Projection,
    RecordedEvent,
    handles,
    iso_datetime,
    text_id,
    to_json,
)
from projections.store import Transaction

TOPIC = "craftledger:Competition."
GROUP_ORDER = {"all": 0, "employee": 1, "student": 2}
STATUSES = tuple(CompetitionStatus)


def stored_scheme(text: str | None) -> MarkingScheme | None:
    """The stored scheme, or None for an announcement that predates valid schemes."""
    if not text:
        return None
    try:
        return MarkingScheme.from_dict(json.loads(text))
    except (InvalidValue, DomainRuleViolation):
        return None


class Leaderboard(Projection):
    """Live and final competition leaderboards."""

    name = "leaderboard"
    version = 2  # 2: judging panels (a component is scored once every panel judge has marked)
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "leaderboard_competition": ("id",),
        "leaderboard_worker": ("id",),
        "leaderboard_entrant": ("competition_id", "worker_id"),
        "leaderboard_mark": ("competition_id", "worker_id", "component", "judge"),
        "leaderboard_score": ("competition_id", "worker_id", "component"),
        "leaderboard_result": ("competition_id", "worker_id"),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS leaderboard_competition (
            id {key_text} PRIMARY KEY,
            organiser_id {key_text} NOT NULL,
            reference TEXT NOT NULL,
            name TEXT NOT NULL,
            tier TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            exam_level TEXT NOT NULL,
            year INTEGER NOT NULL,
            region TEXT NOT NULL,
            scheme TEXT NOT NULL,
            tie_breaks TEXT,
            separate_groups INTEGER NOT NULL,
            status TEXT NOT NULL,
            entrants INTEGER NOT NULL,
            locked TEXT NOT NULL,
            announced_at TEXT NOT NULL,
            finalised_at TEXT,
            panels TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX IF NOT EXISTS leaderboard_competition_by_year"
        " ON leaderboard_competition (year, id)",
        """CREATE TABLE IF NOT EXISTS leaderboard_worker (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_entrant (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            entrant_number INTEGER NOT NULL,
            name TEXT NOT NULL,
            entrant_kind TEXT NOT NULL,
            employer_name TEXT NOT NULL,
            withdrawn TEXT,
            finish_time TEXT,
            total TEXT,
            PRIMARY KEY (competition_id, worker_id)
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_mark (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            component {key_text} NOT NULL,
            judge {key_text} NOT NULL,
            mark TEXT NOT NULL,
            PRIMARY KEY (competition_id, worker_id, component, judge)
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_score (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            component {key_text} NOT NULL,
            score TEXT,
            judge_count INTEGER NOT NULL,
            spread TEXT NOT NULL,
            flagged INTEGER NOT NULL,
            reviewed INTEGER NOT NULL,
            PRIMARY KEY (competition_id, worker_id, component)
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_result (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            group_order INTEGER NOT NULL,
            grp TEXT NOT NULL,
            rank INTEGER NOT NULL,
            entrant_number INTEGER NOT NULL,
            name TEXT NOT NULL,
            entrant_kind TEXT NOT NULL,
            employer_name TEXT NOT NULL,
            group_size INTEGER NOT NULL,
            total TEXT NOT NULL,
            standardised INTEGER NOT NULL,
            award TEXT,
            tied INTEGER NOT NULL,
            components TEXT NOT NULL,
            PRIMARY KEY (competition_id, worker_id)
        )""",
        "CREATE INDEX IF NOT EXISTS leaderboard_result_by_rank"
        " ON leaderboard_result (competition_id, group_order, rank, entrant_number)",
    )

    # -- workers (for names of entrants registered without one) ------------------------------

    @handles("craftledger:Worker.Registered", "craftledger:Worker.NameCorrected")
    def worker_named(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.upsert(
            "leaderboard_worker",
            ("id",),
            {"id": event.aggregate_id, "name": tx.seal(event["name"])},
        )

    # -- competitions --------------------------------------------------------------------------

    @handles(TOPIC + "Announced")
    def announced(self, tx: Transaction, event: RecordedEvent) -> None:
        tie_breaks = event.get("tie_breaks")
        tx.execute(
            "INSERT INTO leaderboard_competition (id, organiser_id, reference, name, tier,"
            " occupation_code, exam_level, year, region, scheme, tie_breaks, separate_groups,"
            " status, entrants, locked, announced_at) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '[]', ?)",
            (
                event.aggregate_id,
                text_id(event["organiser_id"]),
                event["reference"],
                event["name"],
                event["tier"],
                event["occupation_code"],
                event["exam_level"],
                int(event["year"]),
                event["region"],
                to_json(event["marking_scheme"]),
                None if tie_breaks is None else to_json(tie_breaks),
                int(bool(event.get("separate_groups", False))),
                CompetitionStatus.ANNOUNCED.value,
                iso_datetime(event.timestamp),
            ),
        )

    @handles(TOPIC + "JudgesAssigned")
    def judges_assigned(self, tx: Transaction, event: RecordedEvent) -> None:
        """A component's panel replaced: its entrants' scores are complete by the new panel."""
        competition, component = event.aggregate_id, event["component"]
        panels = self._panels_of(tx, competition)
        panels[component] = event["judges"]
        tx.execute(
            "UPDATE leaderboard_competition SET panels = ? WHERE id = ?",
            (to_json(panels), competition),
        )
        scheme = self._scheme_of(tx, competition)
        marked = tx.rows(
            "SELECT DISTINCT worker_id FROM leaderboard_mark WHERE competition_id = ?"
            " AND component = ?",
            (competition, component),
        )
        for (worker_id,) in marked:
            self._rescore(tx, competition, worker_id, component, scheme, panels)

    @handles(TOPIC + "EntrantRegistered")
    def entrant_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = text_id(event["worker_id"])
        # names are kept sealed when the store seals (``projections.sealing``)
        name = tx.seal(event.get("name")) or tx.value(
            "SELECT name FROM leaderboard_worker WHERE id = ?", (worker_id,), default=""
        )
        number = event.get("entrant_number") or 1 + int(
            tx.value(
                "SELECT COUNT(*) FROM leaderboard_entrant WHERE competition_id = ?",
                (event.aggregate_id,),
                default=0,
            )
        )
        inserted = tx.execute(
            "INSERT INTO leaderboard_entrant (competition_id, worker_id, entrant_number, name,"
            " entrant_kind, employer_name) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (competition_id, worker_id) DO NOTHING",
            (
                event.aggregate_id,
                worker_id,
                int(number),
                name,
                event.get("entrant_kind") or "employee",
                event.get("employer_name") or "",
            ),
        )
        if inserted:
            tx.execute(
                "UPDATE leaderboard_competition SET entrants = entrants + 1 WHERE id = ?",
                (event.aggregate_id,),
            )

    @handles(TOPIC + "EntrantWithdrawn")
    def entrant_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE leaderboard_entrant SET withdrawn = ? WHERE competition_id = ?"
            " AND worker_id = ?",
            (tx.seal(event["reason"]), event.aggregate_id, text_id(event["worker_id"])),
        )
        tx.execute(
            "UPDATE leaderboard_competition SET entrants = entrants - 1 WHERE id = ?",
            (event.aggregate_id,),
        )

    @handles(TOPIC + "MarksRecorded")
    def marks_recorded(self, tx: Transaction, event: RecordedEvent) -> None:
        competition = event.aggregate_id
        for mark in event["marks"]:
            self._store_mark(tx, competition, mark["worker_id"], mark["component"], mark)
        touched = dict.fromkeys((m["worker_id"], m["component"]) for m in event["marks"])
        scheme, panels = self._scheme_of(tx, competition), self._panels_of(tx, competition)
        for worker_id, component in touched:
            self._rescore(tx, competition, worker_id, component, scheme, panels)
        tx.execute(
            "UPDATE leaderboard_competition SET status = ? WHERE id = ? AND status = ?",
            (CompetitionStatus.MARKING.value, competition, CompetitionStatus.ANNOUNCED.value),
        )

    @handles(TOPIC + "MarkCorrected")
    def mark_corrected(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = text_id(event["worker_id"])
        assert worker_id is not None
        self._store_mark(tx, event.aggregate_id, worker_id, event["component"], event.data)
        scheme, panels = (
            self._scheme_of(tx, event.aggregate_id),
            self._panels_of(tx, event.aggregate_id),
        )
        self._rescore(tx, event.aggregate_id, worker_id, event["component"], scheme, panels)

    @staticmethod
    def _store_mark(
        tx: Transaction, competition: str, worker_id: str, component: str, mark: Mapping[str, Any]
    ) -> None:
        tx.upsert(
            "leaderboard_mark",
            ("competition_id", "worker_id", "component", "judge"),
            {
                "competition_id": competition,
                "worker_id": worker_id,
                "component": component,
                "judge": mark["judge"],
                "mark": mark["mark"],
            },
        )

    @staticmethod
    def _scheme_of(tx: Transaction, competition: str) -> MarkingScheme | None:
        return stored_scheme(
            tx.value("SELECT scheme FROM leaderboard_competition WHERE id = ?", (competition,))
        )

    @staticmethod
    def _panels_of(tx: Transaction, competition: str) -> dict[str, Any]:
        """The competition's judging panels: component -> [{"name", "login"}]."""
        return dict(
            json.loads(
                tx.value(
                    "SELECT panels FROM leaderboard_competition WHERE id = ?",
                    (competition,),
                    default=None,
                )
                or "{}"
            )
        )

    @staticmethod
    def _rescore(
        tx: Transaction,
        competition: str,
        worker_id: str,
        component: str,
        scheme: MarkingScheme | None,
        panels: Mapping[str, Any],
    ) -> None:
        """The entrant's score on ``component`` (and total) from the marks as they stand."""
        if scheme is None or component not in scheme.component_names:
            return
        marks = dict(
            tx.rows(
                "SELECT judge, mark FROM leaderboard_mark WHERE competition_id = ?"
                " AND worker_id = ? AND component = ?",
                (competition, worker_id, component),
            )
        )
        values = [Decimal(mark) for mark in marks.values()]
        complete = component_complete(marks, panels.get(component), minimum_judges(scheme))
        scored = scheme.score_component(component, marks) if complete else None
        tx.upsert(
            "leaderboard_score",
            ("competition_id", "worker_id", "component"),
            {
                "competition_id": competition,
                "worker_id": worker_id,
                "component": component,
                "score": None if scored is None else format(scored.score, "f"),
                "judge_count": len(marks),
                "spread": format(max(values) - min(values), "f"),
                "flagged": int(scored is not None and scored.flagged),
                "reviewed": 0,
            },
        )
        scores = dict(
            tx.rows(
                "SELECT component, score FROM leaderboard_score WHERE competition_id = ?"
                " AND worker_id = ? AND score IS NOT NULL",
                (competition, worker_id),
            )
        )
        total = None
        if set(scheme.component_names) <= set(scores):
            total = format(
                scheme.total_of({name: Decimal(scores[name]) for name in scheme.component_names}),
                "f",
            )
        tx.execute(
            "UPDATE leaderboard_entrant SET total = ? WHERE competition_id = ? AND worker_id = ?",
            (total, competition, worker_id),
        )

    @handles(TOPIC + "SpreadReviewed")
    def spread_reviewed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE leaderboard_score SET reviewed = 1 WHERE competition_id = ?"
            " AND worker_id = ? AND component = ?",
            (event.aggregate_id, text_id(event["worker_id"]), event["component"]),
        )

    @handles(TOPIC + "FinishTimeRecorded")
    def finish_time_recorded(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE leaderboard_entrant SET finish_time = ? WHERE competition_id = ?"
            " AND worker_id = ?",
            (
                iso_datetime(event["finished_at"]),
                event.aggregate_id,
                text_id(event["worker_id"]),
            ),
        )

    @handles(TOPIC + "ComponentLocked")
    def component_locked(self, tx: Transaction, event: RecordedEvent) -> None:
        locked = json.loads(
            tx.value(
                "SELECT locked FROM leaderboard_competition WHERE id = ?",
                (event.aggregate_id,),
                default="[]",
            )
        )
        locked.append(event["component"])
        tx.execute(
            "UPDATE leaderboard_competition SET locked = ? WHERE id = ?",
            (to_json(locked), event.aggregate_id),
        )

    @handles(TOPIC + "Finalised")
    def finalised(self, tx: Transaction, event: RecordedEvent) -> None:
        competition = event.aggregate_id
        tx.execute(
            "UPDATE leaderboard_competition SET status = ?, finalised_at = ? WHERE id = ?",
            (CompetitionStatus.FINALISED.value, iso_datetime(event["at"]), competition),
        )
        tx.execute("DELETE FROM leaderboard_result WHERE competition_id = ?", (competition,))
        tx.executemany(
            "INSERT INTO leaderboard_result (competition_id, worker_id, group_order, grp, rank,"
            " entrant_number, name, entrant_kind, employer_name, group_size, total,"
            " standardised, award, tied, components)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    competition,
                    result["worker_id"],
                    GROUP_ORDER.get(result["group"], 9),
                    result["group"],
                    int(result["rank"]),
                    int(result["entrant_number"]),
                    tx.seal(result.get("name") or ""),
                    result["entrant_kind"],
                    result["employer_name"],
                    int(result["group_size"]),
                    result["total"],
                    int(result["standardised"]),
                    result["award"],
                    int(bool(result["tied"])),
                    to_json({c["component"]: c["score"] for c in result["components"]}),
                )
                for result in event["results"]
            ],
        )


# -- queries ---------------------------------------------------------------------------------------
