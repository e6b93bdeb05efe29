"""Free text recorded in events (reasons, notes): required where the rules say, stripped, and
with anything shaped like a resident ID number masked, so personal data never enters the log.
"""

from __future__ import annotations

import re

from domain.errors import DomainRuleViolation, InvalidValue
from domain.id_number import IdNumber

_ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    """Replace every valid-looking 18-character resident ID number in ``text`` by its mask."""

    def masked(match: re.Match[str]) -> str:
        try:
            return IdNumber.parse(match.group(0).upper()).masked
        except InvalidValue:
            return match.group(0)

    return _ID_SHAPED.sub(masked, text)


def require_reason(reason: object, what: str) -> str:
    """The reason, stripped and masked; a missing or blank one breaks ``reason-required``.

    Corrections, withdrawals, revocations and rejections are recorded with why (design §6).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise DomainRuleViolation("reason-required", f"{what} needs a reason")
    return mask_id_numbers(reason.strip())
