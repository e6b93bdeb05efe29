"""Competition: one labour and skill competition (劳动和技能竞赛 / 技术比武) and its promotions.

Life of a competition (every step an event, nothing ever edited)::

    announced ──register entrants──▶ marking ──lock every component──▶ finalise ──▶ finalised
                                                                                    │
                              approve (核准) or reject each promotion proposal ◀────┘

Announcement
    Organiser (a union or bureau), the issuing body for promotion certificates, tier, occupation,
    exam level (命题层级), year, region, the marking scheme (:class:`~domain.marking_scheme.
    MarkingScheme`, stored in its JSON form), the tie-break order (:class:`~domain.ranking.
    TieBreakOrder`; by default the components by descending weight, then the earlier finish),
    the promotion rule set by name (:func:`~domain.promotion_rule_sets.find_rule_set`), an
    optional programme (e.g. 全国技能大赛) and whether employees and students are ranked as
    separate groups (职工组/学生组).

Entrants
    Registered workers, each an employee (职工) or a student (学生) with the employer (or school)
    they compete for; numbered 1, 2, 3 … in registration order. Registration closes when the
    first component is locked. An entrant may be withdrawn (缺考, 取消资格) with a reason until the
    results are final; a withdrawn entrant is not ranked.

Marks
    Each named judge marks each component once (0..100 on the 0.01 grid). A mark is changed only
    by a correction, which records the previous mark and a reason -- never an edit. When the
    judges' spread for a component exceeds the scheme's ``max_spread`` the component is flagged;
    it must be reviewed (复核: a correction, or a recorded review confirming the marks as they
    stand) before the component can be locked. A review confirms exactly the marks it saw: a
    later mark or correction needs a new review.

Lock
    Locking a component (封分) freezes its marks: later marks and corrections are refused. Every
    active entrant needs marks from enough judges (three for a trimmed mean, one for a mean) and
    no unreviewed flag.

Finalisation
    Needs every component locked. Computes, per ranking group, each entrant's component scores
    and total (:meth:`MarkingScheme.score_entrant`), the ranking with the stated tie-breaks,
    awards and standardised scores (:func:`~domain.ranking.rank_entrants`), and -- with a rule
    set -- the promotion engine's answer for each entrant
    (:func:`~domain.promotion_rules.propose_promotion`) given the worker's current level in the
    occupation and the competition promotions already granted to them that year (facts the
    application reads from the ledger). Everything is stored in the ``Finalised`` event, so the
    published results never change when the code changes.

Promotions
    A proposal becomes a certificate only when an admin approves it (核准). On approval the
    engine is run again with the facts of that moment: if the worker has meanwhile used their
    yearly competition promotion, or their level changed so that the rule now gives something
    else, the approval is refused (the proposal can then be rejected with a reason). The
    certificate is issued by the competition's issuing body with the competition as its basis
    (:meth:`Competition.promotion_basis`) and saved with the approval in one atomic save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import require_reason
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate
from domain.marking_scheme import (
    EntrantScore,
    JudgeCombination,
    MarkingScheme,
    parse_mark,
)
from domain.occupation import find_occupation
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus
from domain.promotion_rule_sets import find_rule_set
from domain.promotion_rules import (
    CompetitionTier,
    EntrantKind,
    PromotionOutcome,
    PromotionProposal,
    PromotionRuleSet,
    propose_promotion,
)
from domain.ranking import EntrantResult, RankedEntrant, Ranking, TieBreakOrder, rank_entrants
from domain.skill_level import SkillLevel

__all__ = [
    "ALL_ENTRANTS",
    "Competition",
    "CompetitionStatus",
    "CompetitionTier",
    "EntrantKind",
    "MarkEntry",
    "Standings",
    "default_tie_breaks",
]

#: The ranking group of a competition that ranks everyone together.
ALL_ENTRANTS = "all"

#: Longest judge name accepted.
MAX_JUDGE_NAME = 100
#: How many offending entrants a refusal names before saying "and N more".
_NAMED_IN_REFUSAL = 5
#: Years a competition may be announced for.
_YEARS = range(1949, 2101)


class CompetitionStatus(StrEnum):
    """Where a competition is in its life."""

    ANNOUNCED = "announced"  # registration open, nothing marked yet
    MARKING = "marking"  # at least one mark recorded
    FINALISED = "finalised"  # results computed and published


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"  # awaiting the HR bureau's approval (待核准)
    APPROVED = "approved"  # 核准: certificate issued
    REJECTED = "rejected"  # not approved, with a reason


@dataclass(frozen=True)
class MarkEntry:
    """One judge's mark for one entrant on one component (as given to :meth:`record_marks`)."""

    worker_id: UUID
    component: str
    judge: str
    mark: object  # Decimal, int or decimal string; floats are refused


