"""Self-evaluation sessions (企业自主评价) as a capability composed around the ledger.

| module | concept |
|---|---|
| ``commands`` | :class:`Evaluations`: plan, enrol, score, publish, objections, report, imports |
| ``confirmation`` | confirmation and issue in one save; the ``confirm-evaluation`` job |
| ``evidence`` | a candidate's facts: the body's evidence, levels held, workers in bulk |
| ``imports`` | candidates and scores imported from a spreadsheet, all or nothing |
| ``spreadsheets`` | reading CSV and XLSX files and their cells |
| ``collaborators`` | what it asks of credentials, certificates and calendars |
"""

from service.evaluations.commands import Evaluations

__all__ = ["Evaluations"]
