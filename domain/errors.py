"""Errors raised by the domain model.

Two kinds, kept apart on purpose:

* :class:`InvalidValue` -- a value object could not be parsed or built (a malformed certificate
  number, an ID number with a wrong check character). It names the offending ``field``.
* :class:`DomainRuleViolation` -- a well-formed command breaks a business rule (业务规则), e.g.
  issuing outside the filed scope. It names the ``rule`` with a short, stable kebab-case name that
  clients may depend on.
"""

from __future__ import annotations

__all__ = ["DomainRuleViolation", "InvalidValue"]


class DomainRuleViolation(Exception):
    """A command breaks a domain rule.

    ``rule`` is a stable kebab-case name (e.g. ``"outside-filed-scope"``); ``detail`` is a
    human-readable explanation; ``facts`` are values a client can act on without parsing the
    detail (e.g. ``year=2027`` for ``calendar-missing-year``), answered beside the rule.
    """

    def __init__(self, rule: str, detail: str, **facts: str | int) -> None:
        super().__init__(rule, detail)
        self.rule = rule
        self.detail = detail
        self.facts = facts

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


class InvalidValue(ValueError):
    """A value object rejected its input.

    ``field`` names the part that is wrong (e.g. ``"province code"``); ``detail`` says why. The
    detail never echoes personal data such as a full ID number.
    """

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(field, detail)
        self.field = field
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}"
