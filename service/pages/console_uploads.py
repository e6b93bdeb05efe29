"""A spreadsheet import in the console: upload, dry-run preview (预览), then record (导入).

The officer uploads a file; the page shows the import's dry run (every row, every row's
problems, nothing recorded) and, for a clean file, a button that records it. The file must reach
that second POST without being uploaded again, and it holds raw ID numbers, which nothing may
keep in the clear outside the identity-hash path. So the bytes are held server-side *sealed*:
encrypted (AES-GCM) under a fresh random key that the server never stores. The key travels only
in the preview form's hidden field ``upload`` (``<file id>.<key>``, both random); the sealed copy
is ``<data dir>/uploads/<file id>``, bound (as associated data) to the person, the import's kind
and its target (the body or the session), so neither another person nor another import can open
it even with the field. A held file lives at most :data:`HELD_SECONDS` (30 minutes): older ones
are removed at every upload, and a recorded one at once.

Why not the alternatives: a sha-256 in a hidden field names the file but leaves its bytes (raw ID
numbers) readable on disk for its lifetime; the signed cookie session is too small for a file;
the process's memory is not shared by several gunicorn workers.

The previews reuse the import's own report (``ImportReport``) and, to list every row, the same
reader (``service.evaluations.spreadsheets.read_table``) with the import's columns.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app, request

from domain.free_text import mask_id_numbers
from service.app_services import ledger
from service.evaluations.imports import ImportReport
from service.evaluations.spreadsheets import CellProblem, cell_text, id_number_cell, read_table
from service.pages.i18n import N_, gettext
from service.pages.people import current_person
from service.problems import Problem
from service.read_models import wait_for_position

__all__ = [
    "CHANGES",
    "HELD_SECONDS",
    "PreviewRow",
    "caught_up",
    "forget",
    "hold",
    "preview_rows",
    "shown_name",
    "take",
    "uploaded_file",
]

HELD_SECONDS = 30 * 60
SHOWN_ROWS = 1000  # beyond this a preview lists only the rows with problems
CHANGES = {  # an ImportReport's changes, as the preview names them
    "registered": N_("新登记人员"),
    "employed": N_("记录入职"),
    "claims": N_("入职待本人确认"),
    "unchanged": N_("已在本机构，不变"),
    "enrolled": N_("新报名考生"),
    "entered": N_("新报名选手"),
}


def _directory() -> Path:
    configured = current_app.config.get("PAGES_UPLOAD_DIR")
    directory = Path(configured) if configured else ledger().settings.data_dir / "uploads"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _bound_to(kind: str, target: UUID) -> bytes:
    person = current_person()
    assert person is not None  # the console lets only people in
    return f"{person.account.id}|{kind}|{target}".encode()


def _sweep(directory: Path) -> None:
    stale = time.time() - HELD_SECONDS
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < stale:
                path.unlink()
        except FileNotFoundError:
            continue


def hold(data: bytes, *, kind: str, target: UUID) -> str:
    """Keep ``data`` sealed for the record step; the hidden field's value (id and key)."""
    directory = _directory()
    _sweep(directory)
    file_id = secrets.token_hex(16)
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, data, _bound_to(kind, target))
    path = directory / file_id
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(sealed)
    return f"{file_id}.{base64.urlsafe_b64encode(key).decode().rstrip('=')}"


def _path_and_key(token: str) -> tuple[Path, bytes] | None:
    file_id, _, key_text = token.partition(".")
    if len(file_id) != 32 or any(c not in "0123456789abcdef" for c in file_id):
        return None
    try:
        key = base64.urlsafe_b64decode(key_text + "=" * (-len(key_text) % 4))
    except (ValueError, TypeError):
        return None
    if len(key) != 32:
        return None
    return _directory() / file_id, key


def take(token: str, *, kind: str, target: UUID) -> bytes | None:
    """The file held under ``token`` for this person, import and target; None when it is
    unknown, expired, or not theirs."""
    found = _path_and_key(token)
    if found is None:
        return None
    path, key = found
    try:
        if path.stat().st_mtime < time.time() - HELD_SECONDS:
            path.unlink(missing_ok=True)
            return None
        sealed = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return AESGCM(key).decrypt(sealed[:12], sealed[12:], _bound_to(kind, target))
    except (InvalidTag, ValueError):
        return None


def forget(token: str) -> None:
    """Remove the held file (it was recorded)."""
    found = _path_and_key(token)
    if found is not None:
        found[0].unlink(missing_ok=True)


def uploaded_file() -> tuple[bytes, str] | str:
    """The form's ``file`` (its bytes and name), or the message to show beside the field."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return gettext("请选择要上传的文件（.xlsx 或 .csv）。")
    data = upload.read()
    if not data:
        return gettext("文件是空的，请选择填好的表格。")
    return data, shown_name(upload.filename)


def shown_name(filename: str) -> str:
    """A file's name as a page shows it: short, and any ID number in it masked."""
    return mask_id_numbers(filename[:120])


@dataclass
class PreviewRow:
    """One row of the file as the preview lists it: its number, the person (ID number masked),
    the import's other cells worth seeing, and the row's problems."""

    number: int
    name: str
    masked_id_number: str
    cells: dict[str, str]
    problems: list[Any] = field(default_factory=list)


def _masked_cell(row: Mapping[str, object]) -> str:
    """The row's ID number masked; a number the reader refused is masked all the same."""
    try:
        return id_number_cell(row).masked
    except CellProblem:
        text = cell_text(row, "id_number")
        if len(text) >= 10:
            return text[:6] + "*" * (len(text) - 10) + text[-4:]
        return "*" * len(text)


def preview_rows(
    data: bytes,
    report: ImportReport,
    columns: Mapping[str, tuple[str, ...]],
    shown: tuple[str, ...],
) -> tuple[list[PreviewRow], list[Any], int]:
    """Every row of the file with its problems (``shown``: the other columns to list), the
    problems of the file as a whole (its header), and how many clean rows were left out."""
    by_row: dict[int, list[Any]] = {}
    for problem in report.problems:
        by_row.setdefault(problem.row, []).append(problem)
    rows = []
    left_out = 0
    for number, row in read_table(data, columns).rows:
        problems = by_row.pop(number, [])
        if not problems and len(rows) >= SHOWN_ROWS:
            left_out += 1
            continue
        rows.append(
            PreviewRow(
                number=number,
                # as the file has them, but an ID number in a wrong column is masked too
                name=mask_id_numbers(cell_text(row, "name")),
                masked_id_number=_masked_cell(row),
                cells={column: mask_id_numbers(cell_text(row, column)) for column in shown},
                problems=problems,
            )
        )
    whole_file = [problem for found in by_row.values() for problem in found]
    return rows, whole_file, left_out


def caught_up(position: str | None) -> None:
    """Wait (bounded) for the read models to apply ``position`` (``?at=`` after a command), so
    the list shows what was just recorded; a bad or unreached position is let go."""
    with contextlib.suppress(ValueError, Problem):
        wait_for_position(int(position or 0))