@dataclass(frozen=True)
class Standings:
    """Scores and rankings computed from a competition's marks at one version.

    ``scores`` maps worker id (text) to the entrant's :class:`EntrantScore`; ``rankings`` maps
    each ranking group (``"all"``, or ``"employee"`` and ``"student"``) to its
    :class:`~domain.ranking.Ranking`. ``version`` is the competition version they were computed
    at: :meth:`Competition.finalise` refuses standings of another version.
    """

    version: int
    scores: Mapping[str, EntrantScore]
    rankings: Mapping[str, Ranking]
    groups: Mapping[str, str]  # worker id -> ranking group
    #: The engine's answers without worker facts (no level, none granted), by worker id, as
    #: :meth:`Competition.promotion_candidates` asked them: finalising reuses them for every
    #: entrant that is not a candidate, or is one holding no level and granted no promotion
    #: this year (the same question), instead of asking again.
    answers_without_facts: dict[str, PromotionProposal] = field(
        default_factory=dict, compare=False, repr=False
    )

    def group_of(self, worker_id: str) -> str:
        return self.groups[worker_id]


def default_tie_breaks(scheme: MarkingScheme) -> TieBreakOrder:
    """Components by descending weight (scheme order among equal weights), then earlier finish.

    With practical 70 / theory 30 this is "practical first, then theory, then earlier finish".
    """
    ordered = sorted(enumerate(scheme.components), key=lambda item: (-item[1].weight, item[0]))
    return TieBreakOrder(
        components=tuple(component.name for _, component in ordered), earlier_finish=True
    )


def _key(worker_id: UUID | str) -> str:
    """Entrants are keyed by the text of their worker id (JSON-safe state)."""
    return str(worker_id)


def _mark_text(value: object, field: str) -> str:
    """A judge's mark (checked as the marking scheme checks it) as the text events store."""
    return format(parse_mark(value, field), "f")


def _judge_name(judge: object) -> str:
    if not isinstance(judge, str) or not judge.strip() or len(judge.strip()) > MAX_JUDGE_NAME:
        raise InvalidValue("judge", f"a judge is named by 1..{MAX_JUDGE_NAME} characters")
    return judge.strip()


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_NAMED_IN_REFUSAL])
    more = len(items) - _NAMED_IN_REFUSAL
    return shown + (f" and {more} more" if more > 0 else "")


