"""API tokens: grants in the log (:class:`Tokens`, ``ledger.tokens``) and when each was last
used, a side table beside the log (``service.tokens.usage``)."""

from service.tokens.grants import Tokens, TokenState

__all__ = ["TokenState", "Tokens"]
