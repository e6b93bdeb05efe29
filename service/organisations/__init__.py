"""Organisations (备案): filing evaluation bodies, unions and authorities, their scope, status
and signing keys (:class:`Organisations`, ``ledger.organisations``)."""

from service.organisations.filing import Organisations

__all__ = ["Organisations"]
