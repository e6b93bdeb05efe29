"""Competition marking schemes (评分方案) as the API and the ledger take them."""

from __future__ import annotations

from typing import Any

PRACTICAL_AND_THEORY = (
    {"name": "practical", "weight": "70", "kind": "measurement"},
    {"name": "theory", "weight": "30", "kind": "judgement"},
)
PRACTICAL_ONLY = ({"name": "practical", "weight": "100", "kind": "measurement"},)


def marking_scheme(
    combination: str = "mean",
    max_spread: str | None = "10",
    components: tuple[dict[str, str], ...] = PRACTICAL_AND_THEORY,
) -> dict[str, Any]:
    """A fresh scheme: practical 70 % (measured) and theory 30 % (judged) unless told; judges'
    marks combined by ``combination``; a spread above ``max_spread`` is flagged for review
    (no limit given when ``None``)."""
    scheme: dict[str, Any] = {
        "components": [dict(component) for component in components],
        "combination": combination,
    }
    if max_spread is not None:
        scheme["max_spread"] = max_spread
    return scheme
