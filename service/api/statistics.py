"""Public figures and the talent database: statistics, honour ladder holders, talents (人才库).

``GET /api/v1/statistics?region=&organisation=&occupation=&year=&as_of=``
    Aggregate figures, public, no personal data: skill talents (技能人才: workers holding a valid
    certificate), high-skill talents (高技能人才: 三级/高级工 and above) and their ratio, each with
    a formatted string beside the integer in the seed reports' style ("24.13万", "8.96万",
    "37%", and ``headline`` "24.13万, 8.96万, 37%"); certificates issued by level and by route
    (evaluation, competition, direct recognition); competitions held and their entrants;
    training person-times (培训人次). ``region`` is a GB/T 2260 province code (a certificate's
    is the province in its number); ``year`` counts what was issued, held or recorded that year,
    and talents holding a certificate valid at its end. ``as_of`` gives the figures as the
    ledger stood at the end of that day (replayed from the log).

``GET /api/v1/honour-ladders/{id}/holders``
    Standing titles on one ladder (oldest year first), filterable by tier and year.

``GET /api/v1/talents?q=``
    The talent database (e.g. 匠心朝阳人才库): one entry per worker and ladder with a standing
    title there, highest tier first: tier, first and latest year, how many titles.
    With ``view=people``: the whole talent database (``projections.talents``), one entry per
    person with a standing title, a medal or 优胜奖, a valid 技师 or higher certificate or a
    standing post, with what qualifies them, filterable by ``kind``, ``occupation``, ``level``,
    ``ladder_id``/``tier`` (honour), ``district`` (the ID number's region, as a prefix),
    ``employer_id``, ``year`` and ``q``; ``total`` counts the people matching.

``GET /api/v1/talents.xlsx``
    The people view (same filters) as an Excel workbook, one row per person, ID numbers masked.

Disclosure (holders and talents): names are masked (张*) and carry no worker id or ID number,
except for admins, auditors, the ladder's own union (its organisers) and the worker themself,
who see the name, the worker id and the masked ID number. Searching by name (``q``) is for
admins, auditors and organisers (an organiser searches its own union's database only), so the
masked lists cannot be probed for a person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.api_token import Role
from projections.honours import HonoursQuery
from projections.pagination import Page
from projections.statistics import BASIS_KINDS, LEVELS, StatisticsQuery
from projections.talents import KINDS, LEVEL_FILTERS, Talents, TalentsQuery
from service.api.auth import ANYONE, access, current_principal, forbidden, own_scope
from service.api.fields import masked_name, occupation_code_field, province_code_field, text
from service.api.openapi import Blueprint
from service.api.pagination import cursor_problems
from service.api.problems import Problem, validation_problem
from service.api.reads import (
    MAX_POSITION,
    PageArgs,
    WaitHeaders,
    page_schema,
    read_after_position,
)
from service.app_services import ledger, services
from service.attachments import XLSX, attachment
from service.read_models import read_models
from service.statistics_figures import chinese_count, percent, statistics_projections
from service.talents import talent_rows, talent_workbook

blp = Blueprint(
    "statistics",
    __name__,
    description="Public statistics (skill talents, high-skill talents, certificates, "
    "competitions, training) now or as of a date; honour ladder holders and the talent "
    "database (人才库), masked for the public.",
)

MASKED_LISTS = {
    "public": "masked names",
    "admin": "full entries",
    "auditor": "full entries",
    "issuer": "masked names",
    "organiser": "full entries of its own union's ladders, masked names of others",
    "worker": "its own entries in full, masked names of others",
}
# -- schemas --------------------------------------------------------------------------------


class StatisticsArgs(ma.Schema):
    region = province_code_field()
    organisation = ma.fields.UUID(
        metadata={"description": "issuing body, competition organiser or employer"}
    )
    occupation = occupation_code_field()
    year = ma.fields.Integer(validate=validate.Range(1949, 2100))
    as_of = ma.fields.Date(
        metadata={"description": "figures as the ledger stood at the end of this day (UTC+8)"}
    )
    wait_for = ma.fields.Integer(
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "log position (X-Log-Position of a command) to wait for"},
    )


def _counts(keys: tuple[str, ...], description: str) -> ma.fields.Dict:
    return ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(keys)),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": description},
    )


class StatisticsSchema(ma.Schema):
    filters = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "the filters applied (region, organisation, occupation, year)"},
    )
    as_of = ma.fields.String(
        required=True, allow_none=True, metadata={"format": "date", "description": "null: now"}
    )
    log_position = ma.fields.Integer(
        required=True, metadata={"description": "the log position the figures include"}
    )
    skill_talents = ma.fields.Integer(
        required=True, metadata={"description": "workers holding at least one valid certificate"}
    )
    skill_talents_text = ma.fields.String(required=True, metadata={"example": "24.13万"})
    high_skill_talents = ma.fields.Integer(
        required=True, metadata={"description": "… at 三级/高级工 or above"}
    )
    high_skill_talents_text = ma.fields.String(required=True, metadata={"example": "8.96万"})
    high_skill_ratio = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "high-skill / skill talents, 4 decimals; null: no talents"},
    )
    high_skill_ratio_text = ma.fields.String(
        required=True, allow_none=True, metadata={"example": "37%"}
    )
    headline = ma.fields.String(required=True, metadata={"example": "24.13万, 8.96万, 37%"})
    certificates_issued = ma.fields.Integer(required=True)
    certificates_by_level = _counts(LEVELS, "level code → certificates issued")
    certificates_by_route = _counts(
        BASIS_KINDS, "evaluation, competition (以赛代评), direct_recognition (直接认定)"
    )
    competitions_held = ma.fields.Integer(required=True)
    competition_entrants = ma.fields.Integer(required=True)
    training_person_times = ma.fields.Integer(
        required=True, metadata={"description": "培训人次: training entries recorded"}
    )


class HolderArgs(PageArgs):
    tier = text(50)
    year = ma.fields.Integer(validate=validate.Range(1949, 2100))


class HolderSchema(ma.Schema):
    award_id = ma.fields.String(required=True)
    tier = ma.fields.String(required=True)
    tier_rank = ma.fields.Integer(required=True, metadata={"description": "0 is the lowest"})
    year = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, metadata={"description": "masked unless disclosed"})
    disclosure = ma.fields.String(required=True, validate=validate.OneOf(["full", "masked"]))
    worker_id = ma.fields.UUID(metadata={"description": "full disclosure only"})


class TalentFilterArgs(ma.Schema):
    """The people view's filters (a person matches with one standing fact matching all the
    fact filters: kind, occupation, level, ladder, tier, year)."""

    q = text(
        50,
        description="part of the name (admins, auditors, organisers; case-sensitive); "
        "people view: admins and auditors",
    )
    ladder_id = ma.fields.UUID(metadata={"description": "an honour title on this ladder"})
    tier = text(50, description="an honour title of this tier")
    employer_id = ma.fields.UUID()
    kind = ma.fields.String(
        validate=validate.OneOf(KINDS), metadata={"description": "people view only"}
    )
    occupation = occupation_code_field()
    level = ma.fields.String(
        validate=validate.OneOf(LEVEL_FILTERS),
        metadata={"description": "certificate level 2 or 1, or post principal/chief"},
    )
    district = ma.fields.String(
        validate=validate.Regexp(r"^[0-9]{2,6}$"),
        metadata={"description": "region code prefix of the ID number (e.g. 110105, 11)"},
    )
    year = ma.fields.Integer(validate=validate.Range(1949, 2100))


class TalentArgs(PageArgs, TalentFilterArgs):
    view = ma.fields.String(
        load_default="honours",
        validate=validate.OneOf(["honours", "people"]),
        metadata={"description": "honours: one entry per worker and ladder; people: everyone"},
    )
    union_id = ma.fields.UUID(metadata={"description": "honours view only"})
    min_tier = text(50, description="this tier of ladder_id's ladder or higher (needs ladder_id)")


PEOPLE_ONLY = ("kind", "occupation", "level", "district", "year")
HONOURS_ONLY = ("union_id", "min_tier")


class TalentExportArgs(TalentFilterArgs):
    wait_for = ma.fields.Integer(validate=validate.Range(min=0, max=MAX_POSITION))


class QualificationSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    year = ma.fields.Integer(required=True, allow_none=True)
    occupation_code = ma.fields.String(allow_none=True)
    occupation_name = ma.fields.String(allow_none=True)
    level = ma.fields.String(allow_none=True, metadata={"description": "certificate level"})
    post = ma.fields.String(allow_none=True)
    award = ma.fields.String(allow_none=True, metadata={"description": "gold .. excellence"})
    competition_name = ma.fields.String(allow_none=True)
    ladder_id = ma.fields.UUID(allow_none=True)
    ladder_name = ma.fields.String(allow_none=True)
    tier = ma.fields.String(allow_none=True)


class TalentSchema(ma.Schema):
    """An entry: the ladder fields in the honours view, ``district`` and ``qualifications`` in
    the people view."""

    ladder_id = ma.fields.UUID()
    ladder_name = ma.fields.String()
    union_id = ma.fields.UUID()
    union_name = ma.fields.String(allow_none=True)
    tier = ma.fields.String(metadata={"description": "highest standing tier"})
    tier_rank = ma.fields.Integer()
    first_year = ma.fields.Integer()
    latest_year = ma.fields.Integer()
    titles = ma.fields.Integer(metadata={"description": "standing titles held"})
    district = ma.fields.String(allow_none=True, metadata={"description": "people view"})
    qualifications = ma.fields.List(
        ma.fields.Nested(QualificationSchema), metadata={"description": "people view"}
    )
    name = ma.fields.String(required=True, metadata={"description": "masked unless disclosed"})
    employer_id = ma.fields.UUID(required=True, allow_none=True)
    employer_name = ma.fields.String(required=True, allow_none=True)
    disclosure = ma.fields.String(required=True, validate=validate.OneOf(["full", "masked"]))
    worker_id = ma.fields.UUID(metadata={"description": "full disclosure only"})
    masked_id_number = ma.fields.String(metadata={"description": "full disclosure only"})


class TalentPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TalentSchema), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)
    total = ma.fields.Integer(metadata={"description": "people view: how many people match"})


# -- helpers ----------------------------------------------------------------------------------


def honours_query() -> HonoursQuery:
    store = services().projection_store
    if store is None:
        raise Problem(503, "read-model-unavailable", "the honours are not available yet")
    return HonoursQuery(store)


def read_honours(read: Callable[[], Page], query: dict[str, Any], headers: dict[str, Any]) -> Page:
    """``read()`` from the honours read model, after the position the caller waits for."""
    return read_after_position(read, query, headers, ["honours"])


def discloses(union_id: str | UUID | None, worker_id: str | UUID | None) -> bool:
    """Whether the caller sees this entry's person: admins, auditors, the ladder's union and
    the worker themself."""
    principal = current_principal()
    if principal.is_(Role.ADMIN, Role.AUDITOR):
        return True
    if (
        principal.is_(Role.ORGANISER)
        and union_id is not None
        and principal.acts_for(UUID(str(union_id)))
    ):
        return True
    return (
        principal.is_(Role.WORKER)
        and worker_id is not None
        and principal.worker_id == UUID(str(worker_id))
    )


# -- views ----------------------------------------------------------------------------------


@blp.route("/api/v1/statistics", methods=["GET"])
@access(**ANYONE)
@blp.arguments(StatisticsArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.query(StatisticsSchema, errors=(422, 503))
def get_statistics(query: dict[str, Any], headers: dict[str, Any]) -> Any:
    """Aggregate figures for a region, organisation, occupation and year, now or as of a date:
    skill talents, high-skill talents and their ratio (with "24.13万, 8.96万, 37%"-style text),
    certificates by level and by route, competitions held and entrants, training person-times.
    No personal data."""
    wait = max(query.get("wait_for", 0), headers.get("wait_for", 0))
    with (
        read_models(statistics_projections, query.get("as_of"), wait) as view,
        cursor_problems(),
    ):
        figures = StatisticsQuery(view.store).summary(
            province=query.get("region"),
            organisation_id=query.get("organisation"),
            occupation_code=query.get("occupation"),
            year=query.get("year"),
        )
    filters = figures.pop("filters")
    renamed = {
        "province": "region",
        "organisation_id": "organisation",
        "occupation_code": "occupation",
        "year": "year",
    }
    skill = chinese_count(figures["skill_talents"])
    high = chinese_count(figures["high_skill_talents"])
    ratio_text = percent(figures["high_skill_ratio"])
    return {
        "filters": {renamed[key]: str(value) for key, value in filters.items()},
        "as_of": view.as_of.isoformat() if view.as_of else None,
        "log_position": view.position,
        "skill_talents": figures["skill_talents"],
        "skill_talents_text": skill,
        "high_skill_talents": figures["high_skill_talents"],
        "high_skill_talents_text": high,
        "high_skill_ratio": figures["high_skill_ratio"],
        "high_skill_ratio_text": ratio_text,
        "headline": ", ".join(part for part in (skill, high, ratio_text) if part),
        "certificates_issued": figures["certificates_issued"],
        "certificates_by_level": figures["certificates_by_level"],
        "certificates_by_route": figures["certificates_by_basis"],
        "competitions_held": figures["competitions_held"],
        "competition_entrants": figures["competition_entrants"],
        "training_person_times": figures["training_person_times"],
    }


@blp.route("/api/v1/honour-ladders/<uuid:ladder_id>/holders", methods=["GET"])
@access(**MASKED_LISTS)
@blp.arguments(HolderArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.response(200, page_schema(HolderSchema))
@blp.errors(400, 404, 422, 503)
def list_holders(query: dict[str, Any], headers: dict[str, Any], ladder_id: UUID) -> Any:
    """Standing titles on an honour ladder (oldest year first), by tier and year; names masked
    unless the caller may see who holds them."""
    union_id = ledger().honour_ladder(ladder_id).union_id
    board = honours_query()
    page = read_honours(
        lambda: board.list_awards(
            ladder_id,
            after=query.get("cursor"),
            limit=query["limit"],
            tier=query.get("tier"),
            year=query.get("year"),
            standing=True,
        ),
        query,
        headers,
    )
    items = []
    for row in page.items:
        item = {
            "award_id": row["award_id"],
            "tier": row["tier"],
            "tier_rank": row["tier_rank"],
            "year": row["year"],
        }
        if discloses(union_id, row["worker_id"]):
            item.update(
                name=row["worker_name"] or "", disclosure="full", worker_id=row["worker_id"]
            )
        else:
            item.update(name=masked_name(row["worker_name"] or ""), disclosure="masked")
        items.append(item)
    return {"items": items, "next_cursor": page.next_cursor}


@blp.route("/api/v1/talents", methods=["GET"])
@access(**MASKED_LISTS)
@blp.arguments(TalentArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.response(200, TalentPageSchema)
@blp.errors(400, 422, 503)
def list_talents(query: dict[str, Any], headers: dict[str, Any]) -> Any:
    """The talent database (人才库): one entry per worker and honour ladder with a standing
    title, highest tier first, then by name; filter by union, ladder, tier (or ``min_tier``)
    and employer; ``q`` searches names (admins, auditors, organisers: its own union).
    ``view=people``: everyone who qualifies, one entry per person (see the module docstring)."""
    only = HONOURS_ONLY if query["view"] == "people" else PEOPLE_ONLY
    wrong = [name for name in only if query.get(name) is not None]
    if wrong:
        raise validation_problem(
            [
                {"location": "query", "parameter": name, "detail": f"not with view={query['view']}"}
                for name in wrong
            ]
        )
    if query["view"] == "people":
        return people_page(query, headers)
    principal = current_principal()
    union_id = query.get("union_id")
    if query.get("q"):
        union_id = own_scope(
            union_id,
            Role.ORGANISER,
            principal.organisation_id,
            "an organiser searches only its own union's talent database",
        )
        if not principal.is_(Role.ADMIN, Role.AUDITOR, Role.ORGANISER):
            raise forbidden(
                "searching the talent database by name needs an admin, auditor or organiser token"
            )
    if query.get("min_tier") and query.get("ladder_id") is None:
        raise validation_problem(
            [{"location": "query", "parameter": "min_tier", "detail": "needs ladder_id"}]
        )
    board = honours_query()
    page = read_honours(
        lambda: board.search_talents(
            after=query.get("cursor"),
            limit=query["limit"],
            union_id=union_id,
            ladder_id=query.get("ladder_id"),
            tier=query.get("tier"),
            name=query.get("q"),
            employer_id=query.get("employer_id"),
            min_tier=query.get("min_tier"),
        ),
        query,
        headers,
    )
    items = []
    for row in page.items:
        item = {
            key: row[key]
            for key in (
                "ladder_id",
                "ladder_name",
                "union_id",
                "union_name",
                "tier",
                "tier_rank",
                "first_year",
                "latest_year",
                "titles",
                "employer_id",
                "employer_name",
            )
        }
        if discloses(row["union_id"], row["worker_id"]):
            item.update(
                name=row["name"],
                disclosure="full",
                worker_id=row["worker_id"],
                masked_id_number=row["masked_id_number"],
            )
        else:
            item.update(name=masked_name(row["name"]), disclosure="masked")
        items.append(item)
    return {"items": items, "next_cursor": page.next_cursor}


@blp.route("/api/v1/talents.xlsx", methods=["GET"])
@access(**MASKED_LISTS)
@blp.arguments(TalentExportArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.doc(responses={"200": {"description": "the workbook", "content": {XLSX: {}}}})
@blp.errors(400, 403, 422, 503)
def export_talents(query: dict[str, Any], headers: dict[str, Any]) -> Any:
    """The talent database's people view (same filters) as an Excel workbook: one row per
    person with what qualifies them; names masked as the list masks them, ID numbers masked."""
    filters = people_filters(query)
    wait_for = max(query.get("wait_for", 0), headers.get("wait_for", 0))
    with read_models(lambda: [Talents()], None, wait_for) as view:
        rows = [shown_person(row) for row in talent_rows(TalentsQuery(view.store), filters)]
    return attachment(talent_workbook(iter(rows)), XLSX, "talents.xlsx")


# -- the people view ----------------------------------------------------------------------------


def people_filters(query: dict[str, Any]) -> dict[str, Any]:
    """``TalentsQuery.search``'s filters from the query; ``q`` needs an admin or auditor (the
    people view is not scoped to a union)."""
    if query.get("q") and not current_principal().is_(Role.ADMIN, Role.AUDITOR):
        raise forbidden("searching the talent database by name needs an admin or auditor token")
    filters = {
        key: query.get(key)
        for key in ("kind", "occupation", "level", "ladder_id", "tier", "district", "year")
    }
    return {**filters, "employer_id": query.get("employer_id"), "name": query.get("q")}


def shown_person(row: dict[str, Any]) -> dict[str, Any]:
    """A person as the caller may see them: in full (name, worker id, masked ID number) for
    admins, auditors and the worker themself, else the masked name only."""
    item = {key: row[key] for key in ("district", "employer_id", "employer_name", "qualifications")}
    if discloses(None, row["worker_id"]):
        item.update(
            name=row["name"],
            disclosure="full",
            worker_id=row["worker_id"],
            masked_id_number=row["masked_id_number"],
        )
    else:
        item.update(name=masked_name(row["name"]), disclosure="masked")
    return item


def people_page(query: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    filters = people_filters(query)
    wait_for = max(query.get("wait_for", 0), headers.get("wait_for", 0))
    with read_models(lambda: [Talents()], None, wait_for) as view, cursor_problems():
        page = TalentsQuery(view.store).search(
            after=query.get("cursor"), limit=query["limit"], **filters
        )
    return {
        "items": [shown_person(row) for row in page.items],
        "next_cursor": page.next_cursor,
        "total": page.extra["total"],
    }
