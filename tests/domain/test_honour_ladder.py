"""Honour ladders: the tier rule (逐级评选), configurable per ladder."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainRuleViolation
from domain.honour_ladder import HonourLadder

TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]
UNION = uuid4()
WORKER = uuid4()


def ladder(**rule) -> HonourLadder:
    return HonourLadder.define(union_id=UNION, name="朝阳荣誉", tiers=TIERS, actor="u", **rule)


def replayed(original: HonourLadder) -> HonourLadder:
    """The ladder rebuilt from its events, as the ledger loads it."""
    rebuilt = None
    for recorded in original.collect_events():
        rebuilt = recorded.mutate(rebuilt)
    assert rebuilt is not None
    return rebuilt


def refusal(ladder: HonourLadder, tier: str, year: int) -> DomainRuleViolation:
    with pytest.raises(DomainRuleViolation) as raised:
        ladder.award(f"X-{tier}-{year}", WORKER, tier, year, "u")
    return raised.value


def test_with_the_rule_a_tier_needs_the_tier_below_from_an_earlier_year():
    ruled = ladder(requires_tier_below=True)
    ruled.award("A1", WORKER, "朝阳能手", 2023, "u")  # the lowest tier needs nothing below
    ruled.award("A2", WORKER, "朝阳匠心达人", 2024, "u")
    error = refusal(ruled, "朝阳大师", 2026)  # skips 朝阳工匠
    assert error.rule == "tier-below-required"
    assert "朝阳工匠" in error.detail and "2025" in error.detail
    assert error.facts == {"tier": "朝阳工匠", "year": 2025}
    assert ruled.highest_tier_of(WORKER) == "朝阳匠心达人"


def test_the_same_year_is_refused_and_an_earlier_year_accepted():
    ruled = ladder(requires_tier_below=True)
    ruled.award("A1", WORKER, "朝阳能手", 2024, "u")
    assert refusal(ruled, "朝阳匠心达人", 2024).rule == "tier-below-required"
    ruled.award("A2", WORKER, "朝阳匠心达人", 2025, "u")
    assert ruled.highest_tier_of(WORKER) == "朝阳匠心达人"


def test_min_years_between_is_per_ladder():
    ruled = ladder(requires_tier_below=True, min_years_between=2)
    ruled.award("A1", WORKER, "朝阳能手", 2023, "u")
    assert refusal(ruled, "朝阳匠心达人", 2024).facts == {"tier": "朝阳能手", "year": 2022}
    ruled.award("A2", WORKER, "朝阳匠心达人", 2025, "u")


def test_a_withdrawn_lower_tier_does_not_count():
    ruled = ladder(requires_tier_below=True)
    ruled.award("A1", WORKER, "朝阳能手", 2023, "u")
    ruled.withdraw("A1", "u", "材料不实")
    assert refusal(ruled, "朝阳匠心达人", 2025).rule == "tier-below-required"


def test_another_workers_lower_tier_does_not_count():
    ruled = ladder(requires_tier_below=True)
    ruled.award("A1", uuid4(), "朝阳能手", 2023, "u")
    assert refusal(ruled, "朝阳匠心达人", 2025).rule == "tier-below-required"


def test_a_ladder_without_the_rule_accepts_a_skip_and_the_same_year():
    free = ladder()
    free.award("A1", WORKER, "朝阳能手", 2024, "u")
    free.award("A2", WORKER, "朝阳工匠", 2024, "u")
    free.award("A3", uuid4(), "朝阳大师", 2024, "u")
    assert free.highest_tier_of(WORKER) == "朝阳工匠"


def test_old_history_without_the_rule_event_loads_with_no_rule():
    old = ladder()
    old.award("A1", WORKER, "朝阳工匠", 2024, "u")
    assert [type(e).__name__ for e in old.pending_events] == ["Defined", "TitleAwarded"]
    loaded = replayed(old)
    assert loaded.requires_tier_below is False
    loaded.award("A2", WORKER, "朝阳大师", 2024, "u")  # no rule: accepted


def test_the_rule_is_recorded_right_after_the_definition_and_replays():
    ruled = ladder(requires_tier_below=True, min_years_between=3)
    names = [type(e).__name__ for e in ruled.pending_events]
    assert names == ["Defined", "TierRuleSet"]
    loaded = replayed(ruled)
    assert (loaded.requires_tier_below, loaded.min_years_between) == (True, 3)


def test_the_rule_can_be_changed_later_with_a_reason():
    free = ladder()
    with pytest.raises(DomainRuleViolation) as raised:
        free.set_tier_rule(True, 1, "u", " ")
    assert raised.value.rule == "reason-required"
    free.set_tier_rule(True, 1, "u", "2025年起逐级评选")
    assert refusal(free, "朝阳匠心达人", 2025).rule == "tier-below-required"
    with pytest.raises(DomainRuleViolation) as raised:
        free.set_tier_rule(True, 1, "u", "again")
    assert raised.value.rule == "tier-rule-unchanged"
    free.set_tier_rule(False, 1, "u", "取消逐级")
    free.award("A1", WORKER, "朝阳大师", 2025, "u")


@pytest.mark.parametrize("years", [-1, 21, True])
def test_years_between_tiers_is_checked(years):
    with pytest.raises(DomainRuleViolation) as raised:
        ladder(requires_tier_below=True, min_years_between=years)
    assert raised.value.rule == "invalid-ladder"
