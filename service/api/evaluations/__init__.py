"""Evaluations (企业自主评价): a body runs a self-evaluation session inside its filed scope.

plan → enrol candidates (eligibility route + evidence) → scores and reasoned corrections →
publish (公示, N working days on the Chinese calendar) → objections lodged and resolved → confirm
(a job: numbers allocated and every passing candidate's certificate issued in one atomic save)
→ report (上报). Candidates and scores can also be imported from CSV or XLSX, with a dry run.

One blueprint, its views by resource, each module with its schemas:

| module | resource |
|---|---|
| ``sessions`` | plan, list, read, publish, confirm (a job), report |
| ``candidates`` | enrol, scores and corrections, the candidate list |
| ``objections`` | lodge and resolve objections |
| ``imports`` | CSV/XLSX imports of candidates and scores |
| ``staff`` | the body's staff from a spreadsheet (dry run first); import templates |
| ``records`` | the Excel export, the session's history, the reports (上报) received |

Enterprise posts (评聘) under ``/evaluations/posts`` are ``service.api.posts``.
An issuer token acts only for sessions of its own organisation; admins for any; auditors read.
"""

from service.api.evaluations import candidates, imports, objections, records, sessions, staff
from service.api.evaluations.blueprint import blp

__all__ = ["blp", "candidates", "imports", "objections", "records", "sessions", "staff"]
