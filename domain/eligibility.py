"""Eligibility routes (申报条件) for enrolling a candidate in a skill evaluation.

Who may sit an evaluation for a level is set by the occupation's national standard
(国家职业技能标准), and it changes between editions of the standard -- so routes are versioned
data, one **edition** per file, not code. A candidate is enrolled on one route; the route either
needs facts the ledger can check (levels held, years in the occupation, diplomas, professional
titles) or, for a **bypass**, an evidence reference:

========================== ========================================================================
kind                       needs
========================== ========================================================================
previous_level_plus_years  a level at least ``previous_level`` (below the target) in the occupation
                           or a related one, then ``years`` in the occupation counted from when it
                           was obtained (取得X级证书后，累计从事本职业或相关职业工作N年)
years_only                 ``years`` in the occupation or a related one (累计从事本职业工作N年)
diploma                    a relevant diploma of one of ``diploma_kinds`` (e.g. 技工院校 高级工班),
                           optionally with ``previous_level`` and ``years`` as above
title_plus_years           a professional title (职称) of at least ``min_title_grade``, then
                           ``years`` in the occupation counted from the title
direct_recognition         直接认定 -- a non-empty evidence reference
fast_track                 破格晋升 -- a non-empty evidence reference (+ ``previous_level`` if set)
competition_promotion      竞赛晋升 -- a non-empty evidence reference (the approved 核准 record)
========================== ========================================================================

For every route: the target level must be the route's, the occupation must be covered by the
route's edition, and the candidate must not already hold the target level (or higher) in the
occupation.

Counting years
--------------
Experience is a set of periods (start and end inclusive; an open period runs to ``on_date``).
"N years" counted from a date ``since`` up to ``on_date`` is met when the days worked in the
occupation (or a listed related occupation) in ``[since, on_date)`` -- overlapping periods counted
once -- are at least the days in the N calendar years before ``on_date``. For one unbroken period
that is the anniversary rule: someone in the occupation since 2020-03-01 has 4 years on
2024-03-01, not on 2024-02-29. N years before 29 February is taken as 28 February (the stricter
reading).

The routes themselves, their editions and data files are in ``domain.eligibility_editions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.eligibility_editions import (
    DiplomaKind,
    EligibilityRoute,
    RouteKind,
    StandardEdition,
    TitleGrade,
    find_edition,
    find_route,
    list_editions,
    parse_edition,
)
from domain.errors import DomainRuleViolation, InvalidValue
from domain.skill_level import SkillLevel

__all__ = [
    "CandidateFacts",
    "DiplomaFact",
    "DiplomaKind",
    "EligibilityResult",
    "EligibilityRoute",
    "ExperiencePeriod",
    "HeldLevel",
    "RouteKind",
    "StandardEdition",
    "TitleFact",
    "TitleGrade",
    "check_eligibility",
    "find_edition",
    "find_route",
    "list_editions",
    "parse_edition",
]

# --- candidate facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldLevel:
    """A currently valid certificate the candidate holds (revoked/suspended ones are left out)."""

    occupation_code: str
    level: SkillLevel
    obtained_on: date
    certificate_number: str = ""


@dataclass(frozen=True)
class ExperiencePeriod:
    """Time worked in an occupation; ``start`` and ``end`` inclusive, ``end=None`` = ongoing."""

    occupation_code: str
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise InvalidValue(
                "experience period",
                f"ends {self.end.isoformat()} before it starts {self.start.isoformat()}",
            )


@dataclass(frozen=True)
class DiplomaFact:
    """A diploma; ``awarded_on=None`` means a final-year student (在校应届毕业生).

    ``relevant`` records the body's finding that the major is 本专业或相关专业.
    """

    kind: DiplomaKind
    awarded_on: date | None
    relevant: bool = True
    reference: str = ""


@dataclass(frozen=True)
class TitleFact:
    """A professional title (职称), e.g. series ``"engineering"`` (工程技术), grade intermediate."""

    series: str
    grade: TitleGrade
    awarded_on: date
    relevant: bool = True


@dataclass(frozen=True)
class CandidateFacts:
    """What the enrolling body records about a candidate for one occupation."""

    occupation_code: str
    levels_held: tuple[HeldLevel, ...] = ()
    experience: tuple[ExperiencePeriod, ...] = ()
    diplomas: tuple[DiplomaFact, ...] = ()
    titles: tuple[TitleFact, ...] = ()
    evidence_reference: str = ""
    """Reference to the evidence for a bypass (approval document, competition result record)."""


@dataclass(frozen=True)
class EligibilityResult:
    """The outcome of checking one route: ``reasons`` say what failed, ``satisfied`` what held."""

    eligible: bool
    route_id: str
    route_kind: RouteKind
    edition: str
    target_level: SkillLevel
    on_date: date
    reasons: tuple[str, ...]
    satisfied: tuple[str, ...]

    def raise_if_ineligible(self) -> None:
        """Raise :class:`DomainRuleViolation` ``"candidate-ineligible"`` naming the route."""
        if not self.eligible:
            raise DomainRuleViolation(
                "candidate-ineligible",
                f"route {self.route_id} ({self.edition}) for {self.target_level.name_zh}: "
                + "; ".join(self.reasons),
            )


# --- checking ----------------------------------------------------------------------------------


def check_eligibility(
    route: EligibilityRoute, candidate: CandidateFacts, target_level: SkillLevel, on_date: date
) -> EligibilityResult:
    """Does ``candidate`` qualify for ``target_level`` on ``on_date`` by ``route``? Pure."""
    reasons: list[str] = []
    satisfied: list[str] = []
    occupation = candidate.occupation_code

    if route.target_level is not target_level:
        reasons.append(
            f"route {route.id} is for {route.target_level.name_zh}, not {target_level.name_zh}"
        )
    if route.occupations is not None and occupation not in route.occupations:
        reasons.append(f"route {route.id} ({route.edition_key}) does not cover {occupation}")

    already = [
        held
        for held in candidate.levels_held
        if held.occupation_code == occupation
        and held.level >= target_level
        and held.obtained_on <= on_date
    ]
    if already:
        top = max(already, key=lambda held: held.level.rank)
        reasons.append(
            f"already holds {top.level.name_zh} in {occupation} since {top.obtained_on.isoformat()}"
        )

    relevant = {occupation} | set(route.related_occupations)
    where = occupation if not route.related_occupations else f"{occupation} or a related occupation"

    if route.needs_evidence:
        if candidate.evidence_reference.strip():
            satisfied.append(f"evidence {candidate.evidence_reference.strip()!r}")
        else:
            reasons.append(f"{route.kind.value} needs an evidence reference; none given")

    anchor: date | None = None  # years are counted from here (None = all experience)
    anchor_text = ""
    years_checked = False
    if route.previous_level is not None:
        holdings = [
            held
            for held in candidate.levels_held
            if held.occupation_code in relevant
            and held.level >= route.previous_level
            # at or above the target counts only in a related occupation (same = "already holds")
            and (held.level < target_level or held.occupation_code != occupation)
            and held.obtained_on <= on_date
        ]
        if not holdings:
            reasons.append(
                f"needs {route.previous_level.name_zh} in {where}"
                + (f" held for {_years_text(route.years)}" if route.years else "")
                + "; holds none"
            )
            years_checked = True
        else:
            best = max(
                holdings,
                key=lambda held: _days_worked(
                    candidate.experience, relevant, held.obtained_on, on_date
                ),
            )
            anchor = best.obtained_on
            anchor_text = f"{best.level.name_zh} held since {best.obtained_on.isoformat()}"
            if route.years:
                days = _days_worked(candidate.experience, relevant, anchor, on_date)
                if days >= _days_in_years(on_date, route.years):
                    satisfied.append(f"{anchor_text}; {_span_text(days, on_date)} in {where}")
                else:
                    reasons.append(
                        f"needs {route.previous_level.name_zh} held for "
                        f"{_years_text(route.years)} in {where}; holds it since "
                        f"{best.obtained_on.isoformat()} ({_span_text(days, on_date)} counted)"
                    )
                years_checked = True
            else:
                satisfied.append(anchor_text)

    if route.kind is RouteKind.DIPLOMA:
        diplomas = [
            diploma
            for diploma in candidate.diplomas
            if diploma.kind in route.diploma_kinds
            and diploma.relevant
            and (
                (diploma.awarded_on is not None and diploma.awarded_on <= on_date)
                or (diploma.awarded_on is None and route.accepts_final_year_students)
            )
        ]
        wanted = " or ".join(kind.name_zh for kind in sorted(route.diploma_kinds))
        if diplomas:
            diploma = diplomas[0]
            satisfied.append(
                f"diploma {diploma.kind.name_zh}"
                + (
                    f" awarded {diploma.awarded_on.isoformat()}"
                    if diploma.awarded_on is not None
                    else " (final-year student)"
                )
            )
        else:
            held = ", ".join(
                d.kind.name_zh
                + (" (not relevant)" if not d.relevant else "")
                + (" (final-year student)" if d.awarded_on is None else "")
                for d in candidate.diplomas
            )
            reasons.append(
                f"needs a relevant diploma: {wanted}"
                + (" (final-year students accepted)" if route.accepts_final_year_students else "")
                + f"; holds {held or 'none'}"
            )

    if route.kind is RouteKind.TITLE_PLUS_YEARS and route.min_title_grade is not None:
        minimum = route.min_title_grade
        titles = [
            title
            for title in candidate.titles
            if title.grade.rank >= minimum.rank
            and title.relevant
            and (route.title_series is None or title.series in route.title_series)
            and title.awarded_on <= on_date
        ]
        series = "" if route.title_series is None else f" ({'/'.join(sorted(route.title_series))})"
        if not titles:
            reasons.append(f"needs a relevant {minimum.name_zh} or higher{series}; holds none")
            years_checked = True
        else:
            title = max(
                titles,
                key=lambda t: _days_worked(candidate.experience, relevant, t.awarded_on, on_date),
            )
            anchor = title.awarded_on
            anchor_text = (
                f"{title.grade.name_zh} ({title.series}) since {title.awarded_on.isoformat()}"
            )
            satisfied.append(anchor_text)

    if route.years and not years_checked:
        days = _days_worked(candidate.experience, relevant, anchor, on_date)
        since = f" since {anchor.isoformat()}" if anchor is not None else ""
        if days >= _days_in_years(on_date, route.years):
            satisfied.append(f"{_span_text(days, on_date)} in {where}{since}")
        else:
            reasons.append(
                f"needs {_years_text(route.years)} in {where}{since}; "
                f"{_span_text(days, on_date)} counted"
            )

    return EligibilityResult(
        eligible=not reasons,
        route_id=route.id,
        route_kind=route.kind,
        edition=route.edition_key,
        target_level=target_level,
        on_date=on_date,
        reasons=tuple(reasons),
        satisfied=tuple(satisfied),
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year: take 28 February (stricter)
        return day.replace(year=day.year - years, day=28)


def _days_in_years(on_date: date, years: int) -> int:
    """Days in the ``years`` calendar years before ``on_date``."""
    return (on_date - _years_before(on_date, years)).days


def _days_worked(
    periods: Iterable[ExperiencePeriod],
    occupations: set[str],
    since: date | None,
    on_date: date,
) -> int:
    """Days in ``[since, on_date)`` covered by periods in ``occupations``, overlaps once."""
    last = on_date - timedelta(days=1)
    spans: list[tuple[date, date]] = []
    for period in periods:
        if period.occupation_code not in occupations:
            continue
        start = period.start if since is None else max(period.start, since)
        end = last if period.end is None else min(period.end, last)
        if start <= end:
            spans.append((start, end))
    spans.sort()
    total = 0
    current: tuple[date, date] | None = None
    for start, end in spans:
        if current is not None and start <= current[1] + timedelta(days=1):
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            total += (current[1] - current[0]).days + 1
        current = (start, end)
    if current is not None:
        total += (current[1] - current[0]).days + 1
    return total


def _years_text(years: int) -> str:
    return f"{years} year" + ("" if years == 1 else "s")


def _span_text(days: int, on_date: date) -> str:
    """``days`` as completed years and months ending at ``on_date`` (for messages)."""
    start = on_date - timedelta(days=days)
    months = (on_date.year - start.year) * 12 + on_date.month - start.month
    if on_date.day < start.day:
        months -= 1
    months = max(months, 0)
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(_years_text(years))
    if months or not years:
        parts.append(f"{months} month" + ("" if months == 1 else "s"))
    return " ".join(parts)
