"""Certificate PDFs: the time to issue and render N (default 5,000) signed certificate PDFs, per
PDF and in total, against baselines measured in the same run.

Runs (SQLite in a temporary directory, real clock), each over the same certificates in turn:

* ``issue``: ``Certificates.issue_certificate`` (the certificate and its status list entry);
* ``credential`` (baseline): the full-disclosure signed credential alone, what the PDF attaches;
* ``unsigned PDF`` (baseline): the page drawn with the credential attached, not signed;
* ``signed PDF``: ``CertificatePdfs.certificate_pdf``, what the API answers (credential, page,
  PAdES signature by the organisation's P-256 document-signing key).

With ``--sample M`` (M < N) only M certificates are issued and rendered, and the totals for N are
extrapolated from them (linearly: each PDF is independent of the others); the output says so.

    python benchmarks/bench_certificate_pdf.py [--count 5000] [--sample 500]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from domain.id_number import IdNumber
from domain.organisation import OrganisationKind
from domain.skill_level import SkillLevel
from service.certificate_pdf import CertificatePdfs
from service.config import Settings
from service.ledger import Ledger

ELECTRICIAN = "6-31-01-03"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def name_of(serial: int) -> str:
    return SURNAMES[serial % len(SURNAMES)] + GIVEN[serial % 23] + GIVEN[(serial // 23) % 29]


def seconds(action: Callable[[str], object], numbers: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``action`` over ``numbers`` (CPU time is what a shared machine's
    other load does not inflate)."""
    start, cpu = time.perf_counter(), time.process_time()
    for number in numbers:
        action(number)
    return time.perf_counter() - start, time.process_time() - cpu


def issued_world(data_dir: Path, count: int) -> tuple[Ledger, list[str], tuple[float, float]]:
    ledger = Ledger(Settings(data_dir=data_dir))
    body = ledger.organisations.file_organisation(
        filing_code="11-Y-000001",
        name="北京链家房地产经纪有限公司",
        kind=OrganisationKind.EMPLOYER,
        province_code="11",
        evaluator_prefix="Y000011000001",
        scope={ELECTRICIAN: ["5", "4", "3"]},
        actor="bench",
    ).aggregate
    workers = []
    for serial in range(count):
        number = IdNumber.resident(
            "110105", date(1970, 1, 1) + timedelta(days=serial), serial % 1000
        )
        worker = ledger.workers.register_worker(
            id_number=number, name=name_of(serial), actor="bench"
        ).aggregate
        ledger.workers.start_employment(worker.id, body.id, since=date(2020, 1, 1), actor="bench")
        workers.append(worker.id)
    start, cpu = time.perf_counter(), time.process_time()
    numbers = [
        ledger.certificates.issue_certificate(
            issuer_id=body.id,
            worker_id=worker,
            occupation_code=ELECTRICIAN,
            level=SkillLevel.LEVEL_5,
            basis={"kind": "evaluation", "reference": "BENCH"},
            actor="bench",
        ).aggregate.number
        for worker in workers
    ]
    return ledger, numbers, (time.perf_counter() - start, time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="PDFs to account for")
    parser.add_argument(
        "--sample", type=int, help="issue and render only this many; extrapolate to --count"
    )
    args = parser.parse_args()
    sample = min(args.sample or args.count, args.count)
    scale = args.count / sample

    with tempfile.TemporaryDirectory() as tmp:
        ledger, numbers, issue_seconds = issued_world(Path(tmp), sample)
        pdfs = CertificatePdfs(ledger)
        pdfs.certificate_pdf(numbers[0], actor="bench")  # the key is made once, not timed
        runs = {
            "issue": issue_seconds,
            "credential (baseline)": seconds(
                lambda n: ledger.credentials.certificate_credential(n, "full"), numbers
            ),
            "unsigned PDF (baseline)": seconds(
                lambda n: pdfs.unsigned_pdf(ledger.certificate(n)), numbers
            ),
            "signed PDF": seconds(lambda n: pdfs.certificate_pdf(n, actor="bench"), numbers),
        }
        size = len(pdfs.certificate_pdf(numbers[-1], actor="bench"))
        ledger.close()

    how = "measured" if sample == args.count else f"extrapolated from {sample} (x{scale:g})"
    print(f"certificate PDFs: {args.count} certificates, {how}; one PDF is {size / 1024:.0f} KiB")
    total = f"total for {args.count} (s)"
    print(f"{'run':<26}{'wall/PDF (ms)':>15}{'cpu/PDF (ms)':>14}{total:>22}")
    runs["issue + signed PDF"] = (
        runs["issue"][0] + runs["signed PDF"][0],
        runs["issue"][1] + runs["signed PDF"][1],
    )
    for label, (wall, cpu) in runs.items():
        print(
            f"{label:<26}{wall / sample * 1000:>15.1f}{cpu / sample * 1000:>14.1f}"
            f"{wall * scale:>22.1f}"
        )
    wall = runs["issue + signed PDF"][0] * scale
    print(f"issue and render {args.count} signed PDFs: {wall / 60:.1f} min wall on one process")


if __name__ == "__main__":
    main()
