"""What the audit service answers when the log cannot: each carries the message an HTTP problem
shows."""

from __future__ import annotations

__all__ = ["AwaitingHead", "LogUnavailable", "NotYetSigned", "OutOfRange"]


class LogUnavailable(RuntimeError):
    """The transparency log cannot answer (not built yet, or no such size); the message says
    what is missing (HTTP 404)."""


class NotYetSigned(LogUnavailable):
    """The leaf is in the log (or about to be) but no signed tree head covers it yet: the
    background job signs one within ``retry_after`` seconds (HTTP 409 with ``Retry-After``)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AwaitingHead(NotYetSigned):
    """The leaf *is* in the transparency log (the event was recorded) and only the signed tree
    head covering it is still to come."""


class OutOfRange(ValueError):
    """A leaf index or tree size outside the log (HTTP 404/422); the message says which."""
