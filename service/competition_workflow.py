"""Commands of the competition workflow (以赛代评): entrants, marks, locks, results, promotions.

A mixin of ``service.ledger.Ledger``: methods here use the Ledger's loading and saving helpers.
Each command loads the competition (and what else it needs), lets ``domain.competition`` decide,
and saves every aggregate it touched in one atomic ``save``; the rules themselves live in the
domain (see ``domain.competition``). What only the ledger knows is read here:

* a worker's **current level** in the competition's occupation: the highest level among their
  valid ledger certificates and confirmed external certificates (``Workers.held_levels``);
* the **competition promotions granted** to a worker in a year: their certificates issued with
  the ``competition_promotion`` bypass from a competition of that year, unless revoked (a
  suspended certificate still counts: the promotion was granted).

Finalising asks for these facts only for the entrants some rule may promote. Approving (核准)
asks again, so a promotion granted meanwhile by another competition caps this one, and issues
the certificate from the competition's issuing body with the competition as its basis, saved
with the approval, the worker and the number series in one atomic save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.certificate import BasisKind, Bypass, Certificate, CertificateStatus
from domain.competition import ALL_ENTRANTS, Competition, CompetitionTier, MarkEntry
from domain.errors import DomainRuleViolation
from domain.issuance import IssueRequest, issue_certificates
from domain.promotion_rules import EntrantKind
from domain.ranking import Award, TieBreakOrder
from domain.skill_level import SkillLevel
from domain.worker import Worker
from projections.garbage_collection import pausing_collection
from service.commands import NotFound, Recorded, retried
from service.credentials.credential_document import Disclosure, Holder, build_award_credential

if TYPE_CHECKING:
    from datetime import datetime

    from service.ledger import Ledger

__all__ = ["CompetitionWorkflow", "EntrantRegistration", "MarkEntry"]


def award_subject(competition_id: UUID, worker_id: UUID | str) -> str:
    """The status-list subject of an award credential: one per competition and awardee."""
    return f"award:{competition_id}:{worker_id}"


@dataclass(frozen=True)
class EntrantRegistration:
    """One entrant to register: a registered worker, employee or student, and whom they
    compete for. ``employer_id`` (an organisation in the ledger) or ``employer_name`` (e.g. an
    unfiled company, a school); an employee given neither competes for their current employer
    in the ledger."""

    worker_id: UUID
    entrant_kind: EntrantKind | str
    employer_id: UUID | None = None
    employer_name: str | None = None


class CompetitionWorkflow:
    """Commands of the competition workflow (以赛代评): entrants to approved promotions."""

    # -- announcement ----------------------------------------------------------------------

    @retried
    def announce_competition(
        self: Ledger,
        *,
        organiser_id: UUID,
        reference: str,
        name: str,
        tier: CompetitionTier | str,
        occupation_code: str,
        exam_level: str,
        year: int,
        region: str,
        issuing_body_id: UUID | None,
        marking_scheme: dict[str, Any],
        actor: str,
        tie_breaks: TieBreakOrder | dict[str, Any] | None = None,
        promotion_rule_set: str | None = None,
        programme: str | None = None,
        separate_groups: bool = False,
    ) -> Recorded:
        """Announce a competition (see ``Competition.announce`` for the rules checked)."""
        if self.exists(Competition.create_id(organiser_id=organiser_id, reference=reference)):
            raise DomainRuleViolation("duplicate-reference", f"competition {reference} exists")
        self.occupation(occupation_code)
        competition = Competition.announce(
            organiser=self.organisation(organiser_id),
            reference=reference,
            name=name,
            tier=tier,
            occupation_code=occupation_code,
            exam_level=exam_level,
            year=year,
            region=region,
            issuing_body=self.organisation(issuing_body_id) if issuing_body_id else None,
            marking_scheme=marking_scheme,
            actor=actor,
            tie_breaks=tie_breaks,
            promotion_rule_set=promotion_rule_set,
            programme=programme,
            separate_groups=separate_groups,
        )
        return self.record(competition)

    # -- entrants --------------------------------------------------------------------------

    def register_entrant(
        self: Ledger,
        competition_id: UUID,
        *,
        worker_id: UUID,
        entrant_kind: EntrantKind | str,
        employer_id: UUID | None = None,
        employer_name: str | None = None,
        actor: str,
    ) -> Recorded:
        """Register one entrant (see :meth:`register_entrants`)."""
        return self.register_entrants(
            competition_id,
            [EntrantRegistration(worker_id, entrant_kind, employer_id, employer_name)],
            actor=actor,
        )

    @retried
    def register_entrants(
        self: Ledger,
        competition_id: UUID,
        entrants: Sequence[EntrantRegistration],
        *,
        actor: str,
    ) -> Recorded:
        """Register entrants, all or nothing. Each must be a registered worker; an employee
        entered for an employer in the ledger must be its staff (incl. dispatched, outsourced,
        affiliated) on the day of registration."""
        competition = self.competition(competition_id)
        at = self.clock()
        names: dict[UUID, str] = {}
        for entry in entrants:
            worker = self.worker(entry.worker_id)
            kind = EntrantKind(entry.entrant_kind)
            employer_id = entry.employer_id
            if employer_id is None and kind is EntrantKind.EMPLOYEE and not entry.employer_name:
                employer_id = worker.employer_on(at.date())
            employer_name = entry.employer_name
            on_staff = None
            if employer_id is not None:
                if employer_id not in names:
                    names[employer_id] = self.organisation(employer_id).name
                employer_name = employer_name or names[employer_id]
                on_staff = worker.is_staff_of(employer_id, at.date())
            competition.register_entrant(
                worker_id=worker.id,
                name=worker.name,
                entrant_kind=kind,
                employer_id=employer_id,
                employer_name=employer_name or "",
                at=at,
                actor=actor,
                on_staff=on_staff,
            )
        return self.record(competition)

    @retried
    def withdraw_entrant(
        self: Ledger, competition_id: UUID, worker_id: UUID, *, reason: str, actor: str
    ) -> Recorded:
        competition = self.competition(competition_id)
        competition.withdraw_entrant(worker_id, reason=reason, at=self.clock(), actor=actor)
        return self.record(competition)

    # -- marks -----------------------------------------------------------------------------

    def record_mark(
        self: Ledger,
        competition_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        judge: str,
        mark: object,
        actor: str,
    ) -> Recorded:
        return self.record_marks(
            competition_id, [MarkEntry(worker_id, component, judge, mark)], actor=actor
        )

    @retried
    def record_marks(
        self: Ledger, competition_id: UUID, marks: Iterable[MarkEntry], *, actor: str
    ) -> Recorded:
        """Record judges' marks, all or nothing (one event per mark)."""
        competition = self.competition(competition_id)
        competition.record_marks(list(marks), at=self.clock(), actor=actor)
        return self.record(competition)

    @retried
    def correct_mark(
        self: Ledger,
        competition_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        judge: str,
        mark: object,
        reason: str,
        actor: str,
    ) -> Recorded:
        competition = self.competition(competition_id)
        competition.correct_mark(
            worker_id=worker_id,
            component=component,
            judge=judge,
            mark=mark,
            reason=reason,
            at=self.clock(),
            actor=actor,
        )
        return self.record(competition)

    @retried
    def review_spread(
        self: Ledger,
        competition_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        note: str,
        actor: str,
    ) -> Recorded:
        competition = self.competition(competition_id)
        competition.review_spread(
            worker_id=worker_id, component=component, note=note, at=self.clock(), actor=actor
        )
        return self.record(competition)

    @retried
    def record_finish_time(
        self: Ledger,
        competition_id: UUID,
        *,
        worker_id: UUID,
        finished_at: datetime,
        reason: str | None = None,
        actor: str,
    ) -> Recorded:
        competition = self.competition(competition_id)
        competition.record_finish_time(
            worker_id=worker_id,
            finished_at=finished_at,
            reason=reason,
            at=self.clock(),
            actor=actor,
        )
        return self.record(competition)

    @retried
    def lock_component(
        self: Ledger, competition_id: UUID, component: str, *, actor: str
    ) -> Recorded:
        competition = self.competition(competition_id)
        competition.lock_component(component, at=self.clock(), actor=actor)
        return self.record(competition)

    # -- results ---------------------------------------------------------------------------

    @retried
    @pausing_collection
    def finalise_competition(self: Ledger, competition_id: UUID, *, actor: str) -> Recorded:
        """Compute and publish the results, awards, standardised scores and promotion
        proposals (the worker facts read from the ledger for the entrants that need them).
        A big competition is one large batch: the garbage collector waits until it is saved."""
        competition = self.competition(competition_id)
        at = self.clock()
        standings = competition.standings()
        levels, granted = self._promotion_facts(
            competition, competition.promotion_candidates(standings)
        )
        competition.finalise(
            standings, current_levels=levels, promotions_granted=granted, at=at, actor=actor
        )
        awards = competition.awards()
        if not awards:
            return self.record(competition)
        entries = self.credentials.allocate_status_list_entries(
            competition.organiser_id,
            [award_subject(competition.id, result["worker_id"]) for result in awards],
            at=at,
            actor=actor,
            new_subjects=True,  # award subjects name this competition: finalised only now
        )
        return self.record(competition, *entries.aggregates)

    def _promotion_facts(
        self: Ledger, competition: Competition, candidates: Sequence[str]
    ) -> tuple[dict[str, SkillLevel | None], dict[str, int]]:
        """Each candidate's current level in the competition's occupation and the competition
        promotions granted to them in its year, by worker id (text), read in a few queries."""
        levels: dict[str, SkillLevel | None] = {}
        granted: dict[str, int] = {}
        years: dict[str, int | None] = {}
        workers, certificates = self._workers_and_certificates([UUID(k) for k in candidates])
        for key in candidates:
            worker = workers[UUID(key)]
            levels[key] = self.current_level(worker, competition.occupation_code, certificates)
            granted[key] = self.competition_promotions_granted(
                worker, competition.year, years, certificates
            )
        return levels, granted

    def _workers_and_certificates(
        self: Ledger, worker_ids: Sequence[UUID]
    ) -> tuple[dict[UUID, Worker], dict[str, Certificate]]:
        """The workers and every certificate they hold (by number), read in a few queries
        instead of one per aggregate; ``NotFound`` as ``Ledger.worker`` / ``certificate``."""
        workers = self.load_many(worker_ids)
        for worker_id in worker_ids:
            if not isinstance(workers.get(worker_id), Worker):
                raise NotFound(f"no worker {worker_id}")
        numbers = [
            held["number"] for worker in workers.values() for held in worker.certificates.values()
        ]
        ids = {number: Certificate.create_id(number=number) for number in numbers}
        loaded = self.load_many(ids.values())
        certificates: dict[str, Certificate] = {}
        for number, certificate_id in ids.items():
            certificate = loaded.get(certificate_id)
            if not isinstance(certificate, Certificate):
                raise NotFound(f"no certificate {certificate_id}")
            certificates[number] = certificate
        return workers, certificates

    def current_level(
        self: Ledger,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> SkillLevel | None:
        """The worker's level in the occupation: the highest valid one held, or None.
        ``certificates``: the worker's certificates by number, when the caller loaded them."""
        return max(self.workers.held_levels(worker, occupation_code, certificates), default=None)

    def competition_promotions_granted(
        self: Ledger,
        worker: Worker,
        year: int,
        years: dict[str, int | None] | None = None,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> int:
        """Competition promotions granted to the worker from competitions of ``year`` (a
        revoked certificate does not count). ``years`` caches competition id → year;
        ``certificates``: the worker's certificates by number, when the caller loaded them."""
        cache = {} if years is None else years
        count = 0
        for held in worker.certificates.values():
            number = held["number"]
            certificate = (
                certificates[number]
                if certificates is not None and number in certificates
                else self.certificate(number)
            )
            basis = certificate.basis
            if (
                basis.get("kind") != BasisKind.COMPETITION.value
                or basis.get("bypass") != Bypass.COMPETITION_PROMOTION.value
                or certificate.status is CertificateStatus.REVOKED
            ):
                continue
            reference = str(basis.get("reference") or "")
            if reference not in cache:
                cache[reference] = self._competition_year(reference)
            granted_year = cache[reference]
            if granted_year is None:  # not a competition of this ledger: the issue year
                granted_year = certificate.issued_at.year
            if granted_year == year:
                count += 1
        return count

    def _competition_year(self: Ledger, reference: str) -> int | None:
        try:
            return self.competition(UUID(reference)).year
        except (ValueError, LookupError):
            return None

    # -- promotions ------------------------------------------------------------------------

    def approve_promotion(
        self: Ledger, competition_id: UUID, worker_id: UUID, *, actor: str, note: str = ""
    ) -> Recorded:
        """Approve (核准) one proposal: see :meth:`approve_promotions`."""
        return self.approve_promotions(competition_id, [worker_id], actor=actor, note=note)

    @retried
    @pausing_collection
    def approve_promotions(
        self: Ledger,
        competition_id: UUID,
        worker_ids: Sequence[UUID] | None = None,
        *,
        actor: str,
        note: str = "",
    ) -> Recorded:
        """Approve (核准) proposals -- the named ones, or every pending one -- all or nothing.

        For each, the engine is asked again with today's facts (yearly cap, current level);
        then the issuing body issues the certificate with the competition as its basis. The
        competition, certificates, workers and number series are saved in one atomic save;
        the certificates' credentials are signed before it (``Recorded.credentials``), so an
        issuer that cannot sign refuses the approval. Approving thousands at once is one large
        batch: the garbage collector waits for it.
        """
        competition = self.competition(competition_id)
        competition.require_final()
        if worker_ids is None:
            worker_ids = [
                UUID(key) for key, p in competition.proposals.items() if p["status"] == "proposed"
            ]
        if competition.issuing_body_id is None:  # pragma: no cover - announce requires one
            raise DomainRuleViolation("promotion-needs-issuing-body", "no issuing body")
        issuer = self.organisation(competition.issuing_body_id)
        occupation = self.occupation(competition.occupation_code)
        at = self.clock()
        years: dict[str, int | None] = {}
        by_level: dict[SkillLevel, list[tuple[UUID, IssueRequest]]] = {}
        workers, held_certificates = self._workers_and_certificates(list(worker_ids))
        for worker_id in worker_ids:
            worker = workers[worker_id]
            held = tuple(self.workers.held_levels(worker, occupation.code, held_certificates))
            level = competition.approvable_level(
                worker_id,
                current_level=max(held, default=None),
                promotions_granted=self.competition_promotions_granted(
                    worker, competition.year, years, held_certificates
                ),
            )
            basis = competition.promotion_basis(worker_id, at=at, actor=actor)
            by_level.setdefault(level, []).append(
                (worker_id, IssueRequest(worker=worker, basis=basis, held_levels=held))
            )
        touched: list[Any] = []
        issued: list[Certificate] = []
        for level, requests in sorted(by_level.items(), key=lambda item: item[0].rank):
            if not issuer.evaluator_prefix:  # pragma: no cover - announce requires a body
                raise DomainRuleViolation(
                    "not-an-evaluation-body", f"{issuer.name} is not a filed evaluation body"
                )
            series = self.certificates.number_series(issuer, at.year, level)
            certificates = issue_certificates(
                issuer=issuer,
                occupation=occupation,
                level=level,
                series=series,
                requests=[request for _, request in requests],
                issued_at=at,
                actor=actor,
            )
            for (worker_id, request), certificate in zip(requests, certificates, strict=True):
                competition.approve_promotion(
                    worker_id,
                    level=level,
                    certificate_number=certificate.number,
                    note=note,
                    at=at,
                    actor=actor,
                )
                touched += [certificate, request.worker]
                issued.append(certificate)
            touched.append(series)
        return self.credentials.record_issue(issuer, issued, competition, *touched, actor=actor)

    @retried
    def reject_promotion(
        self: Ledger, competition_id: UUID, worker_id: UUID, *, reason: str, actor: str
    ) -> Recorded:
        """Do not approve a proposal (不予核准), with the reason."""
        competition = self.competition(competition_id)
        competition.reject_promotion(worker_id, reason=reason, at=self.clock(), actor=actor)
        return self.record(competition)

    # -- award credentials -----------------------------------------------------------------

    def award_credential_id(
        self: Ledger, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> str:
        base = self.credentials.credential_urls.base_url
        url = f"{base}/api/v1/competitions/{competition_id}/awards/"
        url += f"{worker_id}/credential"
        return url if disclosure == "full" else url + "?disclosure=public"

    def unsigned_award_credential(
        self: Ledger, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> tuple[Competition, dict[str, Any]]:
        """An award's Open Badges credential before signing, built from the recorded results:
        the organiser awards it at finalisation (its status entries were allocated then)."""
        competition = self.competition(competition_id)
        result = competition.result_of(worker_id)
        if result is None or result["award"] is None:
            raise NotFound(f"no award of competition {competition_id} for worker {worker_id}")
        organiser = self.organisation(competition.organiser_id)
        allocation = self.credentials.allocation_of(
            organiser.id, award_subject(competition.id, worker_id)
        )
        if allocation is None:  # pragma: no cover - finalisation allocates every award's entries
            raise NotFound(f"the award of worker {worker_id} has no status list entries")
        worker = self.worker(worker_id)
        identifier = self.credentials.holder_identifier(worker.id) if disclosure == "full" else None
        award = Award(result["award"])
        occupation = self.occupation(competition.occupation_code)
        finalised_at = competition.finalised_at
        assert finalised_at is not None
        group = "" if result["group"] == ALL_ENTRANTS else f" ({result['group']}s)"
        document = build_award_credential(
            urls=self.credentials.credential_urls,
            credential_id=self.award_credential_id(competition.id, worker.id, disclosure),
            award_id=str(worker.id),
            holder=Holder(result["name"] or worker.name, worker.masked_id_number, identifier),
            issuer_id=organiser.id,
            issuer_name=organiser.name,
            competition={
                "id": str(competition.id),
                "reference": competition.reference,
                "name": competition.name,
                "tier": competition.tier.value,
                "year": competition.year,
                "region": competition.region,
                "occupation_code": occupation.code,
                "occupation_name": occupation.name,
            },
            award={
                "title": award.name_zh,
                "rank": f"{result['rank']} of {result['group_size']}{group}",
                "medal": award.value,
                "score": result["total"],
                "results": {
                    **{c["component"]: c["score"] for c in result["components"]},
                    "standardised": result["standardised"],
                },
                "criteria": "gold, silver and bronze for ranks 1-3; 优胜奖 for rank > 3 within "
                "the top half of entrants; ranked by total, then "
                + ", ".join(competition.tie_break_order.components or ("nothing",))
                + (", then earlier finish" if competition.tie_break_order.earlier_finish else ""),
            },
            awarded_at=finalised_at,
            status_indexes=dict(allocation.indexes),
            disclosure=disclosure,
        )
        return competition, document

    def award_credential(
        self: Ledger, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> dict[str, Any]:
        """The award's credential, signed by the organiser with its key valid at finalisation
        (deterministic from the events)."""
        competition, document = self.unsigned_award_credential(
            competition_id, worker_id, disclosure
        )
        organiser = self.organisation(competition.organiser_id)
        assert competition.finalised_at is not None
        return self.credentials.sign_credential(organiser, document, competition.finalised_at)
