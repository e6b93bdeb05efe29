"""One evaluation session (评价批次) in the console: who may see or change it, and its tabs.

Every ``/console/sessions/<id>/...`` page starts with :func:`session_for`: an issuer officer
sees and changes only their own body's sessions; a platform administrator or HR-bureau
official sees every session and may change it as the API lets an admin; an auditor only reads;
other roles are refused. Another body's session answers 404, not 403: an officer learns
nothing of a session that is not theirs.

A session page shows the tabs every such page registers with :func:`add_session_tab` (the
overview, candidates, scores, history …), through ``pages/console_session_tabs.html``:
``{% include "pages/console_session_tabs.html" %}`` with ``evaluation`` in the context.
"""

from __future__ import annotations

from uuid import UUID

from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound as PageNotFound

from domain.evaluation import Evaluation
from domain.person_account import AccountRole
from service.app_services import ledger
from service.commands import NotFound
from service.pages.console_tabs import Tabs
from service.pages.people import current_person

__all__ = ["SESSION_TABS", "add_session_tab", "may_change", "session_for"]

READERS = frozenset(
    {AccountRole.ISSUER_OFFICER, AccountRole.ADMIN, AccountRole.HR_OFFICIAL, AccountRole.AUDITOR}
)
CHANGERS = frozenset({AccountRole.ISSUER_OFFICER, AccountRole.ADMIN, AccountRole.HR_OFFICIAL})


#: A session's pages (each endpoint takes ``session_id``).
SESSION_TABS = Tabs()
add_session_tab = SESSION_TABS.add


def may_change(evaluation: Evaluation) -> bool:
    """Whether the signed-in person may change ``evaluation`` (not an auditor; an officer only
    of their own body)."""
    person = current_person()
    if person is None or person.account.role not in CHANGERS:
        return False
    if person.account.role is AccountRole.ISSUER_OFFICER:
        return bool(evaluation.body_id == person.account.organisation_id)
    return True


def session_for(session_id: UUID, *, change: bool = False) -> Evaluation:
    """The session, if the signed-in person may read it (or change it, with ``change``).

    403 for a role with no business with sessions, or a reader asking to change; 404 for a
    session that does not exist or belongs to another body (for an issuer officer)."""
    person = current_person()
    if person is None or person.account.role not in READERS:
        raise Forbidden()
    try:
        evaluation = ledger().evaluation(session_id)
    except NotFound:
        raise PageNotFound() from None
    own_body = person.account.organisation_id
    if person.account.role is AccountRole.ISSUER_OFFICER and evaluation.body_id != own_body:
        raise PageNotFound()
    if change and not may_change(evaluation):
        raise Forbidden()
    return evaluation
