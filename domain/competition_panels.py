"""Judging panels (裁判组) and judges' submissions (提交) of a competition, as the
``Competition`` aggregate takes them.

A panel names the judges of one component, each by the name their marks are recorded under and,
optionally, the login of the judge account that marks under that name (lane ``judges``). The
organiser assigns a panel (``JudgesAssigned``), replacing the component's previous one, until the
component is locked; a judge who has already marked the component stays on it (their marks
would otherwise belong to nobody). Names and logins are unique in a panel, and a panel has at
least as many judges as the marking scheme needs (three for a trimmed mean).

When a component has a panel, only its judges' marks are accepted, and an entrant's component
is complete -- lockable, with a score on the leaderboard -- once every panel judge has marked
it. Without a panel, a component is complete with marks from the scheme's minimum number of
judges, as before panels existed.

A judge submits their marks for a component (``MarksSubmitted``) once they have marked every
active entrant; after that their new marks on the component are refused, except for entrants
registered after the submission (who were not on the sheet they submitted). Corrections, by the
organiser or chief judge with a reason, still work.

:class:`Panels` reads the aggregate's panels and submissions (it stores nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.competition_marks import MarkBook, judge_name, listed
from domain.errors import DomainRuleViolation, InvalidValue
from domain.person_account import parse_login

__all__ = ["MAX_PANEL", "Panels"]

#: Most judges on one component's panel.
MAX_PANEL = 50

#: One panel judge as events store it: ``{"name": str, "login": str | None}``.
PanelJudge = Mapping[str, Any]


def _judge(item: object, position: int) -> dict[str, Any]:
    """One panel judge, checked: a name (as marks are recorded under) and an optional login."""
    if not isinstance(item, Mapping) or not set(item) <= {"name", "login"}:
        raise InvalidValue(f"judges/{position}", "expected {name, login}")
    login = item.get("login")
    if login is not None and not isinstance(login, str):
        raise InvalidValue(f"judges/{position}/login", "expected a login or nothing")
    return {
        "name": judge_name(item.get("name")),
        "login": parse_login(login) if login and login.strip() else None,
    }


@dataclass(frozen=True)
class Panels:
    """The components' panels (component -> judges) and the judges' submissions (component ->
    judge name -> when), as the aggregate keeps them."""

    panels: Mapping[str, Sequence[PanelJudge]] = field(default_factory=dict)
    submitted: Mapping[str, Mapping[str, datetime]] = field(default_factory=dict)

    def panel(self, component: str) -> Sequence[PanelJudge] | None:
        """The component's panel, or None when it has none."""
        return self.panels.get(component)

    def judge_of(self, component: str, login: str) -> str | None:
        """The name ``login`` marks ``component`` under, or None (not on its panel)."""
        for judge in self.panels.get(component, ()):
            if judge["login"] is not None and judge["login"] == login:
                return str(judge["name"])
        return None

    def components_of(self, login: str, components: Sequence[str]) -> list[str]:
        """The components (in ``components``' order) whose panel names ``login``."""
        return [c for c in components if self.judge_of(c, login) is not None]

    def assignment(self, book: MarkBook, component: str, judges: object) -> list[dict[str, Any]]:
        """The panel ``JudgesAssigned`` records for ``component`` (not locked): judges unique by
        name and by login, as many as the scheme needs, and every judge who has marked the
        component already still on it."""
        book.scheme.component(component)
        book.refuse_if_locked(component, "panel changes")
        if not isinstance(judges, Sequence) or isinstance(judges, str):
            raise InvalidValue("judges", "expected a list of judges")
        panel = [_judge(item, position) for position, item in enumerate(judges)]
        if len(panel) > MAX_PANEL:
            raise InvalidValue("judges", f"a panel has at most {MAX_PANEL} judges")
        names = [judge["name"] for judge in panel]
        logins = [judge["login"] for judge in panel if judge["login"] is not None]
        twice = {n for n in names if names.count(n) > 1} | {
            login for login in logins if logins.count(login) > 1
        }
        if twice:
            raise DomainRuleViolation(
                "duplicate-judge",
                f"{', '.join(sorted(twice))} appear(s) twice on the panel of {component}",
            )
        if len(panel) < book.minimum_judges:
            raise DomainRuleViolation(
                "panel-too-small",
                f"{component} needs at least {book.minimum_judges} judge(s) for its marking "
                f"scheme; the panel names {len(panel)}",
            )
        marked_by = {j for entrant in book.marks.values() for j in entrant.get(component, ())}
        removed = sorted(marked_by - set(names))
        if removed:
            raise DomainRuleViolation(
                "judge-has-marks",
                f"{', '.join(removed)} already marked {component} and cannot leave its panel",
            )
        return panel

    def check_mark(self, component: str, judge: str, entrant: Mapping[str, Any]) -> None:
        """Refuse a new mark on ``component`` from a judge not on its panel, or from a judge who
        has submitted their marks (unless the entrant was registered after that)."""
        panel = self.panels.get(component)
        if panel is not None and all(j["name"] != judge for j in panel):
            raise DomainRuleViolation(
                "judge-not-assigned",
                f"{judge} is not on the panel of {component} "
                f"({', '.join(j['name'] for j in panel)})",
            )
        submitted_at = self.submitted.get(component, {}).get(judge)
        if submitted_at is not None and not entrant["registered_at"] > submitted_at:
            raise DomainRuleViolation(
                "marks-submitted",
                f"{judge} has submitted their marks for {component}; a mark is changed by a "
                "correction with a reason",
            )

    def submission(
        self,
        book: MarkBook,
        component: str,
        judge: object,
        active: Sequence[Mapping[str, Any]],
        competition: str,
    ) -> str:
        """The judge name ``MarksSubmitted`` records: refused when ``component`` is locked,
        the judge is not on its panel or has submitted already, or some ``active`` entrant of
        ``competition`` is not marked by them."""
        book.scheme.component(component)
        book.refuse_if_locked(component, "submissions")
        name = judge_name(judge)
        panel = self.panels.get(component)
        if panel is not None and all(j["name"] != name for j in panel):
            raise DomainRuleViolation(
                "judge-not-assigned", f"{name} is not on the panel of {component}"
            )
        if name in self.submitted.get(component, {}):
            raise DomainRuleViolation(
                "marks-already-submitted", f"{name} has already submitted {component}"
            )
        if not active:
            raise DomainRuleViolation("no-entrants", f"{competition} has no active entrants")
        unmarked = [
            str(e["entrant_number"])
            for e in active
            if name not in book.component_marks(e["worker_id"], component)
        ]
        if unmarked:
            raise DomainRuleViolation(
                "judge-marks-incomplete",
                f"{name} has not marked entrant(s) {listed(unmarked)} on {component}",
            )
        return name
