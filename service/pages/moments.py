"""Date-times as the pages show them: UTC, with China Standard Time (北京时间, UTC+8, no
daylight saving since 1991) beside it, to the second.

The ledger keeps instants in UTC (event timestamps as ISO 8601 strings, tree heads as
milliseconds since the epoch, RFC 9162's unit); :func:`moment` reads either and the
``moment(value)`` macro of ``templates/pages/macros.html`` draws it in a ``<time>`` element whose
``datetime`` attribute keeps the exact instant for machines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.china_time import CHINA

__all__ = ["CHINA_STANDARD_TIME", "Moment", "moment"]

CHINA_STANDARD_TIME = CHINA
SHOWN = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Moment:
    """One instant, ready to show: ``iso`` (UTC, for ``<time datetime>``), ``utc`` and
    ``china`` (``YYYY-MM-DD HH:MM:SS`` on each clock)."""

    iso: str
    utc: str
    china: str


def moment(value: datetime | int | str | None) -> Moment | None:
    """``value`` (an aware or UTC-naive datetime, milliseconds since the epoch, or an ISO 8601
    string) as a :class:`Moment`; ``None`` for nothing or for text that is not a date-time."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        instant = datetime.fromtimestamp(value / 1000, UTC)
    elif isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        instant = value
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    utc = instant.astimezone(UTC)
    return Moment(
        iso=utc.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        utc=utc.strftime(SHOWN),
        china=utc.astimezone(CHINA_STANDARD_TIME).strftime(SHOWN),
    )
