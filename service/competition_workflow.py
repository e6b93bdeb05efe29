"""Commands of the competition workflow (以赛代评): entrants, marks, locks, results, awards, promotions.

A mixin of ``service.ledger.Ledger``: methods here use the Ledger's loading and saving helpers.
"""

from __future__ import annotations


class CompetitionWorkflow:
    """Commands of the competition workflow (以赛代评): entrants, marks, locks, results, awards, promotions."""
