"""What a self-evaluation session (自主评价) says about itself: level, marking panels and
progress, candidates and their results, the 公示 window, open objections. Queries only, no
events: ``Evaluation`` (``domain.evaluation.session``) records; this reads what it recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation
from domain.evaluation.candidates import certificate_basis
from domain.evaluation.panel import PANEL_MEAN, component_progress
from domain.evaluation.scores import failed_components, result_counts, result_of
from domain.evaluation.statuses import CandidateResult
from domain.skill_level import SkillLevel

__all__ = ["SessionReading"]


class SessionReading:
    """The session's queries, over the state ``Evaluation``'s events keep."""

    id: UUID
    reference: str
    level_code: str
    scoring: str
    components: list[str]
    panels: dict[str, list[str]]
    candidates: dict[str, dict[str, Any]]
    publication: dict[str, Any] | None
    objections: dict[str, dict[str, Any]]

    @property
    def level(self) -> SkillLevel:
        return SkillLevel.from_code(self.level_code)

    def marking_panel(self, component: str) -> list[str] | None:
        """The examiners who must each mark ``component`` (``panel-mean``), or None when one
        mark scores it (no panel, or a session planned before the panel rule)."""
        if self.scoring != PANEL_MEAN:
            return None
        return self.panels.get(component) or None

    @property
    def marking_panels(self) -> dict[str, list[str]]:
        """Every component's marking panel (see :meth:`marking_panel`)."""
        return {c: p for c in self.components if (p := self.marking_panel(c)) is not None}

    def progress(self, candidate: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Each component of ``candidate``: who has marked it, who has not, whether scored."""
        return {c: component_progress(candidate, c, self.marking_panel(c)) for c in self.components}

    # -- reading -------------------------------------------------------------------------------

    def candidate(self, worker_id: UUID) -> dict[str, Any]:
        """The enrolled candidate ``worker_id`` (rule ``not-enrolled`` if there is none)."""
        try:
            return self.candidates[str(worker_id)]
        except KeyError:
            raise DomainRuleViolation(
                "not-enrolled", f"worker {worker_id} is not a candidate of {self.reference}"
            ) from None

    def result_of(self, candidate: Mapping[str, Any]) -> CandidateResult:
        """Passed only when every component is scored and each is at least 60 (no averaging)."""
        return result_of(candidate, self.components)

    def failed_components(self, candidate: Mapping[str, Any]) -> list[str]:
        return failed_components(candidate, self.components)

    def passing_worker_ids(self) -> list[UUID]:
        """Workers who pass, in enrolment order."""
        passed = CandidateResult.PASSED
        return [c["worker_id"] for c in self.candidates.values() if self.result_of(c) is passed]

    def results(self) -> dict[str, int]:
        """How many candidates have each result."""
        return result_counts(self.candidates.values(), self.components)

    @property
    def window_ends_on(self) -> date | None:
        """The last day of the publication (公示) window, once published."""
        if self.publication is None:
            return None
        return date.fromisoformat(self.publication["window_ends_on"])

    @property
    def confirmable_from(self) -> date | None:
        """The first day the results may be confirmed: the day after the window's last."""
        ends = self.window_ends_on
        return ends + timedelta(days=1) if ends is not None else None

    @property
    def unresolved_objections(self) -> list[str]:
        return [oid for oid, o in self.objections.items() if o["resolution"] is None]

    def basis_for(self, worker_id: UUID) -> dict[str, Any]:
        """The certificate basis for a passing candidate: this session and the route taken."""
        return certificate_basis(self.id, self.reference, self.candidate(worker_id))
