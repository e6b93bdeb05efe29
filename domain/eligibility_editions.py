"""Editions of eligibility routes (申报条件): the kinds of route, diplomas and titles they name,
and the edition data files they are loaded from. Checking a candidate against a route is
``domain.eligibility``.

Edition data files
------------------
One JSON file per edition in ``domain/data/eligibility_routes/`` named
``<standard>@<edition>.json`` (UTF-8, loaded with :mod:`importlib.resources`). Fields (format 1):

``format``               ``1``
``standard``             standard id, e.g. ``"generic-default"`` or an occupation code
``edition``              edition label, unique per standard, e.g. ``"2022"``
``title``                human-readable name of the standard edition
``title_zh``             its Chinese name, for Chinese pages (optional; ``title`` when absent)
``generic_default``      ``true`` only for the generic template used when no occupation standard
                         edition is on file
``occupations``          ``"any"`` or a list of occupation codes the edition covers
``related_occupations``  occupation codes that count as 相关职业 (levels and years in them count)
``effective_from``       ISO date; the edition in force on a date is the latest on or before it
``source``               where the routes come from
``notes``                list of strings
``routes``               list of routes, each:
    ``id`` (unique in the edition), ``kind``, ``target_level`` (level code), ``description``
    (the rule in the standard's words), and as the kind needs: ``previous_level`` (level code),
    ``years`` (integer >= 0), ``diploma_kinds`` (list of :class:`DiplomaKind` values),
    ``accepts_final_year_students`` (含尚未取得毕业证书的在校应届毕业生; default false),
    ``min_title_grade`` (a :class:`TitleGrade` value), ``title_series`` (list; absent = any).

An occupation-specific edition always wins over the generic default; among editions of the
same kind, the one with the latest ``effective_from`` on or before the date applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from domain.errors import DomainRuleViolation, InvalidValue
from domain.rule_data import DataReader, load_packaged_files
from domain.skill_level import SkillLevel

__all__ = [
    "DiplomaKind",
    "EligibilityRoute",
    "RouteKind",
    "StandardEdition",
    "TitleGrade",
    "find_edition",
    "find_route",
    "list_editions",
    "parse_edition",
]

EDITION_FORMAT = 1


class RouteKind(StrEnum):
    """How a candidate qualifies for a level."""

    PREVIOUS_LEVEL_PLUS_YEARS = "previous_level_plus_years"
    YEARS_ONLY = "years_only"
    DIPLOMA = "diploma"
    TITLE_PLUS_YEARS = "title_plus_years"
    DIRECT_RECOGNITION = "direct_recognition"  # 直接认定
    FAST_TRACK = "fast_track"  # 破格晋升
    COMPETITION_PROMOTION = "competition_promotion"  # 竞赛晋升 (以赛代评)

    @property
    def is_bypass(self) -> bool:
        """Bypasses stand on an evidence reference rather than on checkable facts."""
        return self in _BYPASSES


_BYPASSES = frozenset(
    {RouteKind.DIRECT_RECOGNITION, RouteKind.FAST_TRACK, RouteKind.COMPETITION_PROMOTION}
)


class DiplomaKind(StrEnum):
    """Diplomas that open a route (本专业或相关专业毕业证书)."""

    APPRENTICESHIP = "apprenticeship"
    """本职业或相关职业学徒期满 -- a completed apprenticeship."""
    TECHNICAL_SCHOOL = "technical_school"
    """技工学校 (中级工班)."""
    SECONDARY_VOCATIONAL = "secondary_vocational"
    """以中级技能为培养目标的中等及以上职业学校 (经评估论证)."""
    SENIOR_TECHNICAL_SCHOOL = "senior_technical_school"
    """高级技工学校 / 技师学院 (高级工班)."""
    HIGHER_VOCATIONAL = "higher_vocational"
    """以高级技能为培养目标的高等职业学校 (经评估论证)."""
    PREPARATORY_TECHNICIAN = "preparatory_technician"
    """技师学院 预备技师班 (预备技师证书)."""
    COLLEGE = "college"
    """大专及以上."""

    @property
    def name_zh(self) -> str:
        return _DIPLOMA_ZH[self]


_DIPLOMA_ZH: Mapping[DiplomaKind, str] = {
    DiplomaKind.APPRENTICESHIP: "学徒期满",
    DiplomaKind.TECHNICAL_SCHOOL: "技工学校毕业",
    DiplomaKind.SECONDARY_VOCATIONAL: "中等及以上职业学校毕业 (中级技能)",
    DiplomaKind.SENIOR_TECHNICAL_SCHOOL: "高级技工学校/技师学院毕业 (高级工班)",
    DiplomaKind.HIGHER_VOCATIONAL: "高等职业学校毕业 (高级技能)",
    DiplomaKind.PREPARATORY_TECHNICIAN: "技师学院 预备技师",
    DiplomaKind.COLLEGE: "大专及以上",
}


class TitleGrade(StrEnum):
    """Professional title grades (职称等级), ordered junior < intermediate < ... < senior."""

    JUNIOR = "junior"  # 初级 (员级/助理级)
    INTERMEDIATE = "intermediate"  # 中级
    ASSOCIATE_SENIOR = "associate_senior"  # 副高级
    SENIOR = "senior"  # 正高级

    @property
    def rank(self) -> int:
        return _TITLE_RANK[self]

    @property
    def name_zh(self) -> str:
        return _TITLE_ZH[self]


_TITLE_RANK: Mapping[TitleGrade, int] = {grade: rank for rank, grade in enumerate(TitleGrade)}
_TITLE_ZH: Mapping[TitleGrade, str] = {
    TitleGrade.JUNIOR: "初级职称",
    TitleGrade.INTERMEDIATE: "中级职称",
    TitleGrade.ASSOCIATE_SENIOR: "副高级职称",
    TitleGrade.SENIOR: "正高级职称",
}


# --- routes and editions -----------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityRoute:
    """One route to one target level, as defined by a standard edition."""

    id: str
    kind: RouteKind
    target_level: SkillLevel
    description: str
    standard: str
    edition: str
    occupations: frozenset[str] | None
    """Occupations covered by the route's edition; ``None`` = any."""
    related_occupations: frozenset[str] = frozenset()
    previous_level: SkillLevel | None = None
    years: int = 0
    diploma_kinds: frozenset[DiplomaKind] = frozenset()
    accepts_final_year_students: bool = False
    min_title_grade: TitleGrade | None = None
    title_series: frozenset[str] | None = None

    @property
    def edition_key(self) -> str:
        return f"{self.standard}@{self.edition}"

    @property
    def needs_evidence(self) -> bool:
        return self.kind.is_bypass


