"""Standings and published results of a competition (成绩): per ranking group, each entrant's
component scores and total, the ranking with the stated tie-breaks, awards and standardised
scores -- computed from the marks (pure), then stored as the rows of the ``Finalised`` event.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.competition_marks import listed
from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import EntrantScore, MarkingScheme
from domain.promotion_proposal import PromotionProposal
from domain.promotion_rules import EntrantKind
from domain.ranking import EntrantResult, RankedEntrant, Ranking, TieBreakOrder, rank_entrants

__all__ = [
    "ALL_ENTRANTS",
    "Standings",
    "check_facts",
    "check_finalisable",
    "compute_standings",
    "published_results",
    "rankings_in_order",
]

#: The ranking group of a competition that ranks everyone together.
ALL_ENTRANTS = "all"


@dataclass(frozen=True)
class Standings:
    """Scores and rankings computed from a competition's marks at one version.

    ``scores`` maps worker id (text) to the entrant's :class:`EntrantScore`; ``rankings`` maps
    each ranking group (``"all"``, or ``"employee"`` and ``"student"``) to its
    :class:`~domain.ranking.Ranking`. ``version`` is the competition version they were computed
    at: ``Competition.finalise`` refuses standings of another version.
    """

    version: int
    scores: Mapping[str, EntrantScore]
    rankings: Mapping[str, Ranking]
    groups: Mapping[str, str]  # worker id -> ranking group
    #: The engine's answers without worker facts (no level, none granted), by worker id, as
    #: ``Competition.promotion_candidates`` asked them: finalising reuses them for every
    #: entrant that is not a candidate, or is one holding no level and granted no promotion
    #: this year (the same question), instead of asking again.
    answers_without_facts: dict[str, PromotionProposal] = field(
        default_factory=dict, compare=False, repr=False
    )

    def group_of(self, worker_id: str) -> str:
        return self.groups[worker_id]


def compute_standings(
    *,
    version: int,
    entrants: Sequence[Mapping[str, Any]],
    marks: Mapping[str, Mapping[str, Mapping[str, str]]],
    finish_times: Mapping[str, datetime],
    scheme: MarkingScheme,
    order: TieBreakOrder,
    group_of: Callable[[str], str],
) -> Standings:
    """Score and rank the active ``entrants`` (in registration order) from their ``marks``;
    ``group_of`` gives an entrant kind's ranking group."""
    scores: dict[str, EntrantScore] = {}
    grouped: dict[str, list[EntrantResult]] = {}
    groups: dict[str, str] = {}
    for entrant in entrants:
        key = entrant["worker_id"]
        score = scheme.score_entrant(marks.get(key, {}))
        scores[key] = score
        group = group_of(entrant["entrant_kind"])
        groups[key] = group
        grouped.setdefault(group, []).append(
            EntrantResult(
                entrant_id=key,
                total=score.total,
                component_scores=score.component_scores(),
                finish_time=finish_times.get(key),
            )
        )
    rankings = {group: rank_entrants(results, order) for group, results in grouped.items()}
    return Standings(version=version, scores=scores, rankings=rankings, groups=groups)


def check_finalisable(
    scheme: MarkingScheme, locks: Collection[str], standings: Standings, version: int
) -> None:
    """Refuse to publish results before every component is locked, or from standings computed
    at another version of the competition than ``version``."""
    unlocked = [c for c in scheme.component_names if c not in locks]
    if unlocked:
        raise DomainRuleViolation(
            "components-not-locked",
            f"lock every component before the results; not locked: {', '.join(unlocked)}",
        )
    if standings.version != version:
        raise DomainRuleViolation(
            "standings-outdated",
            f"the standings were computed at version {standings.version}, the competition "
            f"is at {version}",
        )


def check_facts(
    candidates: Collection[str],
    current_levels: Mapping[str, Any],
    promotions_granted: Mapping[str, int],
) -> None:
    """Refuse to publish promotions without every candidate's current level and yearly count."""
    wanted = set(candidates)
    missing = sorted(wanted - set(current_levels) | wanted - set(promotions_granted))
    if missing:
        raise InvalidValue(
            "promotion facts", f"no current level or yearly count for {listed(missing)}"
        )


def rankings_in_order(standings: Standings) -> list[tuple[str, Ranking]]:
    """The groups' rankings in a stable order: all, employee, student."""
    order = {ALL_ENTRANTS: 0, EntrantKind.EMPLOYEE.value: 1, EntrantKind.STUDENT.value: 2}
    return sorted(standings.rankings.items(), key=lambda item: order.get(item[0], 9))


def published_results(
    standings: Standings,
    *,
    entrants: Mapping[str, Mapping[str, Any]],
    finish_times: Mapping[str, datetime],
    promotion_of: Callable[[RankedEntrant, Ranking], dict[str, Any]] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The result rows and group summaries the ``Finalised`` event stores, groups in
    :func:`rankings_in_order`, entrants by rank; ``promotion_of`` answers each entrant's
    promotion (None without a rule set: no promotions)."""
    results: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for group, ranking in rankings_in_order(standings):
        groups.append(
            {
                "group": group,
                "entrant_count": ranking.entrant_count,
                "scale": ranking.scale.to_dict(),
            }
        )
        for entry in ranking.entries:
            key = entry.entrant_id
            entrant = entrants[key]
            finish = finish_times.get(key)
            results.append(
                {
                    "worker_id": key,
                    "entrant_number": entrant["entrant_number"],
                    "name": entrant["name"],
                    "entrant_kind": entrant["entrant_kind"],
                    "employer_name": entrant["employer_name"],
                    "group": group,
                    "group_size": ranking.entrant_count,
                    "rank": entry.rank,
                    "tied": entry.tied,
                    "separated_by": entry.separated_by,
                    "total": format(entry.total, "f"),
                    "standardised": entry.standardised,
                    "award": None if entry.award is None else entry.award.value,
                    "components": [c.to_dict() for c in standings.scores[key].components],
                    "finish_time": None if finish is None else finish.isoformat(),
                    "promotion": None if promotion_of is None else promotion_of(entry, ranking),
                }
            )
    return results, groups
