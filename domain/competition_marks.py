"""Judges' marks of a competition (裁判评分), as the ``Competition`` aggregate takes them.

Each named judge marks each component once (0..100 on the 0.01 grid). A mark is changed only by
a correction, which records the previous mark and a reason -- never an edit. When the judges'
spread for a component exceeds the scheme's ``max_spread`` the component is flagged; it must be
reviewed (复核: a correction, or a recorded review confirming the marks as they stand) before the
component can be locked. A review confirms exactly the marks it saw: a later mark or correction
needs a new review. Locking a component (封分) freezes its marks; every active entrant needs
marks from enough judges (three for a trimmed mean, one for a mean; every judge of the
component's panel when it has one, ``domain.competition_panels``) and no unreviewed flag.

:class:`MarkBook` reads the aggregate's marks, reviews and locks (it stores nothing): the
events and their payloads are the aggregate's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import JudgeCombination, MarkingScheme, parse_mark

__all__ = [
    "MAX_JUDGE_NAME",
    "MarkBook",
    "MarkEntry",
    "component_complete",
    "judge_name",
    "listed",
    "mark_text",
    "minimum_judges",
]

#: Longest judge name accepted.
MAX_JUDGE_NAME = 100
#: How many offending entrants a refusal names before saying "and N more".
_NAMED_IN_REFUSAL = 5

#: An entrant's registration as the aggregate keeps it (``worker_id``, ``entrant_number``...).
Entrant = Mapping[str, Any]
#: A component's judging panel as the aggregate keeps it (``domain.competition_panels``).
Panel = Sequence[Mapping[str, Any]]


def minimum_judges(scheme: MarkingScheme) -> int:
    """Judges' marks each entrant needs per component without a panel: three for a trimmed
    mean, one for a mean."""
    return 3 if scheme.combination is JudgeCombination.TRIMMED else 1


def component_complete(marks: Mapping[str, str], panel: Panel | None, minimum: int) -> bool:
    """Whether an entrant's component is fully marked (``marks``: judge name -> mark): by
    every judge of its ``panel``, or, without one, by at least ``minimum`` judges."""
    if panel is None:
        return len(marks) >= minimum
    return all(judge["name"] in marks for judge in panel)


@dataclass(frozen=True)
class MarkEntry:
    """One judge's mark for one entrant on one component (as given to ``record_marks``)."""

    worker_id: UUID
    component: str
    judge: str
    mark: object  # Decimal, int or decimal string; floats are refused


def mark_text(value: object, field: str) -> str:
    """A judge's mark (checked as the marking scheme checks it) as the text events store."""
    return format(parse_mark(value, field), "f")


def judge_name(judge: object) -> str:
    """A judge's name, trimmed: 1..``MAX_JUDGE_NAME`` characters."""
    if not isinstance(judge, str) or not judge.strip() or len(judge.strip()) > MAX_JUDGE_NAME:
        raise InvalidValue("judge", f"a judge is named by 1..{MAX_JUDGE_NAME} characters")
    return judge.strip()