class Competition(LedgerAggregate):
    """A competition: announcement, entrants, judges' marks, locks, results and promotions."""

    TOPIC = "craftledger:Competition"

    tier: CompetitionTier
    status: CompetitionStatus

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Competition.Created"

    @staticmethod
    def create_id(organiser_id: UUID, reference: str, **_: Any) -> UUID:
        return natural_id("competition", str(organiser_id), reference)

    # -- announcement ------------------------------------------------------------------------

    @event("Announced", topic="craftledger:Competition.Announced")
    def __init__(
        self,
        organiser_id: UUID,
        reference: str,
        name: str,
        tier: str,
        occupation_code: str,
        exam_level: str,
        year: int,
        region: str,
        issuing_body_id: UUID | None,
        marking_scheme: dict[str, Any],
        actor: str,
        tie_breaks: dict[str, Any] | None = None,
        promotion_rule_set: str | None = None,
        programme: str | None = None,
        separate_groups: bool = False,
    ) -> None:
        self.organiser_id = organiser_id
        self.reference = reference
        self.name = name
        self.tier = CompetitionTier(tier)
        self.occupation_code = occupation_code
        self.exam_level = exam_level
        self.year = year
        self.region = region
        self.issuing_body_id = issuing_body_id
        self.marking_scheme = marking_scheme
        self.tie_breaks = tie_breaks
        self.promotion_rule_set = promotion_rule_set
        self.programme = programme
        self.separate_groups = separate_groups
        self.announced_by = actor
        self.status = CompetitionStatus.ANNOUNCED
        self.entrants: dict[str, dict[str, Any]] = {}
        self.marks: dict[str, dict[str, dict[str, str]]] = {}
        self.corrections: list[dict[str, Any]] = []
        self.reviews: dict[str, dict[str, dict[str, Any]]] = {}
        self.finish_times: dict[str, datetime] = {}
        self.locks: dict[str, dict[str, Any]] = {}
        self.results: list[dict[str, Any]] | None = None
        self.result_index: dict[str, int] = {}
        self.groups: list[dict[str, Any]] = []
        self.finalised_at: datetime | None = None
        self.finalised_by: str | None = None
        self.proposals: dict[str, dict[str, Any]] = {}

    @classmethod
    def announce(
        cls,
        *,
        organiser: Organisation,
        reference: str,
        name: str,
        tier: CompetitionTier | str,
        occupation_code: str,
        exam_level: str,
        year: int,
        region: str,
        issuing_body: Organisation | None,
        marking_scheme: Mapping[str, Any],
        actor: str,
        tie_breaks: TieBreakOrder | Mapping[str, Any] | None = None,
        promotion_rule_set: str | None = None,
        programme: str | None = None,
        separate_groups: bool = False,
    ) -> Competition:
        """Announce a competition; every rule it breaks is named (see the module docstring)."""
        if organiser.status is not OrganisationStatus.ACTIVE:
            raise DomainRuleViolation(
                "organiser-not-active", f"{organiser.name} is {organiser.status.value}"
            )
        if not isinstance(name, str) or not name.strip():
            raise DomainRuleViolation("invalid-competition", "a competition needs a name")
        if not isinstance(reference, str) or not reference.strip():
            raise DomainRuleViolation("invalid-competition", "a competition needs a reference")
        try:
            competition_tier = CompetitionTier(tier)
        except ValueError:
            raise InvalidValue(
                "tier", f"{tier!r} is not one of {', '.join(t.value for t in CompetitionTier)}"
            ) from None
        if isinstance(year, bool) or not isinstance(year, int) or year not in _YEARS:
            raise InvalidValue("year", f"expected a year {_YEARS.start}..{_YEARS.stop - 1}")
        if not isinstance(region, str) or not region.strip():
            raise InvalidValue("region", "a competition needs a region")
        occupation = find_occupation(occupation_code)
        if occupation is None:
            raise DomainRuleViolation(
                "unknown-occupation", f"no occupation {occupation_code} in the catalogue"
            )
        level = SkillLevel.from_code(exam_level)
        if not level.is_numbered or not occupation.allows(level):
            raise DomainRuleViolation(
                "level-not-allowed-for-occupation",
                f"{occupation.name} ({occupation.code}) has no {level.name_zh} level to examine",
            )
        if issuing_body is not None and not issuing_body.kind.evaluates:
            raise DomainRuleViolation(
                "not-an-evaluation-body",
                f"{issuing_body.name} cannot issue promotion certificates",
            )
        if issuing_body is not None and occupation.code not in issuing_body.scope:
            raise DomainRuleViolation(
                "outside-filed-scope",
                f"{issuing_body.name} is not filed for {occupation.name} ({occupation.code}), "
                "so it cannot issue this competition's promotion certificates",
            )
        if organiser.kind is OrganisationKind.SOCIAL and (
            competition_tier is not CompetitionTier.ENTERPRISE_OR_SCHOOL
        ):
            raise DomainRuleViolation(
                "tier-not-allowed", "a social organisation runs only school-level competitions"
            )
        scheme = MarkingScheme.from_dict(marking_scheme)
        if tie_breaks is None:
            order = default_tie_breaks(scheme)
        elif isinstance(tie_breaks, TieBreakOrder):
            order = tie_breaks
        else:
            order = TieBreakOrder.from_dict(tie_breaks)
        unknown = [c for c in order.components if c not in scheme.component_names]
        if unknown:
            raise InvalidValue(
                "tie-break components",
                f"not in the marking scheme: {', '.join(unknown)}; "
                f"have {', '.join(scheme.component_names)}",
            )
        if promotion_rule_set is not None:
            rule_set = find_rule_set(promotion_rule_set)
            if not rule_set.in_force_on(date(year, 12, 31)):
                raise DomainRuleViolation(
                    "rule-set-not-in-force",
                    f"{rule_set.name} takes effect on {rule_set.effective_from.isoformat()}, "
                    f"after the competition year {year}",
                )
            if issuing_body is None:
                raise DomainRuleViolation(
                    "promotion-needs-issuing-body",
                    "a competition that promotes (以赛代评) needs an issuing body for the "
                    "certificates",
                )
        if programme is not None and (not isinstance(programme, str) or not programme.strip()):
            raise InvalidValue("programme", "expected a programme id or nothing")
        if not isinstance(separate_groups, bool):
            raise InvalidValue("separate_groups", "expected true or false")
        return cls(
            organiser_id=organiser.id,
            reference=reference.strip(),
            name=name.strip(),
            tier=competition_tier.value,
            occupation_code=occupation.code,
            exam_level=level.code,
            year=year,
            region=region.strip(),
            issuing_body_id=issuing_body.id if issuing_body else None,
            marking_scheme=scheme.to_dict(),
            actor=actor,
            tie_breaks=order.to_dict(),
            promotion_rule_set=promotion_rule_set,
            programme=None if programme is None else programme.strip(),
            separate_groups=separate_groups,
        )

    # -- reading -----------------------------------------------------------------------------

    @property
    def scheme(self) -> MarkingScheme:
        """The marking scheme (parsed from the stored form)."""
        return MarkingScheme.from_dict(self.marking_scheme)

    @property
    def tie_break_order(self) -> TieBreakOrder:
        if self.tie_breaks is None:
            return default_tie_breaks(self.scheme)
        return TieBreakOrder.from_dict(self.tie_breaks)

    @property
    def rule_set(self) -> PromotionRuleSet | None:
        return None if self.promotion_rule_set is None else find_rule_set(self.promotion_rule_set)

    @property
    def is_final(self) -> bool:
        return self.status == CompetitionStatus.FINALISED

    def require_final(self) -> None:
        """Refuse what needs the final results (approving promotions) before finalisation."""
        if not self.is_final:
            raise DomainRuleViolation("results-not-final", f"{self.name} has no final results yet")

    def entrant(self, worker_id: UUID | str) -> dict[str, Any]:
        found = self.entrants.get(_key(worker_id))
        if found is None:
            raise DomainRuleViolation(
                "not-an-entrant", f"worker {worker_id} is not registered for {self.name}"
            )
        return found

    def active_entrants(self) -> list[dict[str, Any]]:
        """Registered, not withdrawn entrants in registration order."""
        return [e for e in self.entrants.values() if e["withdrawn"] is None]

    def ranking_group(self, entrant_kind: str) -> str:
        return entrant_kind if self.separate_groups else ALL_ENTRANTS

    def minimum_judges(self) -> int:
        """Judges' marks each entrant needs per component before it can be locked."""
        return 3 if self.scheme.combination is JudgeCombination.TRIMMED else 1

    def result_of(self, worker_id: UUID | str) -> dict[str, Any] | None:
        """The entrant's final result, or None (not final, not ranked)."""
        if self.results is None:
            return None
        index = self.result_index.get(_key(worker_id))
        return None if index is None else self.results[index]

    # -- entrants ----------------------------------------------------------------------------

    def register_entrant(
        self,
        *,
        worker_id: UUID,
        name: str,
        entrant_kind: EntrantKind | str,
        employer_id: UUID | None,
        employer_name: str,
        at: datetime,
        actor: str,
        on_staff: bool | None = None,
    ) -> None:
        """Register a worker (``name`` as entered, e.g. the worker's registered name) as an
        employee or student entrant competing for ``employer_name``. ``on_staff``: whether the
        worker is on the staff of ``employer_id`` (an employer in the ledger) on ``at``'s day
        -- an employee who is not cannot compete as its employee."""
        self._refuse_if_final()
        if self.locks:
            raise DomainRuleViolation(
                "registration-closed",
                f"registration closed when {', '.join(sorted(self.locks))} was locked",
            )
        try:
            kind = EntrantKind(entrant_kind)
        except ValueError:
            raise InvalidValue("entrant kind", "expected employee or student") from None
        if _key(worker_id) in self.entrants:
            raise DomainRuleViolation(
                "already-registered", f"worker {worker_id} is already an entrant of {self.name}"
            )
        if not isinstance(employer_name, str) or not employer_name.strip():
            raise InvalidValue(
                "employer", "an entrant competes for an employer (or, for students, a school)"
            )
        if not isinstance(name, str) or not name.strip():
            raise InvalidValue("name", "an entrant needs a name")
        if kind is EntrantKind.EMPLOYEE and employer_id is not None and on_staff is False:
            raise DomainRuleViolation(
                "not-employed-by",
                f"{name.strip()} is not on the staff of {employer_name.strip()} on "
                f"{at.date().isoformat()}, so cannot compete as its employee",
            )
        self._entrant_registered(
            worker_id=worker_id,
            name=name.strip(),
            entrant_number=len(self.entrants) + 1,
            entrant_kind=kind.value,
            employer_id=employer_id,
            employer_name=employer_name.strip(),
            registered_at=at,
            actor=actor,
        )

    @event("EntrantRegistered", topic="craftledger:Competition.EntrantRegistered")
    def _entrant_registered(
        self,
        worker_id: UUID,
        entrant_number: int,
        entrant_kind: str,
        employer_id: UUID | None,
        employer_name: str,
        registered_at: datetime,
        actor: str,
        name: str = "",
    ) -> None:
        key = _key(worker_id)
        self.entrants[key] = {
            "worker_id": key,
            "name": name,
            "entrant_number": entrant_number,
            "entrant_kind": entrant_kind,
            "employer_id": None if employer_id is None else str(employer_id),
            "employer_name": employer_name,
            "registered_at": registered_at,
            "withdrawn": None,
        }

    def withdraw_entrant(self, worker_id: UUID, *, reason: str, at: datetime, actor: str) -> None:
        """Withdraw an entrant (缺考, 退赛, 取消资格) before the results are final."""
        self._refuse_if_final()
        entrant = self.entrant(worker_id)
        if entrant["withdrawn"] is not None:
            raise DomainRuleViolation(
                "already-withdrawn", f"entrant {entrant['entrant_number']} is already withdrawn"
            )
        self._entrant_withdrawn(
            worker_id=worker_id, reason=require_reason(reason, "a withdrawal"), at=at, actor=actor
        )

    @event("EntrantWithdrawn", topic="craftledger:Competition.EntrantWithdrawn")
    def _entrant_withdrawn(self, worker_id: UUID, reason: str, at: datetime, actor: str) -> None:
        self.entrants[_key(worker_id)]["withdrawn"] = reason

    # -- marks -------------------------------------------------------------------------------

    def record_marks(self, marks: Iterable[MarkEntry], *, at: datetime, actor: str) -> int:
        """Record judges' marks -- a marking sheet -- as one ``MarksRecorded`` event listing
        every mark; returns how many. Each judge marks each entrant's component once. All or
        nothing: one refused mark refuses the sheet."""
        self._refuse_if_final()
        scheme = self.scheme
        sheet: list[dict[str, str]] = []
        given: set[tuple[str, str, str]] = set()
        for entry in marks:
            scheme.component(entry.component)
            self._refuse_if_locked(entry.component, "marks")
            entrant = self._active(entry.worker_id)
            judge = _judge_name(entry.judge)
            mark = _mark_text(entry.mark, f"mark ({entry.component}, judge {judge})")
            key = (entrant["worker_id"], entry.component, judge)
            if key in given or judge in self.marks.get(key[0], {}).get(entry.component, {}):
                raise DomainRuleViolation(
                    "mark-already-recorded",
                    f"{judge} has already marked entrant {entrant['entrant_number']} on "
                    f"{entry.component}; change a mark with a correction and a reason",
                )
            given.add(key)
            sheet.append(
                {"worker_id": key[0], "component": entry.component, "judge": judge, "mark": mark}
            )
        if not sheet:
            raise InvalidValue("marks", "no marks given")
        self._marks_recorded(marks=sheet, at=at, actor=actor)
        return len(sheet)

    @event("MarksRecorded", topic="craftledger:Competition.MarksRecorded")
    def _marks_recorded(self, marks: list[dict[str, str]], at: datetime, actor: str) -> None:
        recorded = self.marks
        for mark in marks:
            entrant = recorded.setdefault(mark["worker_id"], {})
            entrant.setdefault(mark["component"], {})[mark["judge"]] = mark["mark"]
        self.status = CompetitionStatus.MARKING

    def correct_mark(
        self,
        *,
        worker_id: UUID,
        component: str,
        judge: str,
        mark: object,
        reason: str,
        at: datetime,
        actor: str,
    ) -> None:
        """Correct a judge's mark (更正): the previous mark and the reason are recorded."""
        self._refuse_if_final()
        self.scheme.component(component)
        self._refuse_if_locked(component, "corrections")
        entrant = self._active(worker_id)
        judge = _judge_name(judge)
        previous = self.marks.get(entrant["worker_id"], {}).get(component, {}).get(judge)
        if previous is None:
            raise DomainRuleViolation(
                "no-mark-to-correct",
                f"{judge} has not marked entrant {entrant['entrant_number']} on {component}",
            )
        new = _mark_text(mark, f"mark ({component}, judge {judge})")
        if Decimal(new) == Decimal(previous):
            raise DomainRuleViolation(
                "correction-changes-nothing", f"the mark is already {previous}"
            )
        self._mark_corrected(
            worker_id=worker_id,
            component=component,
            judge=judge,
            previous=previous,
            mark=new,
            reason=require_reason(reason, "a correction"),
            at=at,
            actor=actor,
        )

    @event("MarkCorrected", topic="craftledger:Competition.MarkCorrected")
    def _mark_corrected(
        self,
        worker_id: UUID,
        component: str,
        judge: str,
        previous: str,
        mark: str,
        reason: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.marks[_key(worker_id)][component][judge] = mark
        self.corrections.append(
            {
                "worker_id": _key(worker_id),
                "component": component,
                "judge": judge,
                "previous": previous,
                "mark": mark,
                "reason": reason,
                "at": at,
                "actor": actor,
            }
        )

    def component_marks(self, worker_id: UUID | str, component: str) -> dict[str, str]:
        """``{judge: mark}`` as they stand now."""
        return dict(self.marks.get(_key(worker_id), {}).get(component, {}))

    def needs_review(
        self, worker_id: UUID | str, component: str, scheme: MarkingScheme | None = None
    ) -> bool:
        """True when the judges' spread is flagged and no review confirms these exact marks.
        (``scheme``: this competition's, when the caller has it parsed already.)"""
        marks = self.component_marks(worker_id, component)
        if not marks:
            return False
        scheme = scheme or self.scheme
        if len(marks) < (3 if scheme.combination is JudgeCombination.TRIMMED else 1):
            return False
        if not scheme.score_component(component, marks).flagged:
            return False
        review = self.reviews.get(_key(worker_id), {}).get(component)
        return review is None or review["marks"] != marks

    def review_spread(
        self, *, worker_id: UUID, component: str, note: str, at: datetime, actor: str
    ) -> None:
        """Confirm flagged marks as they stand (复核), with a note saying what was checked."""
        self._refuse_if_final()
        self.scheme.component(component)
        self._refuse_if_locked(component, "reviews")
        entrant = self._active(worker_id)
        if not self.needs_review(worker_id, component):
            raise DomainRuleViolation(
                "nothing-to-review",
                f"entrant {entrant['entrant_number']}'s {component} marks are not flagged, or "
                "a review already confirms them",
            )
        self._spread_reviewed(
            worker_id=worker_id,
            component=component,
            marks=self.component_marks(worker_id, component),
            note=require_reason(note, "a review"),
            at=at,
            actor=actor,
        )

    @event("SpreadReviewed", topic="craftledger:Competition.SpreadReviewed")
    def _spread_reviewed(
        self,
        worker_id: UUID,
        component: str,
        marks: dict[str, str],
        note: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.reviews.setdefault(_key(worker_id), {})[component] = {
            "marks": dict(marks),
            "note": note,
            "at": at,
            "actor": actor,
        }

    def record_finish_time(
        self,
        *,
        worker_id: UUID,
        finished_at: datetime,
        reason: str | None,
        at: datetime,
        actor: str,
    ) -> None:
        """Record when an entrant finished (a tie-break; stored in UTC); replacing one needs a
        reason."""
        self._refuse_if_final()
        entrant = self._active(worker_id)
        if not isinstance(finished_at, datetime) or finished_at.utcoffset() is None:
            raise InvalidValue("finish time", "expected a timezone-aware time")
        previous = self.finish_times.get(entrant["worker_id"])
        if previous is not None:
            reason = require_reason(reason or "", "changing a recorded finish time")
        self._finish_time_recorded(
            worker_id=worker_id,
            finished_at=finished_at.astimezone(UTC),
            previous=previous,
            reason=reason or "",
            at=at,
            actor=actor,
        )

    @event("FinishTimeRecorded", topic="craftledger:Competition.FinishTimeRecorded")
    def _finish_time_recorded(
        self,
        worker_id: UUID,
        finished_at: datetime,
        previous: datetime | None,
        reason: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.finish_times[_key(worker_id)] = finished_at

    # -- locking -----------------------------------------------------------------------------

    def lock_component(self, component: str, *, at: datetime, actor: str) -> None:
        """Lock a component's marks (封分) once every active entrant is fully and cleanly marked."""
        self._refuse_if_final()
        scheme = self.scheme
        scheme.component(component)
        if component in self.locks:
            raise DomainRuleViolation("component-locked", f"{component} is already locked")
        active = self.active_entrants()
        if not active:
            raise DomainRuleViolation("no-entrants", f"{self.name} has no active entrants")
        needed = 3 if scheme.combination is JudgeCombination.TRIMMED else 1
        short = [
            str(e["entrant_number"])
            for e in active
            if len(self.component_marks(e["worker_id"], component)) < needed
        ]
        if short:
            raise DomainRuleViolation(
                "marks-incomplete",
                f"{component} needs marks from at least {needed} judge(s) for every entrant; "
                f"entrant(s) {_listed(short)} have fewer",
            )
        flagged = [
            str(e["entrant_number"])
            for e in active
            if self.needs_review(e["worker_id"], component, scheme)
        ]
        if flagged:
            raise DomainRuleViolation(
                "flagged-marks-unreviewed",
                f"{component}: the judges' spread exceeds {scheme.max_spread} for entrant(s) "
                f"{_listed(flagged)}; correct or review (复核) the marks before locking",
            )
        self._component_locked(component=component, entrants=len(active), at=at, actor=actor)

    @event("ComponentLocked", topic="craftledger:Competition.ComponentLocked")
    def _component_locked(self, component: str, entrants: int, at: datetime, actor: str) -> None:
        self.locks[component] = {"at": at, "actor": actor, "entrants": entrants}

    # -- results -----------------------------------------------------------------------------

    def standings(self) -> Standings:
        """Scores and rankings from the marks as they stand (pure; records nothing)."""
        scheme = self.scheme
        order = self.tie_break_order
        active = self.active_entrants()
        if not active:
            raise DomainRuleViolation("no-entrants", f"{self.name} has no active entrants")
        scores: dict[str, EntrantScore] = {}
        grouped: dict[str, list[EntrantResult]] = {}
        groups: dict[str, str] = {}
        for entrant in active:
            key = entrant["worker_id"]
            score = scheme.score_entrant(self.marks.get(key, {}))
            scores[key] = score
            group = self.ranking_group(entrant["entrant_kind"])
            groups[key] = group
            grouped.setdefault(group, []).append(
                EntrantResult(
                    entrant_id=key,
                    total=score.total,
                    component_scores=score.component_scores(),
                    finish_time=self.finish_times.get(key),
                )
            )
        rankings = {group: rank_entrants(results, order) for group, results in grouped.items()}
        return Standings(version=self.version, scores=scores, rankings=rankings, groups=groups)

    def promotion_candidates(self, standings: Standings) -> list[str]:
        """Worker ids (text) whose standing some rule of the rule set may promote: the ones whose
        current level and yearly count the application must read from the ledger. Asks the
        engine itself (with no level): "not covered" and "not qualified" never depend on them."""
        rule_set = self.rule_set
        if rule_set is None:
            return []
        candidates = []
        answers = standings.answers_without_facts
        for _, ranking in rankings_in_order(standings):
            for entry in ranking.entries:
                answer = answers.get(entry.entrant_id)
                if answer is None:
                    answer = self._propose(rule_set, entry, ranking.entrant_count, None, 0)
                    answers[entry.entrant_id] = answer
                if answer.outcome not in (
                    PromotionOutcome.NOT_COVERED,
                    PromotionOutcome.NOT_QUALIFIED,
                ):
                    candidates.append(entry.entrant_id)
        return candidates

    def finalise(
        self,
        standings: Standings,
        *,
        current_levels: Mapping[str, SkillLevel | None],
        promotions_granted: Mapping[str, int],
        at: datetime,
        actor: str,
    ) -> None:
        """Publish the results (and promotion proposals) computed in ``standings``.

        ``current_levels`` and ``promotions_granted`` give, for every worker id of
        :meth:`promotion_candidates`, the worker's current level in the occupation (None if
        none) and the competition promotions granted to them in the competition's year.
        """
        self._refuse_if_final()
        unlocked = [c for c in self.scheme.component_names if c not in self.locks]
        if unlocked:
            raise DomainRuleViolation(
                "components-not-locked",
                f"lock every component before the results; not locked: {', '.join(unlocked)}",
            )
        if standings.version != self.version:
            raise DomainRuleViolation(
                "standings-outdated",
                f"the standings were computed at version {standings.version}, the competition "
                f"is at {self.version}",
            )
        rule_set = self.rule_set
        candidates = set(self.promotion_candidates(standings))
        missing = sorted(candidates - set(current_levels) | candidates - set(promotions_granted))
        if missing:
            raise InvalidValue(
                "promotion facts", f"no current level or yearly count for {_listed(missing)}"
            )
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
                entrant = self.entrants[key]
                finish = self.finish_times.get(key)
                promotion: dict[str, Any] | None = None
                if rule_set is not None:
                    level = current_levels.get(key) if key in candidates else None
                    granted = promotions_granted.get(key, 0) if key in candidates else 0
                    answer = (
                        standings.answers_without_facts[key]  # the same question, answered
                        if level is None and granted == 0
                        else self._propose(rule_set, entry, ranking.entrant_count, level, granted)
                    )
                    promotion = {
                        **answer.to_dict(),
                        "current_level": None if level is None else level.code,
                        "promotions_granted_this_year": granted,
                    }
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
                        "promotion": promotion,
                    }
                )
        self._finalised(
            results=results,
            groups=groups,
            tie_breaks=self.tie_break_order.to_dict(),
            rule_set=self.promotion_rule_set,
            at=at,
            actor=actor,
        )

    @event("Finalised", topic="craftledger:Competition.Finalised")
    def _finalised(
        self,
        results: list[dict[str, Any]],
        groups: list[dict[str, Any]],
        tie_breaks: dict[str, Any],
        rule_set: str | None,
        at: datetime,
        actor: str,
    ) -> None:
        self.results = results
        self.result_index = {result["worker_id"]: i for i, result in enumerate(results)}
        self.groups = groups
        self.finalised_at = at
        self.finalised_by = actor
        self.status = CompetitionStatus.FINALISED
        for result in results:
            promotion = result["promotion"]
            if promotion is not None and promotion["target_level"] is not None:
                self.proposals[result["worker_id"]] = {
                    "worker_id": result["worker_id"],
                    "target_level": promotion["target_level"],
                    "rule_id": promotion["rule_id"],
                    "status": ProposalStatus.PROPOSED.value,
                    "certificate_number": None,
                    "decided_by": None,
                    "decided_at": None,
                    "note": None,
                }

    def awards(self) -> list[dict[str, Any]]:
        """The finalised results that carry an award, best first."""
        return [r for r in self.results or () if r["award"] is not None]

    # -- promotions --------------------------------------------------------------------------

    def proposal(self, worker_id: UUID | str) -> dict[str, Any]:
        found = self.proposals.get(_key(worker_id))
        if found is None:
            raise DomainRuleViolation(
                "no-such-proposal", f"{self.name} proposes no promotion for worker {worker_id}"
            )
        return found

    def approvable_level(
        self,
        worker_id: UUID | str,
        *,
        current_level: SkillLevel | None,
        promotions_granted: int,
    ) -> SkillLevel:
        """The level an approval now would give, after asking the engine again with today's
        facts; refuses when the proposal is decided, or no longer what the rules give."""
        proposal = self._pending(worker_id)
        rule_set = self.rule_set
        result = self.result_of(worker_id)
        if rule_set is None or result is None:  # pragma: no cover - proposals imply both
            raise DomainRuleViolation("no-such-proposal", "no rule set or no result")
        answer = propose_promotion(
            rule_set,
            tier=self.tier,
            rank=result["rank"],
            entrant_count=result["group_size"],
            entrant_kind=result["entrant_kind"],
            award=result["award"],
            current_level=current_level,
            promotions_granted_this_year=promotions_granted,
            programme=self.programme,
        )
        if answer.outcome is PromotionOutcome.YEARLY_LIMIT_REACHED:
            raise DomainRuleViolation("competition-promotion-yearly-limit", answer.explanation)
        if answer.target_level is None or answer.target_level.code != proposal["target_level"]:
            raise DomainRuleViolation(
                "proposal-outdated",
                f"the proposal was {SkillLevel.from_code(proposal['target_level']).name_zh}; "
                f"with the worker's facts today the rules say: {answer.explanation}",
            )
        return answer.target_level

    def promotion_basis(self, worker_id: UUID | str, *, at: datetime, actor: str) -> dict[str, Any]:
        """The certificate basis of an approved promotion: this competition, the competition
        promotion bypass, and evidence naming the standing, the rule and the approval."""
        proposal = self.proposal(worker_id)
        result = self.result_of(worker_id)
        assert result is not None
        group = "" if result["group"] == ALL_ENTRANTS else f" {result['group']}s"
        award = "" if result["award"] is None else f", {result['award']}"
        evidence = (
            f"以赛代评: {self.name} ({self.reference}; tier {self.tier.value}; {self.year}): "
            f"rank {result['rank']} of {result['group_size']}{group}{award}; "
            f"rule {proposal['rule_id']}; 核准 by {actor} on {at.date().isoformat()}"
        )
        return {
            "kind": "competition",
            "reference": str(self.id),
            "bypass": "competition_promotion",
            "evidence": evidence,
        }

    def approve_promotion(
        self,
        worker_id: UUID,
        *,
        level: SkillLevel,
        certificate_number: str,
        note: str,
        at: datetime,
        actor: str,
    ) -> None:
        """Record the approval (核准) and the certificate issued for it."""
        proposal = self._pending(worker_id)
        if level.code != proposal["target_level"]:
            raise DomainRuleViolation(
                "proposal-outdated", f"the proposal is for level {proposal['target_level']}"
            )
        self._promotion_approved(
            worker_id=worker_id,
            level=level.code,
            certificate_number=certificate_number,
            note=note.strip() if isinstance(note, str) else "",
            at=at,
            actor=actor,
        )

    @event("PromotionApproved", topic="craftledger:Competition.PromotionApproved")
    def _promotion_approved(
        self,
        worker_id: UUID,
        level: str,
        certificate_number: str,
        note: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.proposals[_key(worker_id)].update(
            status=ProposalStatus.APPROVED.value,
            certificate_number=certificate_number,
            decided_by=actor,
            decided_at=at,
            note=note,
        )

    def reject_promotion(self, worker_id: UUID, *, reason: str, at: datetime, actor: str) -> None:
        """Do not approve a proposal; the reason is recorded."""
        self._pending(worker_id)
        self._promotion_rejected(
            worker_id=worker_id,
            reason=require_reason(reason, "a rejection"),
            at=at,
            actor=actor,
        )

    @event("PromotionRejected", topic="craftledger:Competition.PromotionRejected")
    def _promotion_rejected(self, worker_id: UUID, reason: str, at: datetime, actor: str) -> None:
        self.proposals[_key(worker_id)].update(
            status=ProposalStatus.REJECTED.value, decided_by=actor, decided_at=at, note=reason
        )

    # -- helpers -----------------------------------------------------------------------------

    def _propose(
        self,
        rule_set: PromotionRuleSet,
        entry: RankedEntrant,
        entrant_count: int,
        level: SkillLevel | None,
        granted: int,
    ) -> PromotionProposal:
        return propose_promotion(
            rule_set,
            tier=self.tier,
            rank=entry.rank,
            entrant_count=entrant_count,
            entrant_kind=self.entrants[entry.entrant_id]["entrant_kind"],
            award=entry.award,
            current_level=level,
            promotions_granted_this_year=granted,
            programme=self.programme,
        )

    def _pending(self, worker_id: UUID | str) -> dict[str, Any]:
        proposal = self.proposal(worker_id)
        if proposal["status"] != ProposalStatus.PROPOSED.value:
            raise DomainRuleViolation(
                "proposal-decided", f"the proposal is already {proposal['status']}"
            )
        return proposal

    def _active(self, worker_id: UUID | str) -> dict[str, Any]:
        entrant = self.entrant(worker_id)
        if entrant["withdrawn"] is not None:
            raise DomainRuleViolation(
                "entrant-withdrawn",
                f"entrant {entrant['entrant_number']} was withdrawn: {entrant['withdrawn']}",
            )
        return entrant

    def _refuse_if_final(self) -> None:
        if self.status == CompetitionStatus.FINALISED:
            raise DomainRuleViolation(
                "results-final", f"the results of {self.name} are final; nothing can change"
            )

    def _refuse_if_locked(self, component: str, what: str) -> None:
        if component in self.locks:
            raise DomainRuleViolation(
                "component-locked", f"{component} is locked; {what} are no longer accepted"
            )


def rankings_in_order(standings: Standings) -> list[tuple[str, Ranking]]:
    """The groups' rankings in a stable order: all, employee, student."""
    order = {ALL_ENTRANTS: 0, EntrantKind.EMPLOYEE.value: 1, EntrantKind.STUDENT.value: 2}
    return sorted(standings.rankings.items(), key=lambda item: order.get(item[0], 9))
