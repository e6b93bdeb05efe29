"""Read models built from the one event log, each with its own tracked position.

``all_projections()`` lists the projections ``craftledger serve``, ``craftledger projections``
and ``craftledger replay`` run; see ``projections.runner`` for how they are kept up to date.

| projection | module | query object |
|---|---|---|
| ``directory`` | ``projections.directory`` | ``DirectoryQuery`` |
| ``worker_ladder`` | ``projections.worker_ladder`` | ``WorkerLadderQuery`` |
| ``honours`` | ``projections.honours`` | ``HonoursQuery`` |
| ``career_stage`` | ``projections.career_stage`` | ``CareerStageQuery`` |
| ``statistics`` | ``projections.statistics`` | ``StatisticsQuery`` |
| ``leaderboard`` | ``projections.leaderboard``, ``.leaderboard_query`` | ``LeaderboardQuery`` |
| ``transparency_log`` | ``projections.transparency_log`` | ``TransparencyLogQuery`` |
| ``calendars`` | ``projections.calendars`` | ``CalendarsQuery`` |
| ``evaluation_sessions`` | ``projections.evaluation_sessions`` | ``EvaluationSessionsQuery`` |
| ``publicity`` | ``projections.publicity`` | ``PublicityQuery`` (公示 and objections) |
| ``talents`` | ``projections.talents`` | ``TalentsQuery`` (人才库) |
| ``statistics_report`` | ``projections.statistics_report`` | ``StatisticsReportQuery`` (统计报表) |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.projection import Projection


def all_projections() -> list[Projection]:
    """A fresh instance of every projection, in a stable order."""
    from projections.calendars import Calendars
    from projections.career_stage import CareerStage
    from projections.directory import Directory
    from projections.evaluation_sessions import EvaluationSessions
    from projections.honours import Honours
    from projections.leaderboard import Leaderboard
    from projections.publicity import Publicity
    from projections.statistics import Statistics
    from projections.statistics_report import StatisticsReport
    from projections.talents import Talents
    from projections.transparency_log import TransparencyLog
    from projections.worker_ladder import WorkerLadder

    return [
        Directory(),
        WorkerLadder(),
        Honours(),
        CareerStage(),
        Statistics(),
        Leaderboard(),
        TransparencyLog(),
        Calendars(),
        EvaluationSessions(),
        Publicity(),
        Talents(),
        StatisticsReport(),
    ]
