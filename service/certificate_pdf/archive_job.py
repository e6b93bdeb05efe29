"""The ``certificate-archive`` job's handler: a session's certificates' signed PDFs, one ZIP
(``service.certificate_pdf.archive`` says where it goes and how long it is kept)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from service.certificate_pdf import CertificatePdfs
from service.certificate_pdf.archive import archive_path, sweep, write_session_zip

__all__ = ["archive_job"]


def archive_job(ledger: Any, params: Mapping[str, Any], progress: Any) -> dict[str, Any]:
    """The ``certificate-archive`` job: every valid certificate of the session as its PDF."""
    evaluation = ledger.evaluation(UUID(str(params["evaluation_id"])))
    target = archive_path(ledger, progress.job_id)
    sweep(target.parent)
    partial = target.with_suffix(".partial")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        written, left_out = write_session_zip(
            CertificatePdfs(ledger),
            evaluation,
            out,
            str(params.get("shown", "masked")),
            actor=str(params["actor"]),
            progress=progress,
        )
    partial.replace(target)
    return {
        "evaluation_id": str(evaluation.id),
        "certificates": written,
        "left_out": left_out,
        "bytes": target.stat().st_size,
    }
