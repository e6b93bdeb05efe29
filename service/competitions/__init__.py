"""Competitions (以赛代评): the capability ``ledger.competitions`` and its parts.

* ``capability``: :class:`Competitions`, the commands and reads callers use;
* ``entrants``: :class:`EntrantRegistration`, an entrant to register, and ``register_on``;
* ``entrant_import``: entrants from a spreadsheet, dry run first;
* ``promotion_facts``: workers' current levels and yearly competition promotions;
* ``promotions``: approving (核准) and rejecting promotion proposals;
* ``award_credentials``: the award credentials of a finalised competition;
* ``collaborators``: what it asks of the credentials and certificates capabilities;
* ``leaderboard``: the leaderboard read query shared by the API and the pages.
"""

from service.competitions.award_credentials import award_subject
from service.competitions.capability import Competitions
from service.competitions.entrants import EntrantRegistration

__all__ = ["Competitions", "EntrantRegistration", "award_subject"]
