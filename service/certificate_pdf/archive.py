"""A session's certificates as one ZIP (证书打包), made by a background job.

Each signed PDF takes about a quarter of a second (``benchmarks/bench_certificate_pdf.py``), so a
session of thousands is minutes of work: too long for one request. The ``certificate-archive``
job (its handler is ``service.certificate_pdf.archive_job``) writes ``<number>.pdf`` for every
valid certificate the session issued (one no longer valid is left out and named in
``left-out.txt``) to ``<data dir>/archives/<job id>.zip``, reporting its progress as it goes; the
file appears under its name only when complete (it is written beside it and renamed). Archives
are kept :data:`KEPT_SECONDS` and swept when a new one is made. Re-running the job (after a crash)
writes the archive again.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from domain.certificate import CertificateStatus
from domain.evaluation import Evaluation

__all__ = ["ARCHIVE_JOB", "KEPT_SECONDS", "archive_path", "sweep", "write_session_zip"]

ARCHIVE_JOB = "certificate-archive"
KEPT_SECONDS = 24 * 3600
STAGE = "rendering"

Progress = Callable[[str, int, int], None]


def write_session_zip(
    pdfs: Any,
    evaluation: Evaluation,
    out: IO[bytes],
    shown: str = "masked",
    *,
    actor: str = "system",
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Write the session's valid certificates' PDFs to ``out`` as a ZIP; (written, left out)."""
    numbers = pdfs.session_numbers(evaluation)
    left_out = []
    written = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, number in enumerate(numbers):
            if progress is not None:
                progress(STAGE, done, len(numbers))
            certificate = pdfs.ledger.certificate(number)
            if certificate.status is not CertificateStatus.VALID:
                left_out.append(f"{number}\t{certificate.status.value}")
                continue
            archive.writestr(f"{number}.pdf", pdfs.certificate_pdf(number, shown, actor=actor))
            written += 1
        if left_out:
            archive.writestr("left-out.txt", "\n".join(left_out) + "\n")
    if progress is not None:
        progress(STAGE, len(numbers), len(numbers))
    return written, len(left_out)


def archive_folder(ledger: Any) -> Path:
    folder = Path(ledger.settings.data_dir) / "archives"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def archive_path(ledger: Any, job_id: str) -> Path:
    """Where the archive of job ``job_id`` is (a UUID: nothing else names a file here)."""
    return archive_folder(ledger) / f"{UUID(job_id)}.zip"


def sweep(folder: Path) -> None:
    """Remove archives older than :data:`KEPT_SECONDS`."""
    stale = time.time() - KEPT_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < stale:
                path.unlink()
        except FileNotFoundError:
            continue
