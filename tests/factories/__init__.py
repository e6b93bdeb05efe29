"""The tests' one set of factories: fictitious people and their ID numbers, filed
organisations, marking schemes, certificates, self-evaluation sessions and holiday
arrangements. Import from here (``from tests.factories import hire, id_number``)."""

from tests.factories.calendars import fictitious_arrangement, write_arrangement
from tests.factories.certificates import Issued, issue, issue_to_new_worker
from tests.factories.marking import PRACTICAL_ONLY, marking_scheme
from tests.factories.organisations import (
    ALL_LEVELS,
    ELECTRICIAN,
    ESTATE_AGENT,
    WELDER,
    Body,
    file_employer,
    file_union,
    numbered_body,
    numbered_union,
)
from tests.factories.people import checksummed, hire, id_number, register
from tests.factories.sessions import (
    CONFIRM_DAY,
    LONG_SERVICE,
    PANEL_MARKERS,
    PLAN_DAY,
    PUBLISH_DAY,
    SESSION_END,
    SESSION_START,
    WINDOW_END,
    Session,
    plan_session,
)
from tests.factories.tokens import bearer, grant

__all__ = [
    "ALL_LEVELS",
    "CONFIRM_DAY",
    "ELECTRICIAN",
    "ESTATE_AGENT",
    "LONG_SERVICE",
    "PANEL_MARKERS",
    "PLAN_DAY",
    "PRACTICAL_ONLY",
    "PUBLISH_DAY",
    "SESSION_END",
    "SESSION_START",
    "WELDER",
    "WINDOW_END",
    "Body",
    "Issued",
    "Session",
    "bearer",
    "checksummed",
    "fictitious_arrangement",
    "file_employer",
    "file_union",
    "grant",
    "hire",
    "id_number",
    "issue",
    "issue_to_new_worker",
    "marking_scheme",
    "numbered_body",
    "numbered_union",
    "plan_session",
    "register",
    "write_arrangement",
]
