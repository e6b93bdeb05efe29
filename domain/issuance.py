"""Issuing certificates: the rules that span issuer, worker, occupation and number series.

A pure domain service. The application loads the aggregates, these functions check every
invariant and return the new ``Certificate`` objects (the workers and the series are mutated in
place), and the application saves them all in one atomic ``save``.

The rules live in three checks, used by both paths so that they never diverge:

* :func:`check_issuer` -- the issuer may issue this occupation and level (once per batch);
* :func:`check_candidate` -- this worker may receive it (own staff, basis, levels in order);
* :func:`check_series` -- the number series belongs to the issuer and level.

:func:`issue_certificate` issues one certificate; :func:`issue_certificates` issues a batch
(e.g. every passing candidate of a self-evaluation session): it checks *every* candidate before
allocating anything, refuses the whole batch naming each failing candidate, and allocates all
serials in one ``SerialsAllocated`` event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.certificate import BasisKind, Bypass, Certificate
from domain.china_time import china_date
from domain.errors import DomainRuleViolation
from domain.number_series import CertificateNumberSeries
from domain.occupation import Occupation
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus
from domain.skill_level import SkillLevel
from domain.worker import Worker


def next_level_in_order(occupation: Occupation, held: Iterable[SkillLevel]) -> SkillLevel:
    """The level a worker may take next without a bypass: the lowest allowed level above the
    highest held one, or the occupation's lowest level when none is held."""
    allowed = sorted(occupation.allowed_levels)
    held_levels = [level for level in held if level in occupation.allowed_levels]
    if not held_levels:
        return allowed[0]
    highest = max(held_levels)
    above = [level for level in allowed if level > highest]
    if not above:
        raise DomainRuleViolation(
            "highest-level-held", f"already holds the highest level of {occupation.name}"
        )
    return above[0]


def check_basis(basis: dict[str, Any]) -> None:
    """A basis names its kind and reference; a bypass needs evidence."""
    try:
        BasisKind(str(basis.get("kind")))
    except ValueError:
        raise DomainRuleViolation(
            "invalid-basis",
            f"basis kind must be one of {', '.join(k.value for k in BasisKind)}",
        ) from None
    bypass = basis.get("bypass")
    if bypass is not None:
        try:
            Bypass(bypass)
        except ValueError:
            raise DomainRuleViolation(
                "invalid-bypass", f"bypass must be one of {', '.join(b.value for b in Bypass)}"
            ) from None
        if not str(basis.get("evidence") or "").strip():
            raise DomainRuleViolation(
                "bypass-needs-evidence", f"the {bypass} bypass must be recorded with evidence"
            )


def check_issuer(issuer: Organisation, occupation: Occupation, level: SkillLevel) -> None:
    """The issuer is an active evaluation body filed for this occupation and level."""
    if not issuer.kind.evaluates:
        raise DomainRuleViolation(
            "not-an-evaluation-body", f"{issuer.name} is not a filed evaluation body"
        )
    if issuer.status is OrganisationStatus.SUSPENDED:
        raise DomainRuleViolation("issuer-suspended", f"{issuer.name} is suspended")
    if issuer.status is OrganisationStatus.REVOKED:
        raise DomainRuleViolation("issuer-revoked", f"{issuer.name}'s filing is revoked")
    if not level.is_numbered or not occupation.allows(level):
        raise DomainRuleViolation(
            "level-not-allowed-for-occupation",
            f"{occupation.name} ({occupation.code}) has no {level.name_zh} certificate",
        )
    if not issuer.covers(occupation.code, level):
        raise DomainRuleViolation(
            "outside-filed-scope",
            f"{issuer.name} is not filed for {occupation.name} {level.name_zh}",
        )


def check_candidate(
    *,
    issuer: Organisation,
    worker: Worker,
    occupation: Occupation,
    level: SkillLevel,
    basis: dict[str, Any],
    held_levels: Iterable[SkillLevel],
    on: date,
) -> None:
    """``worker`` may receive ``level`` from ``issuer`` on ``on`` (issuer checked separately)."""
    if issuer.kind is OrganisationKind.EMPLOYER and not worker.is_staff_of(issuer.id, on):
        raise DomainRuleViolation(
            "not-own-staff",
            f"{issuer.name} issues Y certificates only to its own staff; "
            f"{worker.name} is not employed there on {on}",
        )
    check_basis(basis)
    held = list(held_levels)
    if any(h >= level for h in held if h in occupation.allowed_levels):
        raise DomainRuleViolation(
            "level-already-held",
            f"{worker.name} already holds {occupation.name} {max(held).name_zh} or above",
        )
    expected = next_level_in_order(occupation, held)
    if level > expected and basis.get("bypass") is None:
        raise DomainRuleViolation(
            "levels-in-order",
            f"{worker.name}'s next {occupation.name} level is {expected.name_zh}; "
            f"{level.name_zh} needs a recorded bypass with evidence",
        )


def check_series(series: CertificateNumberSeries, issuer: Organisation, level: SkillLevel) -> None:
    if (series.evaluator_prefix, series.level) != (issuer.evaluator_prefix, level.code):
        raise DomainRuleViolation(
            "wrong-number-series", "the number series does not belong to this issuer and level"
        )


