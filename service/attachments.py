"""Files a person downloads (a session's workbook, its certificates' ZIP, a certificate's PDF):
one answer for the API and the pages alike, private and never cached."""

from __future__ import annotations

import re

from flask import Response

__all__ = ["XLSX", "attachment", "session_workbook_name"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    """``body`` to be saved as ``filename`` (``private, no-store``: it may name people)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def session_workbook_name(reference: str) -> str:
    """``evaluation-<reference>.xlsx``, with anything but ``A-Za-z0-9._-`` as ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"evaluation-{reference}.xlsx")
