"""An uploaded spreadsheet held between its preview (dry run) and its recording (导入预览).

A console import is two POSTs: the file is checked (a dry run shows every row's problems) and,
once the person has looked, recorded. The second POST must record *the file that was
previewed*, without asking the browser to send it again (a re-chosen file could differ from
the one checked) and without round-tripping its bytes through the page (a hidden field would
carry ID numbers through the HTML). So the bytes are held here:

* :func:`hold` writes them to ``<data_dir>/uploads/<token>.<kind>`` (owner-only), under a random
  token that is also put in the person's session (its newest :data:`KEPT`): only the session
  that uploaded a file can take it back, and only as the kind it was held for;
* :func:`take` returns them once (the file is deleted) within :data:`LIFETIME`; an unknown,
  foreign, expired or already-taken token answers None (the page asks for the file again);
* every :func:`hold` sweeps held files older than :data:`LIFETIME`, so an abandoned preview
  does not keep ID numbers on disk for long.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from pathlib import Path

from flask import session

from service.app_services import ledger

__all__ = ["LIFETIME", "hold", "take"]

LIFETIME = 30 * 60
"""Seconds a held file may be taken after it was held."""

SESSION_KEY = "held_uploads"
KEPT = 4
"""Tokens a session keeps (the newest); an older preview must be uploaded again."""
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
KIND = re.compile(r"[a-z]{1,20}")


def _folder() -> Path:
    folder = Path(ledger().settings.data_dir) / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path, now: float) -> None:
    for held in folder.iterdir():
        with contextlib.suppress(OSError):
            if now - held.stat().st_mtime > LIFETIME:
                held.unlink()


def hold(data: bytes, kind: str) -> str:
    """Keep ``data`` (an upload of ``kind``, e.g. ``scores``) for this person's session; the
    token to :func:`take` it back with."""
    if not KIND.fullmatch(kind):
        raise ValueError(f"not an upload kind: {kind!r}")
    folder = _folder()
    _sweep(folder, time.time())
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}.{kind}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    held = dict(list((session.get(SESSION_KEY) or {}).items())[-(KEPT - 1) :])
    held[token] = kind
    session[SESSION_KEY] = held
    return token


def take(token: str, kind: str) -> bytes | None:
    """The bytes held under ``token`` for ``kind`` by this session, once; None if there are
    none (unknown, another session's, another kind, expired, or taken already)."""
    held = dict(session.get(SESSION_KEY) or {})
    if not TOKEN.fullmatch(token or "") or held.get(token) != kind:
        return None
    del held[token]
    session[SESSION_KEY] = held
    path = _folder() / f"{token}.{kind}"
    try:
        fresh = time.time() - path.stat().st_mtime <= LIFETIME
        data = path.read_bytes() if fresh else None
        path.unlink()
    except OSError:
        return None
    return data
