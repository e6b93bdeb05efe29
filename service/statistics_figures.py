"""Statistics figures (统计数字) as the API and the statistics page show them: counts as Chinese
reports write them (24.13万), ratios as whole percents, and the projections the figures read."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projections.statistics import Statistics

__all__ = ["chinese_count", "percent", "statistics_projections"]

TEN_THOUSAND = Decimal(10_000)
HUNDRED_MILLION = Decimal(100_000_000)


def statistics_projections() -> list[Any]:
    return [Statistics()]


def _decimal_text(value: Decimal) -> str:
    text = str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text


def chinese_count(count: int) -> str:
    """A count as Chinese reports write it: 887, 2000, 24.13万, 1.2亿 (two decimals, half up,
    trailing zeros dropped)."""
    if count < 10_000:
        return str(count)
    in_wan = (Decimal(count) / TEN_THOUSAND).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if in_wan < TEN_THOUSAND:
        return _decimal_text(in_wan) + "万"
    return _decimal_text(Decimal(count) / HUNDRED_MILLION) + "亿"


def percent(ratio: str | None) -> str | None:
    """``"0.3713"`` → ``"37%"`` (whole percent, half up)."""
    if ratio is None:
        return None
    return str((Decimal(ratio) * 100).quantize(Decimal(1), ROUND_HALF_UP)) + "%"