@dataclass(frozen=True)
class StandardEdition:
    """One edition of an occupation standard's eligibility rules (or the generic default)."""

    standard: str
    edition: str
    title: str
    generic_default: bool
    occupations: frozenset[str] | None
    related_occupations: frozenset[str]
    effective_from: date
    source: str
    routes: tuple[EligibilityRoute, ...]
    notes: tuple[str, ...] = ()
    title_zh: str = ""

    @property
    def key(self) -> str:
        return f"{self.standard}@{self.edition}"

    def covers(self, occupation_code: str) -> bool:
        return self.occupations is None or occupation_code in self.occupations

    def routes_for(self, target_level: SkillLevel) -> tuple[EligibilityRoute, ...]:
        return tuple(route for route in self.routes if route.target_level is target_level)

    def route(self, route_id: str) -> EligibilityRoute:
        for route in self.routes:
            if route.id == route_id:
                return route
        raise InvalidValue(
            "eligibility route",
            f"{self.key} has no route {route_id!r}; routes: {[r.id for r in self.routes]}",
        )


# --- loading -----------------------------------------------------------------------------------


def list_editions() -> tuple[StandardEdition, ...]:
    """Every edition shipped with the package, ordered by standard then effective date."""
    return _load_packaged()


def find_edition(
    occupation_code: str,
    on_date: date,
    *,
    editions: Iterable[StandardEdition] | None = None,
) -> StandardEdition:
    """The edition that governs ``occupation_code`` on ``on_date``.

    An occupation-specific edition in force wins; otherwise the generic default in force.
    Raises :class:`DomainRuleViolation` ``"no-eligibility-edition-in-force"`` if neither exists.
    """
    pool = tuple(_load_packaged() if editions is None else editions)
    in_force = [
        edition
        for edition in pool
        if edition.effective_from <= on_date and edition.covers(occupation_code)
    ]
    specific = [edition for edition in in_force if not edition.generic_default]
    chosen = specific or [edition for edition in in_force if edition.generic_default]
    if not chosen:
        raise DomainRuleViolation(
            "no-eligibility-edition-in-force",
            f"no eligibility-route edition covers {occupation_code} on {on_date.isoformat()}",
        )
    return max(chosen, key=lambda edition: edition.effective_from)


def find_route(
    route_id: str,
    occupation_code: str,
    on_date: date,
    *,
    editions: Iterable[StandardEdition] | None = None,
) -> EligibilityRoute:
    """Route ``route_id`` of the edition governing ``occupation_code`` on ``on_date``."""
    return find_edition(occupation_code, on_date, editions=editions).route(route_id)


@cache
def _load_packaged() -> tuple[StandardEdition, ...]:
    editions = load_packaged_files(
        "domain.data.eligibility_routes", parse_edition, "eligibility edition"
    )
    keys = [edition.key for edition in editions]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise InvalidValue("eligibility edition", f"duplicate editions {duplicates}")
    return tuple(sorted(editions, key=lambda edition: (edition.standard, edition.effective_from)))


# --- parsing -----------------------------------------------------------------------------------


_ROUTE_FIELDS = {
    "id",
    "kind",
    "target_level",
    "description",
    "previous_level",
    "years",
    "diploma_kinds",
    "accepts_final_year_students",
    "min_title_grade",
    "title_series",
}


