"""Hukou points policies (积分落户 / 居住证积分): each city's versioned rule for scoring skill
certificates, loaded from the package's data files. The statement a worker can show under one is
computed by ``domain.points_statement``.

Policy data files
=================

One JSON file per policy *version* in ``domain/data/points_policies/`` (UTF-8; loaded with
:mod:`importlib.resources`, so they ship inside the package). File name: ``<id>@<version>.json``.
Fields (``format`` 1):

``format``                ``1``
``id``                    stable policy id, e.g. ``"shanghai-residence-points"``
``version``               version label, unique per id, e.g. ``"2018"``
``city`` / ``city_en``    ``"上海市"`` / ``"Shanghai"``
``province_code``         GB/T 2260 province-level code of the city, e.g. ``"31"``
``name``                  the policy's name
``source``                the document it implements (文号), e.g. ``"沪府发〔2017〕98号"``
``effective_from``        ISO date; the version in force on a date is the one with the latest
                          ``effective_from`` on or before it (a later version supersedes)
``skill_indicator``       ``false`` when the policy scores no skill certificate (Beijing)
``points_by_level``       ``{"5": 15, ..., "1": 140}`` keyed by level code; a level that is absent
                          scores nothing (enterprise posts never score)
``education_combination`` ``"max"`` -- the skill item and the education item are alternatives and
                          only the higher counts (Shanghai: max(education, skill), not the sum);
                          ``"separate"`` -- education is scored under its own indicator
``catalogue``             ``"any"`` or ``{"name": ..., "occupations": ["6-31-01-03", ...]}``
                          (occupation codes of the 职业分类大典)
``conditions``            list of conditions, each an object with ``kind``:

    ``issued_in_province``      checked: the issuer's province is ``province_code``
    ``occupation_in_catalogue`` checked: the certificate's occupation is in ``catalogue``
    ``issue_date_cutoff``       checked: ``{"cutoffs": ["06-30", "12-31"]}`` -- the certificate
                                must be issued on or before the latest cutoff date strictly
                                before ``as_of`` (see *Tianjin* below)
    ``national_query``          checked when the certificate fact says whether it is on the
                                national query service (技能人才评价证书全国联网查询), otherwise
                                listed as unverifiable
    ``unverifiable``            ``{"name": ..., "detail": ..., "levels": ["2", "1"]}`` -- a
                                condition the ledger cannot check; ``levels`` (optional) limits it
                                to those levels

``bonuses``               list of bonuses, each an object with ``kind``:

    ``occupation_tier_bonus``   checked: ``{"name": ..., "label": ..., "tiers": [{"label":
                                "非常紧缺", "points": 25, "occupations": [...]}, ...]}`` -- points
                                of the first tier that lists the certificate's occupation
    ``unverifiable_bonus``      ``{"name": ..., "detail": ..., "points": 10}`` -- extra points
                                that depend on a fact the ledger does not hold; never added,
                                listed with the points at stake

``honours_indicator``     ``null`` or ``{"name": "荣誉表彰", "detail": ...}`` -- honours passed to
                          :func:`compute_points_statement` are listed as unverifiable items the
                          office scores itself
``explanation``           one sentence shown on every statement of this policy
``notes``                 list of strings: what is data-quality caveat, what is interpretation

Tianjin issue-date cutoff -- our reading
----------------------------------------
Tianjin's rule: for applications in the first half-year the certificate must be issued by 12-31
of the previous year, for applications in the second half-year by 06-30 of the same year. We
model the application by the statement date ``as_of`` and take the latest configured cutoff date
*strictly before* ``as_of``: 2025-01-01 .. 2025-06-30 → 2024-12-31; 2025-07-01 .. 2025-12-31 →
2025-06-30. A certificate issued after that cutoff counts only from the next window on.

Tianjin scarce-occupation bonus -- our mapping
----------------------------------------------
The published 天津市居住证积分指标及分值表 grades the *occupation* (职业/工种) by scarcity in the
year's 职业市场需求程度及培训成本目录: 非常紧缺 25, 紧缺 15, 一般紧缺 10. We therefore map the
25/15/10 bonus by the certificate occupation's tier in the version's catalogue, not by the
certificate's level; any level in a listed occupation earns its tier's bonus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from domain.certificate_number import PROVINCE_CODES
from domain.errors import DomainRuleViolation, InvalidValue
from domain.rule_data import DataReader, load_packaged_files
from domain.skill_level import SkillLevel

__all__ = [
    "EducationCombination",
    "OccupationTier",
    "PointsPolicy",
    "PolicyBonus",
    "PolicyCondition",
    "find_policy",
    "list_policies",
    "parse_policy",
]

POLICY_FORMAT = 1


# --- policy ------------------------------------------------------------------------------------


class EducationCombination(StrEnum):
    """How the skill item combines with the education item."""

    MAX = "max"
    """Alternatives: only the higher of education and skill counts (not the sum)."""
    SEPARATE = "separate"
    """Education is scored under its own indicator; this statement covers skill only."""


@dataclass(frozen=True)
class OccupationTier:
    label: str
    points: int
    occupations: frozenset[str]


@dataclass(frozen=True)
class PolicyCondition:
    """One condition of a policy (see the module docstring for the kinds)."""

    kind: str
    name: str = ""
    detail: str = ""
    levels: frozenset[SkillLevel] | None = None
    cutoffs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class PolicyBonus:
    """One bonus of a policy (see the module docstring for the kinds)."""

    kind: str
    name: str
    label: str = ""
    detail: str = ""
    points: int = 0
    tiers: tuple[OccupationTier, ...] = ()


@dataclass(frozen=True)
class PointsPolicy:
    """One version of a city's points policy, as loaded from its data file."""

    id: str
    version: str
    city: str
    city_en: str
    province_code: str
    name: str
    source: str
    effective_from: date
    skill_indicator: bool
    points_by_level: Mapping[SkillLevel, int]
    education_combination: EducationCombination
    catalogue_name: str
    catalogue: frozenset[str] | None
    """Occupation codes the policy accepts; ``None`` means any occupation."""
    conditions: tuple[PolicyCondition, ...]
    bonuses: tuple[PolicyBonus, ...]
    honours_indicator: tuple[str, str] | None
    """``(name, detail)`` of an honours indicator the office scores itself, if any."""
    explanation: str
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``"<id>@<version>"``, the reference a statement carries."""
        return f"{self.id}@{self.version}"

    def points_for(self, level: SkillLevel) -> int | None:
        """Base points for a level, or ``None`` if the policy does not score that level."""
        if not self.skill_indicator:
            return None
        return self.points_by_level.get(level)


# --- loading -----------------------------------------------------------------------------------


def list_policies() -> tuple[PointsPolicy, ...]:
    """Every policy version shipped with the package, ordered by id then effective date."""
    return _load_packaged()


def find_policy(
    policy_id: str, as_of: date, *, policies: Iterable[PointsPolicy] | None = None
) -> PointsPolicy:
    """The version of ``policy_id`` in force on ``as_of`` (latest ``effective_from`` <= as_of).

    Raises :class:`InvalidValue` (field ``"policy"``) for an unknown id and
    :class:`DomainRuleViolation` (rule ``"points-policy-not-in-force"``) when no version of it
    is in force on that date.
    """
    pool = tuple(_load_packaged() if policies is None else policies)
    versions = [policy for policy in pool if policy.id == policy_id]
    if not versions:
        known = sorted({policy.id for policy in pool})
        raise InvalidValue("policy", f"unknown points policy {policy_id!r}; known: {known}")
    in_force = [policy for policy in versions if policy.effective_from <= as_of]
    if not in_force:
        earliest = min(policy.effective_from for policy in versions)
        raise DomainRuleViolation(
            "points-policy-not-in-force",
            f"no version of {policy_id!r} is in force on {as_of.isoformat()}; "
            f"the earliest takes effect {earliest.isoformat()}",
        )
    return max(in_force, key=lambda policy: policy.effective_from)


@cache
def _load_packaged() -> tuple[PointsPolicy, ...]:
    policies = load_packaged_files("domain.data.points_policies", parse_policy, "points policy")
    _check_unique(policies)
    return tuple(sorted(policies, key=lambda policy: (policy.id, policy.effective_from)))


def _check_unique(policies: Sequence[PointsPolicy]) -> None:
    seen: set[tuple[str, str]] = set()
    dates: set[tuple[str, date]] = set()
    for policy in policies:
        if (policy.id, policy.version) in seen:
            raise InvalidValue("points policy", f"duplicate version {policy.key}")
        if (policy.id, policy.effective_from) in dates:
            raise InvalidValue(
                "points policy",
                f"two versions of {policy.id} take effect on {policy.effective_from}",
            )
        seen.add((policy.id, policy.version))
        dates.add((policy.id, policy.effective_from))


# --- parsing -----------------------------------------------------------------------------------


_CONDITION_KINDS = frozenset(
    {
        "issued_in_province",
        "occupation_in_catalogue",
        "issue_date_cutoff",
        "national_query",
        "unverifiable",
    }
)
_BONUS_KINDS = frozenset({"occupation_tier_bonus", "unverifiable_bonus"})


def parse_policy(data: object, *, source: str = "<policy>") -> PointsPolicy:
    """Build a :class:`PointsPolicy` from a decoded policy file; raises :class:`InvalidValue`."""
    top = DataReader(data, source)
    top.reject_unknown(
        {
            "format",
            "id",
            "version",
            "city",
            "city_en",
            "province_code",
            "name",
            "source",
            "effective_from",
            "skill_indicator",
            "points_by_level",
            "education_combination",
            "catalogue",
            "conditions",
            "bonuses",
            "honours_indicator",
            "explanation",
            "notes",
        }
    )
    if top.raw("format") != POLICY_FORMAT:
        raise top.fail("format", f"unsupported format {top.raw('format')!r}; expected 1")
    province_code = top.text("province_code")
    if province_code not in PROVINCE_CODES:
        raise top.fail("province_code", f"{province_code!r} is not a GB/T 2260 province code")

    skill_indicator = top.flag("skill_indicator")
    table = DataReader(top.raw("points_by_level"), f"{source}.points_by_level")
    points_by_level: dict[SkillLevel, int] = {}
    for code in table.data:
        level = SkillLevel.from_code(code)
        if not level.is_numbered:
            raise table.fail(code, "only numbered certificate levels 5..1 can score")
        points_by_level[level] = table.integer(code)
    if skill_indicator and not points_by_level:
        raise top.fail("points_by_level", "a policy with a skill indicator needs a points table")

    try:
        combination = EducationCombination(top.text("education_combination"))
    except ValueError:
        raise top.fail("education_combination", "must be 'max' or 'separate'") from None

    catalogue_raw = top.raw("catalogue")
    catalogue: frozenset[str] | None
    if catalogue_raw == "any":
        catalogue_name, catalogue = "any occupation", None
    else:
        cat = DataReader(catalogue_raw, f"{source}.catalogue")
        cat.reject_unknown({"name", "occupations", "note"})
        catalogue_name = cat.text("name")
        catalogue = frozenset(cat.strings("occupations"))
        if not catalogue:
            raise cat.fail("occupations", "must list at least one occupation code (or use 'any')")

    conditions = tuple(
        _parse_condition(raw, f"{source}.conditions[{index}]")
        for index, raw in enumerate(top.items("conditions"))
    )
    bonuses = tuple(
        _parse_bonus(raw, f"{source}.bonuses[{index}]")
        for index, raw in enumerate(top.items("bonuses"))
    )
    honours_raw = top.data.get("honours_indicator")
    honours_indicator: tuple[str, str] | None = None
    if honours_raw is not None:
        honours = DataReader(honours_raw, f"{source}.honours_indicator")
        honours.reject_unknown({"name", "detail"})
        honours_indicator = (honours.text("name"), honours.text("detail"))

    return PointsPolicy(
        id=top.text("id"),
        version=top.text("version"),
        city=top.text("city"),
        city_en=top.text("city_en"),
        province_code=province_code,
        name=top.text("name"),
        source=top.text("source"),
        effective_from=top.iso_date("effective_from"),
        skill_indicator=skill_indicator,
        points_by_level=points_by_level,
        education_combination=combination,
        catalogue_name=catalogue_name,
        catalogue=catalogue,
        conditions=conditions,
        bonuses=bonuses,
        honours_indicator=honours_indicator,
        explanation=top.text("explanation"),
        notes=tuple(top.strings("notes")),
    )


def _parse_levels(reader: DataReader) -> frozenset[SkillLevel] | None:
    if "levels" not in reader.data:
        return None
    levels = frozenset(SkillLevel.from_code(code) for code in reader.strings("levels"))
    if not levels:
        raise reader.fail("levels", "must name at least one level when present")
    return levels


def _parse_cutoff(text: str, reader: DataReader) -> tuple[int, int]:
    try:
        probe = date.fromisoformat(f"2000-{text}")  # a leap year, so 02-29 parses
    except ValueError:
        raise reader.fail("cutoffs", f"each cutoff must be MM-DD, got {text!r}") from None
    if (probe.month, probe.day) == (2, 29):
        raise reader.fail("cutoffs", "02-29 cannot be a yearly cutoff")
    return probe.month, probe.day


def _parse_condition(raw: object, where: str) -> PolicyCondition:
    reader = DataReader(raw, where)
    kind = reader.text("kind")
    if kind not in _CONDITION_KINDS:
        raise reader.fail(
            "kind", f"unknown condition kind {kind!r}; known: {sorted(_CONDITION_KINDS)}"
        )
    if kind == "unverifiable":
        reader.reject_unknown({"kind", "name", "detail", "levels"})
        return PolicyCondition(
            kind,
            name=reader.text("name"),
            detail=reader.text("detail"),
            levels=_parse_levels(reader),
        )
    if kind == "issue_date_cutoff":
        reader.reject_unknown({"kind", "cutoffs", "levels"})
        cutoffs = tuple(sorted(_parse_cutoff(text, reader) for text in reader.strings("cutoffs")))
        if not cutoffs:
            raise reader.fail("cutoffs", "must list at least one MM-DD cutoff")
        return PolicyCondition(kind, cutoffs=cutoffs, levels=_parse_levels(reader))
    reader.reject_unknown({"kind", "levels"})
    return PolicyCondition(kind, levels=_parse_levels(reader))


def _parse_bonus(raw: object, where: str) -> PolicyBonus:
    reader = DataReader(raw, where)
    kind = reader.text("kind")
    if kind not in _BONUS_KINDS:
        raise reader.fail("kind", f"unknown bonus kind {kind!r}; known: {sorted(_BONUS_KINDS)}")
    if kind == "unverifiable_bonus":
        reader.reject_unknown({"kind", "name", "detail", "points"})
        points = reader.integer("points")
        if points == 0:
            raise reader.fail("points", "a bonus must be worth at least 1 point")
        return PolicyBonus(
            kind, name=reader.text("name"), detail=reader.text("detail"), points=points
        )
    reader.reject_unknown({"kind", "name", "label", "tiers", "note"})
    tiers: list[OccupationTier] = []
    for index, tier_raw in enumerate(reader.items("tiers")):
        tier = DataReader(tier_raw, f"{where}.tiers[{index}]")
        tier.reject_unknown({"label", "points", "occupations"})
        tiers.append(
            OccupationTier(
                label=tier.text("label"),
                points=tier.integer("points"),
                occupations=frozenset(tier.strings("occupations")),
            )
        )
    if not tiers:
        raise reader.fail("tiers", "must list at least one tier")
    return PolicyBonus(
        kind, name=reader.text("name"), label=reader.text("label"), tiers=tuple(tiers)
    )
