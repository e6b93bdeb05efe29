"""Honours: unions' honour ladders (朝阳能手 < … < 朝阳大师) and the titles awarded on them
(:class:`Honours`, ``ledger.honours``)."""

from service.honours.ladders import Honours

__all__ = ["Honours"]
