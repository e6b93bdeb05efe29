"""One competition (技能竞赛) in the console: who may see or change it, and its tabs.

Every ``/console/competitions/<id>/...`` page starts with :func:`competition_for`: an organiser
or union official sees and changes only their own union's competitions; a platform
administrator or HR-bureau official sees every competition and may change it as the API lets an
admin; an auditor only reads; other roles are refused. Another union's competition answers 404,
not 403: an organiser learns nothing of a competition that is not theirs.

A competition page shows the tabs every such page registers with :func:`add_competition_tab`
(the overview, entrants, judges, review, locks, promotions …), through
``pages/console_competition_tabs.html``: ``{% include "pages/console_competition_tabs.html" %}``
with ``competition`` in the context.
"""

from __future__ import annotations

from uuid import UUID

from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound as PageNotFound

from domain.competition import Competition
from domain.person_account import AccountRole
from service.app_services import ledger
from service.commands import NotFound
from service.pages.console_tabs import Tabs
from service.pages.people import current_person

__all__ = [
    "COMPETITION_TABS",
    "add_competition_tab",
    "competition_for",
    "may_change_competition",
]

#: Roles bound to one union, who see only its competitions.
UNION_ROLES = frozenset({AccountRole.ORGANISER, AccountRole.UNION_OFFICIAL})
READERS = UNION_ROLES | {AccountRole.ADMIN, AccountRole.HR_OFFICIAL, AccountRole.AUDITOR}
CHANGERS = UNION_ROLES | {AccountRole.ADMIN, AccountRole.HR_OFFICIAL}


#: A competition's pages (each endpoint takes ``competition_id``).
COMPETITION_TABS = Tabs()
add_competition_tab = COMPETITION_TABS.add


def may_change_competition(competition: Competition) -> bool:
    """Whether the signed-in person may change ``competition`` (not an auditor; an organiser
    only of their own union's)."""
    person = current_person()
    if person is None or person.account.role not in CHANGERS:
        return False
    if person.account.role in UNION_ROLES:
        return bool(competition.organiser_id == person.account.organisation_id)
    return True


def competition_for(competition_id: UUID, *, change: bool = False) -> Competition:
    """The competition, if the signed-in person may read it (or change it, with ``change``).

    403 for a role with no business with competitions, or a reader asking to change; 404 for a
    competition that does not exist or belongs to another union (for its organisers)."""
    person = current_person()
    if person is None or person.account.role not in READERS:
        raise Forbidden()
    try:
        competition = ledger().competition(competition_id)
    except NotFound:
        raise PageNotFound() from None
    own_union = person.account.organisation_id
    if person.account.role in UNION_ROLES and competition.organiser_id != own_union:
        raise PageNotFound()
    if change and not may_change_competition(competition):
        raise Forbidden()
    return competition
