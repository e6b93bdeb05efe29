"""Workers (产业工人): registration by ID number, employment, career record, external
certificates, and the levels a worker validly holds (:class:`Workers`, ``ledger.workers``)."""

from service.workers.records import Workers

__all__ = ["Workers"]