def certificate_for(
    *,
    number: str,
    issuer: Organisation,
    worker: Worker,
    occupation: Occupation,
    level: SkillLevel,
    basis: dict[str, Any],
    issued_at: datetime,
    actor: str,
) -> Certificate:
    """The ``Issued`` certificate under an allocated ``number``; the worker notes it as held."""
    certificate = Certificate(
        number=number,
        worker_id=worker.id,
        holder_name=worker.name,
        masked_id_number=worker.masked_id_number,
        issuer_id=issuer.id,
        issuer_name=issuer.name,
        occupation_code=occupation.code,
        occupation_name=occupation.name,
        level=level.code,
        basis=dict(basis),
        issued_at=issued_at,
        actor=actor,
    )
    worker.receive_certificate(
        number=number,
        occupation_code=occupation.code,
        level=level.code,
        issuer_id=issuer.id,
        issued_on=china_date(issued_at).isoformat(),
        actor=actor,
    )
    return certificate


def issue_certificate(
    *,
    issuer: Organisation,
    worker: Worker,
    occupation: Occupation,
    level: SkillLevel,
    basis: dict[str, Any],
    series: CertificateNumberSeries,
    held_levels: Iterable[SkillLevel],
    issued_at: datetime,
    actor: str,
) -> Certificate:
    """Issue one certificate, enforcing every issuing invariant (each violation names its rule)."""
    check_issuer(issuer, occupation, level)
    check_candidate(
        issuer=issuer,
        worker=worker,
        occupation=occupation,
        level=level,
        basis=basis,
        held_levels=held_levels,
        on=china_date(issued_at),
    )
    check_series(series, issuer, level)
    (number,) = series.allocate(1, actor)
    return certificate_for(
        number=str(number),
        issuer=issuer,
        worker=worker,
        occupation=occupation,
        level=level,
        basis=basis,
        issued_at=issued_at,
        actor=actor,
    )


@dataclass(frozen=True)
class IssueRequest:
    """One certificate of a batch: who receives it, on what basis, and the levels they hold."""

    worker: Worker
    basis: dict[str, Any]
    held_levels: tuple[SkillLevel, ...] = ()


class BatchRefused(DomainRuleViolation):
    """A batch was refused because some candidates may not receive a certificate.

    ``rule`` is the first failure's rule; ``failures`` lists ``(worker, violation)`` for every
    failing candidate (nothing of the batch is issued).
    """

    def __init__(self, failures: Sequence[tuple[Worker, DomainRuleViolation]], total: int) -> None:
        shown = "; ".join(
            f"{worker.name} ({worker.masked_id_number}): {error.rule}: {error.detail}"
            for worker, error in failures[:10]
        )
        more = f"; and {len(failures) - 10} more" if len(failures) > 10 else ""
        super().__init__(
            failures[0][1].rule,
            f"{len(failures)} of {total} candidates cannot receive a certificate, so none is "
            f"issued: {shown}{more}",
        )
        self.failures = list(failures)


ProgressCallback = Callable[[int, int], None]


def issue_certificates(
    *,
    issuer: Organisation,
    occupation: Occupation,
    level: SkillLevel,
    series: CertificateNumberSeries,
    requests: Sequence[IssueRequest],
    issued_at: datetime,
    actor: str,
    progress: ProgressCallback | None = None,
) -> list[Certificate]:
    """Issue a batch, all or nothing: the same checks as :func:`issue_certificate` for every
    request, then one allocation of ``len(requests)`` consecutive serials.

    Nothing is mutated unless every request passes; ``progress(done, total)`` is called as
    candidates are checked and then as certificates are built (``total`` is twice the count).
    """
    check_issuer(issuer, occupation, level)
    check_series(series, issuer, level)
    total = len(requests)
    seen: set[Any] = set()
    failures: list[tuple[Worker, DomainRuleViolation]] = []
    for done, request in enumerate(requests, start=1):
        worker = request.worker
        try:
            if worker.id in seen:
                raise DomainRuleViolation(
                    "duplicate-candidate", f"{worker.name} appears twice in the batch"
                )
            seen.add(worker.id)
            check_candidate(
                issuer=issuer,
                worker=worker,
                occupation=occupation,
                level=level,
                basis=request.basis,
                held_levels=request.held_levels,
                on=china_date(issued_at),
            )
        except DomainRuleViolation as error:
            failures.append((worker, error))
        if progress is not None:
            progress(done, 2 * total)
    if failures:
        raise BatchRefused(failures, total)
    if not requests:
        return []
    numbers = series.allocate(total, actor)
    certificates = []
    for done, (request, number) in enumerate(zip(requests, numbers, strict=True), start=1):
        certificates.append(
            certificate_for(
                number=str(number),
                issuer=issuer,
                worker=request.worker,
                occupation=occupation,
                level=level,
                basis=request.basis,
                issued_at=issued_at,
                actor=actor,
            )
        )
        if progress is not None:
            progress(total + done, 2 * total)
    return certificates
