"""Workers' share links (分享链接, with an optional 提取码): make, list, revoke, open.

A link's URL carries one opaque token: the link's id and a 144-bit secret, base64url. The ledger
stores only the secret's SHA-256 and, for a link with an extraction code, an HMAC of the code
under a key derived from the ledger's identity secret (a 4-character code hashed without a key
could be found by trying them all). Opening checks, in this order: the token names a link, the
secret matches, the link is neither revoked nor expired, and the code matches when one is set.
Every refusal names its reason; an unknown link and a wrong secret are the same refusal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.errors import DomainRuleViolation
from domain.share_link import ShareLink, ShareLinkState
from service.commands import NotFound, Recorded, retried
from service.ledger import Ledger

__all__ = [
    "CODE_PATTERN",
    "MadeShareLink",
    "ShareLinkRefused",
    "ShareLinks",
    "normalise_code",
]

SECRET_BYTES = 18
CODE_PATTERN = re.compile(r"[A-Za-z0-9]{4,8}")
MAX_LINKS_LISTED = 200


class ShareLinkRefused(Exception):
    """The link cannot be opened; ``reason`` is unknown, revoked, expired, code-required or
    code-wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MadeShareLink:
    """A new link and its token (shown once; only its hash is kept)."""

    link: ShareLink
    token: str
    position: int | None


def normalise_code(code: str) -> str:
    """An extraction code as compared: trimmed, lower case (codes are read aloud and retyped)."""
    code = code.strip()
    if not CODE_PATTERN.fullmatch(code):
        raise DomainRuleViolation(
            "invalid-extraction-code", "an extraction code is 4 to 8 letters or digits"
        )
    return code.lower()


def _secret_hash(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()


def encode_token(link_id: UUID, secret: bytes) -> str:
    return base64.urlsafe_b64encode(link_id.bytes + secret).decode("ascii").rstrip("=")


def decode_token(token: str) -> tuple[UUID, bytes] | None:
    if not 40 <= len(token) <= 64 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 16 + SECRET_BYTES:
        return None
    return UUID(bytes=raw[:16]), raw[16:]


class ShareLinks:
    """The share-link commands and queries over one ``Ledger``."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._code_key = hmac.new(
            ledger.settings.identity_key(), b"craftledger share-link code v1", hashlib.sha256
        ).digest()

    def _code_hash(self, link_id: UUID, code: str) -> str:
        message = f"{link_id}:{normalise_code(code)}".encode()
        return hmac.new(self._code_key, message, hashlib.sha256).hexdigest()

    # -- commands ---------------------------------------------------------------------------

    @retried
    def make(
        self,
        worker_id: UUID,
        *,
        valid_for: timedelta,
        code: str | None,
        label: str,
        actor: str,
    ) -> MadeShareLink:
        """Make a link for ``worker_id`` valid for ``valid_for`` (at most 90 days)."""
        self.ledger.worker(worker_id)
        serial = self._next_serial(worker_id)
        link_id = ShareLink.create_id(worker_id=worker_id, serial=serial)
        secret = secrets.token_bytes(SECRET_BYTES)
        made_at = self.ledger.clock()
        link = ShareLink.make(
            worker_id=worker_id,
            serial=serial,
            secret_hash=_secret_hash(secret),
            code_hash=self._code_hash(link_id, code) if code else None,
            made_at=made_at,
            expires_at=made_at + valid_for,
            label=label,
            actor=actor,
        )
        recorded = self.ledger.record(link)
        return MadeShareLink(link, encode_token(link.id, secret), recorded.position)

    @retried
    def revoke(self, worker_id: UUID, link_id: UUID, *, actor: str, reason: str) -> Recorded:
        """Revoke one of the worker's links (another worker's link is not found)."""
        link = self.get(link_id)
        if link.worker_id != worker_id:
            raise NotFound(f"no share link {link_id}")
        link.revoke(self.ledger.clock(), actor, reason)
        return self.ledger.record(link)

    # -- queries ----------------------------------------------------------------------------

    def get(self, link_id: UUID) -> ShareLink:
        try:
            link = self.ledger.repository.get(link_id)
        except AggregateNotFoundError:
            raise NotFound(f"no share link {link_id}") from None
        if not isinstance(link, ShareLink):
            raise NotFound(f"no share link {link_id}")
        return link

    def _next_serial(self, worker_id: UUID) -> int:
        serial = 1
        while self.ledger.exists(ShareLink.create_id(worker_id=worker_id, serial=serial)):
            serial += 1
        return serial

    def of_worker(self, worker_id: UUID) -> list[ShareLink]:
        """The worker's links, newest first."""
        links = []
        for serial in range(1, MAX_LINKS_LISTED + 1):
            link_id = ShareLink.create_id(worker_id=worker_id, serial=serial)
            try:
                links.append(self.get(link_id))
            except NotFound:
                break
        return list(reversed(links))

    def state(self, link: ShareLink) -> ShareLinkState:
        return link.state_at(self.ledger.clock())

    def find(self, token: str) -> ShareLink:
        """The link a token names, if its secret matches; refused as ``unknown`` otherwise."""
        decoded = decode_token(token)
        if decoded is None:
            raise ShareLinkRefused("unknown")
        link_id, secret = decoded
        try:
            link = self.get(link_id)
        except NotFound:
            raise ShareLinkRefused("unknown") from None
        if not hmac.compare_digest(link.secret_hash, _secret_hash(secret)):
            raise ShareLinkRefused("unknown")
        return link

    def open(self, token: str, code: str | None = None, *, code_checked: bool = False) -> ShareLink:
        """The link, if it may be opened now; ``code_checked`` when this visitor already gave
        the right code (kept in their session)."""
        link = self.find(token)
        state = self.state(link)
        if state is not ShareLinkState.ACTIVE:
            raise ShareLinkRefused(state.value)
        if link.needs_code and not code_checked:
            if not code:
                raise ShareLinkRefused("code-required")
            try:
                given = self._code_hash(link.id, code)
            except DomainRuleViolation:
                raise ShareLinkRefused("code-wrong") from None
            if not hmac.compare_digest(given, link.code_hash or ""):
                raise ShareLinkRefused("code-wrong")
        return link

    def is_open(self, link: ShareLink, moment: datetime | None = None) -> bool:
        return link.state_at(moment or self.ledger.clock()) is ShareLinkState.ACTIVE
