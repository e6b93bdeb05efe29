"""A worker's ladder (技能等级阶梯) as the API and the worker page show it: the read models it
comes from, levels and promotions grouped by occupation, and the empty ladder and career of a
worker the read models have not seen yet."""

from __future__ import annotations

from typing import Any

from projections.career_stage import CareerStage
from projections.worker_ladder import WorkerLadder

__all__ = ["EMPTY_CAREER", "EMPTY_LADDER", "ladder_projections", "occupations_of"]


def ladder_projections() -> list[Any]:
    return [WorkerLadder(), CareerStage()]


def occupations_of(ladder: dict[str, Any]) -> list[dict[str, Any]]:
    """Levels and promotions grouped by occupation (every occupation with either)."""
    grouped: dict[str, dict[str, Any]] = {}
    for level in ladder["levels"]:
        grouped[level["occupation_code"]] = {
            "occupation_code": level["occupation_code"],
            "occupation_name": level["occupation_name"],
            "current": {
                key: level[key] for key in ("level", "level_name", "number", "source", "since")
            },
            "promotions": [],
        }
    for promotion in ladder["promotions"]:
        entry = grouped.setdefault(
            promotion["occupation_code"],
            {
                "occupation_code": promotion["occupation_code"],
                "occupation_name": promotion["occupation_name"],
                "current": None,
                "promotions": [],
            },
        )
        entry["promotions"].append(
            {key: value for key, value in promotion.items() if not key.startswith("occupation_")}
        )
    return [grouped[code] for code in sorted(grouped)]


EMPTY_LADDER: dict[str, Any] = {
    "levels": [],
    "promotions": [],
    "history": [],
    "honours": [],
    "competitions": [],
    "posts": [],
}
EMPTY_CAREER: dict[str, Any] = {
    "stage": None,
    "stage_name": None,
    "stage_rank": None,
    "since": None,
    "stages": [],
    "evidence": [],
}