def parse_edition(data: object, *, source: str = "<edition>") -> StandardEdition:
    """Build a :class:`StandardEdition` from a decoded edition file; raises InvalidValue."""
    top = DataReader(data, source)
    top.reject_unknown(
        {
            "format",
            "standard",
            "edition",
            "title",
            "title_zh",
            "generic_default",
            "occupations",
            "related_occupations",
            "effective_from",
            "source",
            "notes",
            "routes",
        }
    )
    if top.raw("format") != EDITION_FORMAT:
        raise top.fail("format", f"unsupported format {top.raw('format')!r}; expected 1")
    standard = top.text("standard")
    edition_label = top.text("edition")
    occupations: frozenset[str] | None
    if top.raw("occupations") == "any":
        occupations = None
    else:
        occupations = frozenset(top.strings("occupations"))
        if not occupations:
            raise top.fail("occupations", "must be 'any' or list at least one occupation code")
    related = frozenset(top.strings("related_occupations"))
    try:
        effective_from = date.fromisoformat(top.text("effective_from"))
    except ValueError:
        raise top.fail("effective_from", "must be an ISO date YYYY-MM-DD") from None

    raw_routes = top.raw("routes")
    if not isinstance(raw_routes, list) or not raw_routes:
        raise top.fail("routes", "must be a non-empty list")
    routes = tuple(
        _parse_route(
            DataReader(raw, f"{source}.routes[{index}]"),
            standard,
            edition_label,
            occupations,
            related,
        )
        for index, raw in enumerate(raw_routes)
    )
    ids = [route.id for route in routes]
    duplicates = sorted({route_id for route_id in ids if ids.count(route_id) > 1})
    if duplicates:
        raise top.fail("routes", f"duplicate route ids {duplicates}")

    return StandardEdition(
        standard=standard,
        edition=edition_label,
        title=top.text("title"),
        generic_default=top.flag("generic_default", False),
        occupations=occupations,
        related_occupations=related,
        effective_from=effective_from,
        source=top.text("source"),
        routes=routes,
        notes=tuple(top.strings("notes")),
        title_zh=top.text("title_zh", ""),
    )


def _parse_route(
    reader: DataReader,
    standard: str,
    edition: str,
    occupations: frozenset[str] | None,
    related: frozenset[str],
) -> EligibilityRoute:
    reader.reject_unknown(_ROUTE_FIELDS)
    try:
        kind = RouteKind(reader.text("kind"))
    except ValueError:
        raise reader.fail(
            "kind", f"unknown route kind; known: {[kind.value for kind in RouteKind]}"
        ) from None
    target = reader.level("target_level")
    previous = reader.level("previous_level") if "previous_level" in reader.data else None
    if previous is not None and previous >= target:
        raise reader.fail("previous_level", "must be below target_level")
    years = reader.integer("years", 0)
    try:
        diploma_kinds = frozenset(DiplomaKind(value) for value in reader.strings("diploma_kinds"))
    except ValueError:
        raise reader.fail(
            "diploma_kinds", f"known diploma kinds: {[kind.value for kind in DiplomaKind]}"
        ) from None
    min_title: TitleGrade | None = None
    if "min_title_grade" in reader.data:
        try:
            min_title = TitleGrade(reader.text("min_title_grade"))
        except ValueError:
            raise reader.fail(
                "min_title_grade", f"known grades: {[grade.value for grade in TitleGrade]}"
            ) from None
    title_series = (
        frozenset(reader.strings("title_series")) if "title_series" in reader.data else None
    )

    if kind is RouteKind.PREVIOUS_LEVEL_PLUS_YEARS and (
        previous is None or "years" not in reader.data
    ):
        raise reader.fail("kind", "previous_level_plus_years needs previous_level and years")
    if kind is RouteKind.YEARS_ONLY and (previous is not None or years < 1):
        raise reader.fail("kind", "years_only needs years >= 1 and no previous_level")
    if (kind is RouteKind.DIPLOMA) != bool(diploma_kinds):
        raise reader.fail("diploma_kinds", "required for, and only for, a diploma route")
    if (kind is RouteKind.TITLE_PLUS_YEARS) != (min_title is not None):
        raise reader.fail("min_title_grade", "required for, and only for, a title_plus_years route")
    if title_series is not None and kind is not RouteKind.TITLE_PLUS_YEARS:
        raise reader.fail("title_series", "only for a title_plus_years route")

    return EligibilityRoute(
        id=reader.text("id"),
        kind=kind,
        target_level=target,
        description=reader.text("description"),
        standard=standard,
        edition=edition,
        occupations=occupations,
        related_occupations=related,
        previous_level=previous,
        years=years,
        diploma_kinds=diploma_kinds,
        accepts_final_year_students=reader.flag("accepts_final_year_students", False),
        min_title_grade=min_title,
        title_series=title_series,
    )