def listed(items: Sequence[str]) -> str:
    """Entrants named in a refusal: the first few, then "and N more"."""
    shown = ", ".join(items[:_NAMED_IN_REFUSAL])
    more = len(items) - _NAMED_IN_REFUSAL
    return shown + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class MarkBook:
    """The judges' marks as they stand (worker id → component → judge → mark text), with the
    spread reviews, the locked components and the judging panels, under one marking scheme."""

    scheme: MarkingScheme
    marks: Mapping[str, Mapping[str, Mapping[str, str]]]
    reviews: Mapping[str, Mapping[str, Mapping[str, Any]]]
    locks: Mapping[str, Any]
    panels: Mapping[str, Panel] = field(default_factory=dict)

    @property
    def minimum_judges(self) -> int:
        """Judges' marks each entrant needs per component without a panel."""
        return minimum_judges(self.scheme)

    def is_complete(self, worker_key: str, component: str) -> bool:
        """Whether the entrant's component is fully marked (:func:`component_complete`)."""
        return component_complete(
            self.component_marks(worker_key, component),
            self.panels.get(component),
            self.minimum_judges,
        )

    def component_marks(self, worker_key: str, component: str) -> dict[str, str]:
        """``{judge: mark}`` as they stand now."""
        return dict(self.marks.get(worker_key, {}).get(component, {}))

    def needs_review(self, worker_key: str, component: str) -> bool:
        """True when the judges' spread is flagged and no review confirms these exact marks."""
        marks = self.component_marks(worker_key, component)
        if not marks or len(marks) < self.minimum_judges:
            return False
        if not self.scheme.score_component(component, marks).flagged:
            return False
        review = self.reviews.get(worker_key, {}).get(component)
        return review is None or review["marks"] != marks

    def refuse_if_locked(self, component: str, what: str) -> None:
        if component in self.locks:
            raise DomainRuleViolation(
                "component-locked", f"{component} is locked; {what} are no longer accepted"
            )

    def sheet(
        self,
        marks: Iterable[MarkEntry],
        active: Callable[[UUID | str], Entrant],
        may_mark: Callable[[str, str, Entrant], None] | None = None,
    ) -> list[dict[str, str]]:
        """A marking sheet as the ``MarksRecorded`` event lists it, every mark checked: each
        judge marks each active entrant's component once, before it is locked (``may_mark``
        (component, judge, entrant) refuses a judge, e.g. one not on the panel)."""
        sheet: list[dict[str, str]] = []
        given: set[tuple[str, str, str]] = set()
        for entry in marks:
            self.scheme.component(entry.component)
            self.refuse_if_locked(entry.component, "marks")
            entrant = active(entry.worker_id)
            judge = judge_name(entry.judge)
            mark = mark_text(entry.mark, f"mark ({entry.component}, judge {judge})")
            if may_mark is not None:
                may_mark(entry.component, judge, entrant)
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
        return sheet

    def correction(
        self,
        worker_id: UUID | str,
        active: Callable[[UUID | str], Entrant],
        component: str,
        judge: object,
        mark: object,
    ) -> tuple[str, str, str]:
        """``(judge, previous, new)`` of a correction (更正) that changes a recorded mark of an
        active entrant."""
        self.scheme.component(component)
        self.refuse_if_locked(component, "corrections")
        entrant = active(worker_id)
        name = judge_name(judge)
        previous = self.marks.get(entrant["worker_id"], {}).get(component, {}).get(name)
        if previous is None:
            raise DomainRuleViolation(
                "no-mark-to-correct",
                f"{name} has not marked entrant {entrant['entrant_number']} on {component}",
            )
        new = mark_text(mark, f"mark ({component}, judge {name})")
        if Decimal(new) == Decimal(previous):
            raise DomainRuleViolation(
                "correction-changes-nothing", f"the mark is already {previous}"
            )
        return name, previous, new

    def check_review(
        self, worker_id: UUID | str, active: Callable[[UUID | str], Entrant], component: str
    ) -> None:
        """Refuse a spread review (复核) of an active entrant's marks that are not flagged or
        already confirmed."""
        self.scheme.component(component)
        self.refuse_if_locked(component, "reviews")
        entrant = active(worker_id)
        if not self.needs_review(entrant["worker_id"], component):
            raise DomainRuleViolation(
                "nothing-to-review",
                f"entrant {entrant['entrant_number']}'s {component} marks are not flagged, or "
                "a review already confirms them",
            )

    def check_lock(self, component: str, active: Sequence[Entrant], competition: str) -> None:
        """Refuse a lock (封分) of ``competition``'s component unless every active entrant is
        fully and cleanly marked."""
        self.scheme.component(component)
        if component in self.locks:
            raise DomainRuleViolation("component-locked", f"{component} is already locked")
        if not active:
            raise DomainRuleViolation("no-entrants", f"{competition} has no active entrants")
        short = [
            str(e["entrant_number"])
            for e in active
            if not self.is_complete(e["worker_id"], component)
        ]
        if short:
            panel = self.panels.get(component)
            needed = (
                f"at least {self.minimum_judges} judge(s)"
                if panel is None
                else f"every judge of its panel ({', '.join(j['name'] for j in panel)})"
            )
            raise DomainRuleViolation(
                "marks-incomplete",
                f"{component} needs marks from {needed} for every entrant; "
                f"entrant(s) {listed(short)} lack some",
            )
        flagged = [
            str(e["entrant_number"]) for e in active if self.needs_review(e["worker_id"], component)
        ]
        if flagged:
            raise DomainRuleViolation(
                "flagged-marks-unreviewed",
                f"{component}: the judges' spread exceeds {self.scheme.max_spread} for "
                f"entrant(s) {listed(flagged)}; correct or review (复核) the marks before locking",
            )
