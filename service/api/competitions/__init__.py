"""Competitions (劳动和技能竞赛 / 技术比武, 以赛代评): from announcement to approved promotions.

===============================================  ==============================================
``POST /competitions``                           announce: tier, marking scheme, tie-breaks,
                                                 promotion rule set
``GET  /competitions``, ``GET /competitions/{id}``  list (read model) and one competition
``POST /{id}/entrants``, ``GET /{id}/entrants``  register entrants (employee or student)
``POST /{id}/entrants/{worker_id}/withdraw``     withdraw an entrant, with a reason
``POST /{id}/marks``                             judges' marks (a batch, all or nothing)
``POST /{id}/corrections``                       correct a mark, with a reason (never an edit)
``POST /{id}/reviews``                           confirm a flagged spread (复核)
``POST /{id}/finish-times``                      an entrant's finish time (a tie-break)
``POST /{id}/lock``                              lock a component's marks (封分)
``POST /{id}/finalise``                          results, awards, standardised scores, proposals
``GET  /{id}/leaderboard``                       live for the organiser; public once final
``GET  /{id}/proposals``                         promotion proposals and why
``POST /{id}/proposals/{worker_id}/approve``     核准 (admin): issues the certificate
``POST /{id}/proposals/{worker_id}/reject``      不予核准 (admin), with a reason
``GET  /{id}/awards``                            awards of the final results
``GET  /{id}/awards/{worker_id}/credential``     the award as a signed Open Badges credential
``GET  /{id}/awards/{worker_id}/pdf``            the award as a signed PDF (获奖证书)
``GET  /{id}/results.xlsx``                      the final results as Excel (as the leaderboard)
``POST /{id}/judges``                            invite a judge's account (裁判), scoped to it
===============================================  ==============================================

The organiser's union runs its competitions (admins any); the HR bureau (admin) approves
promotions. Names are masked for the public (张三 → 张*), as on the public certificate page.

One module per resource, each with its schemas beside its views: ``competition``
(announce, list, read), ``entrants``, ``marking`` (marks, corrections, reviews, finish times,
locks), ``results`` (finalise, leaderboard), ``promotions`` and ``awards``; they register on
the one blueprint of ``blueprint``, in this order (the OpenAPI document's).
"""

# Importing a resource module registers its views on ``blp``, in the document's order.
# isort: off
from service.api.competitions.blueprint import blp
from service.api.competitions import competition, entrants, marking  # noqa: F401
from service.api.competitions import results, promotions, awards  # noqa: F401
from service.api.competitions import judges  # noqa: F401

# isort: on

__all__ = ["blp"]
