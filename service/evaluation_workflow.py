"""Commands of the self-evaluation workflow (企业自主评价): enrol, score, publish, object, confirm and issue.

A mixin of ``service.ledger.Ledger``: methods here use the Ledger's loading and saving helpers.
"""

from __future__ import annotations


class EvaluationWorkflow:
    """Commands of the self-evaluation workflow (企业自主评价): enrol, score, publish, object, confirm and issue."""
