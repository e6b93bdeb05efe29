"""Certificates (职业技能等级证书): number series, issuing, status changes and the revocation
cascade (:class:`Certificates`, ``ledger.certificates``)."""

from service.certificates.lifecycle import Certificates

__all__ = ["Certificates"]
