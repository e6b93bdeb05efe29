"""Credential issuing over a real ledger: what building from events, allocating status indexes
and online verification cost, against raw Ed25519 and a plain issuance in the same run.

Baselines measured in the same run:

* raw Ed25519 ``sign`` / ``verify`` of 64 bytes (what ``eddsa-jcs-2022`` signs);
* for issuance: the same certificate issuance with the credential hook (status index
  allocation, atomic with the certificate) switched off.

Runs (SQLite in a temporary directory, real clock):

* ``credential``: ``Credentials.certificate_credential`` (load certificate, issuer, allocation and
  sealed identifier from the log, build, sign);
* ``sign only``: ``sign_credential`` on a prebuilt document;
* ``verify online``: ``Credentials.verify_credential`` (controller document and status lists served
  from the ledger, status lists cached per version);
* ``issue``: ``Certificates.issue_certificate`` with and without the status list allocation.

    python benchmarks/bench_credential_issuing.py [--certificates 200] [--rounds 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.id_number import IdNumber
from domain.organisation import OrganisationKind
from domain.skill_level import SkillLevel
from service.config import Settings
from service.credentials.status_lists import StatusLists
from service.ledger import Ledger

ELECTRICIAN = "6-31-01-03"


def rate(action: Callable[[], object], rounds: int) -> float:
    """Operations per second, best of three runs of ``rounds``."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            action()
        best = min(best, time.perf_counter() - start)
    return rounds / best


def id_number(serial: int) -> IdNumber:
    return IdNumber.resident("110105", date(1970, 1, 1) + timedelta(days=serial), serial % 1000)


def world(data_dir: Path, workers: int, prefix: str, code: str) -> tuple[Ledger, object, list]:
    ledger = Ledger(Settings(data_dir=data_dir))
    body = ledger.organisations.file_organisation(
        filing_code=code,
        name="北京链家",
        kind=OrganisationKind.EMPLOYER,
        province_code="11",
        evaluator_prefix=prefix,
        scope={ELECTRICIAN: ["5", "4", "3"]},
        actor="bench",
    ).aggregate
    ids = []
    for serial in range(workers):
        worker = ledger.workers.register_worker(
            id_number=id_number(serial), name=f"工人{serial}", actor="bench"
        ).aggregate
        ledger.workers.start_employment(worker.id, body.id, since=date(2020, 1, 1), actor="bench")
        ids.append(worker.id)
    return ledger, body, ids


def issue_all(ledger: Ledger, body: object, workers: list) -> tuple[list[str], float]:
    start = time.perf_counter()
    numbers = [
        ledger.certificates.issue_certificate(
            issuer_id=body.id,  # type: ignore[attr-defined]
            worker_id=worker,
            occupation_code=ELECTRICIAN,
            level=SkillLevel.LEVEL_5,
            basis={"kind": "evaluation", "reference": "BENCH"},
            actor="bench",
        ).aggregate.number
        for worker in workers
    ]
    return numbers, len(workers) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()

    key = Ed25519PrivateKey.generate()
    message = bytes(64)
    signature = key.sign(message)
    public = key.public_key()
    raw_sign = rate(lambda: key.sign(message), args.rounds)
    raw_verify = rate(lambda: public.verify(signature, message), args.rounds)

    with tempfile.TemporaryDirectory() as tmp:
        ledger, body, workers = world(Path(tmp) / "a", args.certificates, "Y000011000001", "A")
        numbers, issue_rate = issue_all(ledger, body, workers)
        number = numbers[0]
        organisation = ledger.organisation(body.id)  # type: ignore[attr-defined]
        certificate, unsigned = ledger.credentials.unsigned_certificate_credential(number)
        signed = ledger.credentials.certificate_credential(number)
        rounds = max(args.rounds // 10, 50)
        build_rate = rate(lambda: ledger.credentials.certificate_credential(number), rounds)
        sign_rate = rate(
            lambda: ledger.credentials.sign_credential(
                organisation, unsigned, certificate.issued_at
            ),
            args.rounds,
        )
        verify_rate = rate(lambda: ledger.credentials.verify_credential(signed), rounds)
        ledger.close()

        # Issuance with and without the hook, alternating, best of two each (fresh stores).
        hook = StatusLists.credential_records_for
        issue_rates, plain_rates = [issue_rate], []
        for attempt in range(2):
            StatusLists.credential_records_for = lambda self, *a, **k: []  # type: ignore[method-assign]
            try:
                plain, body_b, workers_b = world(
                    Path(tmp) / f"plain-{attempt}", args.certificates, "Y000011000002", "B"
                )
                plain_rates.append(issue_all(plain, body_b, workers_b)[1])
                plain.close()
            finally:
                StatusLists.credential_records_for = hook  # type: ignore[method-assign]
            if attempt == 0:
                again, body_c, workers_c = world(
                    Path(tmp) / "again", args.certificates, "Y000011000003", "C"
                )
                issue_rates.append(issue_all(again, body_c, workers_c)[1])
                again.close()
        issue_rate, plain_rate = max(issue_rates), max(plain_rates)

    print(f"raw Ed25519: sign {raw_sign:,.0f}/s, verify {raw_verify:,.0f}/s")
    print(
        f"credential from events + sign: {build_rate:,.0f}/s "
        f"({build_rate / raw_sign:.3f} of raw sign)"
    )
    print(f"sign a built credential: {sign_rate:,.0f}/s ({sign_rate / raw_sign:.3f} of raw sign)")
    print(
        f"verify online (ledger resolvers, issuer check): {verify_rate:,.0f}/s "
        f"({verify_rate / raw_verify:.3f} of raw verify)"
    )
    print(
        f"issue with status index allocation: {issue_rate:,.1f}/s vs {plain_rate:,.1f}/s "
        f"without ({issue_rate / plain_rate:.2f} of plain issuance, "
        f"{args.certificates} certificates, SQLite)"
    )


if __name__ == "__main__":
    main()
