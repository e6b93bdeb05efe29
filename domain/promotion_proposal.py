"""The promotion engine (竞赛晋级): one entrant's :class:`PromotionProposal` under a rule set.

The rules, their conditions and level promotions are in :mod:`domain.promotion_rules`.

Several rules may qualify (e.g. a 全国技能大赛 silver medallist who is also in the top 5): the
highest proposed level wins, ties going to the rule listed first; honour titles (全国技术能手) are
collected from every qualifying rule. Finally, if the rule set caps promotions per year
(同一年内因参加竞赛只能晋升一次) and the worker already had that many competition promotions
granted this year, no level is proposed (:attr:`PromotionOutcome.YEARLY_LIMIT_REACHED`), the rule
id ``"<set>/yearly-limit"`` is reported, and the explanation names the level that was blocked.

The engine only *proposes*: a proposal becomes a certificate only after the HR bureau approves it
(核准). Every proposal names the rule set and the rule that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidValue
from domain.promotion_rules import CompetitionTier, EntrantKind, PromotionOutcome, PromotionRuleSet
from domain.ranking import Award
from domain.rule_data import one_of, record
from domain.skill_level import SkillLevel

__all__ = ["PromotionProposal", "propose_promotion"]


@dataclass(frozen=True)
class PromotionProposal:
    """The engine's answer: ``target_level`` (None = no promotion), the ``outcome``, the
    qualified ``rule_id`` that decided it (None when no rule covered or qualified the entrant),
    a human-readable ``explanation``, and any ``honour_titles`` the qualifying rules confer."""

    rule_set: str
    outcome: PromotionOutcome
    target_level: SkillLevel | None
    rule_id: str | None
    explanation: str
    honour_titles: tuple[str, ...] = ()

    @property
    def is_promotion(self) -> bool:
        return self.target_level is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_set": self.rule_set,
            "outcome": self.outcome.value,
            "target_level": None if self.target_level is None else self.target_level.code,
            "rule_id": self.rule_id,
            "explanation": self.explanation,
            "honour_titles": list(self.honour_titles),
        }

    @classmethod
    def from_dict(cls, data: object) -> PromotionProposal:
        fields = record(
            data,
            "promotion proposal",
            required={"rule_set", "outcome", "target_level", "rule_id", "explanation"},
            optional={"honour_titles"},
        )
        level = fields["target_level"]
        return cls(
            rule_set=fields["rule_set"],
            outcome=one_of(PromotionOutcome, fields["outcome"], "outcome"),
            target_level=None if level is None else SkillLevel.from_code(level),
            rule_id=fields["rule_id"],
            explanation=fields["explanation"],
            honour_titles=tuple(fields.get("honour_titles", ())),
        )


def propose_promotion(
    rule_set: PromotionRuleSet,
    *,
    tier: CompetitionTier | str,
    rank: int,
    entrant_count: int,
    entrant_kind: EntrantKind | str,
    award: Award | str | None,
    current_level: SkillLevel | None,
    promotions_granted_this_year: int = 0,
    programme: str | None = None,
) -> PromotionProposal:
    """Propose a promotion for one entrant (pure; see the module docstring).

    ``rank`` and ``entrant_count`` are within the entrant's group; ``current_level`` is the
    worker's level in the competition's occupation (None if none);
    ``promotions_granted_this_year`` counts competition promotions already granted (approved)
    to this worker in the competition's year; ``programme`` names a competition programme
    some rules are limited to (e.g. ``"national-skills-competition"``, 全国技能大赛).
    ``tier``, ``entrant_kind`` and ``award`` may also be given by their string values (so any
    equal-valued ``StrEnum``, such as the aggregate's tier, is accepted).
    """
    tier = one_of(CompetitionTier, tier, "tier")
    entrant_kind = one_of(EntrantKind, entrant_kind, "entrant kind")
    award = None if award is None else one_of(Award, award, "award")
    _check_inputs(
        rule_set,
        rank,
        entrant_count,
        current_level,
        promotions_granted_this_year,
        programme,
    )
    standing = f"rank {rank} of {entrant_count} {entrant_kind.value}s at tier {tier.value}"
    if programme is not None:
        standing += f" ({programme})"
    if award is not None:
        standing += f", {award.name_zh}"

    def answer(
        outcome: PromotionOutcome,
        target: SkillLevel | None,
        rule_id: str | None,
        explanation: str,
        titles: tuple[str, ...] = (),
    ) -> PromotionProposal:
        return PromotionProposal(
            rule_set=rule_set.name,
            outcome=outcome,
            target_level=target,
            rule_id=rule_id,
            explanation=f"{standing}: {explanation}",
            honour_titles=titles,
        )

    covering = rule_set.rules_covering(tier, entrant_kind, programme)
    if not covering:
        return answer(
            PromotionOutcome.NOT_COVERED,
            None,
            None,
            f"no rule in {rule_set.name} covers {entrant_kind.value}s at tier {tier.value}"
            + ("" if programme is None else f" in programme {programme}"),
        )
    missed = [(rule, rule.shortfalls(rank, entrant_count, award)) for rule in covering]
    qualifying = [rule for rule, shortfalls in missed if not shortfalls]
    if not qualifying:
        reasons = "; ".join(
            f"{rule_set.qualified_id(rule)} needs {rule.describe_conditions()}: "
            + ", ".join(shortfalls)
            for rule, shortfalls in missed
        )
        return answer(PromotionOutcome.NOT_QUALIFIED, None, None, reasons)

    titles = tuple(dict.fromkeys(rule.honour_title for rule in qualifying if rule.honour_title))
    resolved = [(rule, *rule.promotion.resolve(current_level)) for rule in qualifying]
    promoting = [entry for entry in resolved if entry[1] is not None]
    if not promoting:
        first_rule, _, first_outcome, _ = resolved[0]
        reasons = "; ".join(
            f"qualifies under {rule_set.qualified_id(rule)} ({rule.describe_conditions()}, "
            f"{rule.promotion.describe()}) but {reason}"
            for rule, _, _, reason in resolved
        )
        return answer(first_outcome, None, rule_set.qualified_id(first_rule), reasons, titles)

    best_rank = max(target.rank for _, target, _, _ in promoting if target is not None)
    rule, target, _, reason = next(
        entry for entry in promoting if entry[1] is not None and entry[1].rank == best_rank
    )
    assert target is not None
    because = (
        f"qualifies under {rule_set.qualified_id(rule)} ({rule.describe_conditions()}, "
        f"{rule.promotion.describe()}); {reason}"
    )
    if len(qualifying) > 1:
        because += f" (highest of {len(qualifying)} qualifying rules)"
    cap = rule_set.max_promotions_per_year
    if cap is not None and promotions_granted_this_year >= cap:
        return answer(
            PromotionOutcome.YEARLY_LIMIT_REACHED,
            None,
            rule_set.qualified_id("yearly-limit"),
            f"{because}; refused: {rule_set.name} allows at most {cap} competition "
            f"promotion(s) per person per year and {promotions_granted_this_year} already "
            "granted this year",
            titles,
        )
    return answer(PromotionOutcome.PROPOSED, target, rule_set.qualified_id(rule), because, titles)


def _check_inputs(
    rule_set: object,
    rank: object,
    entrant_count: object,
    current_level: object,
    granted: object,
    programme: object,
) -> None:
    if not isinstance(rule_set, PromotionRuleSet):
        raise InvalidValue("rule set", "expected a PromotionRuleSet")
    if isinstance(entrant_count, bool) or not isinstance(entrant_count, int) or entrant_count < 1:
        raise InvalidValue("entrant count", f"must be a positive integer, got {entrant_count!r}")
    if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= entrant_count:
        raise InvalidValue("rank", f"must be 1..{entrant_count}, got {rank!r}")
    if current_level is not None and not isinstance(current_level, SkillLevel):
        raise InvalidValue(
            "current level", f"expected a skill level or None, got {current_level!r}"
        )
    if isinstance(granted, bool) or not isinstance(granted, int) or granted < 0:
        raise InvalidValue(
            "promotions granted this year", f"must be a non-negative integer, got {granted!r}"
        )
    if programme is not None and (not isinstance(programme, str) or not programme):
        raise InvalidValue("programme", "expected a programme id or None")
