"""ID numbers kept out of log lines and echoed request paths (design §6: masked in every log).

An ID number should only ever travel in a request body, but a client may still put one in a
path or query (``/api/v1/workers/110105199003070017``, ``?q=…``): the access log, the error log
and a problem's ``instance`` would then echo it. :func:`masked_url` applies the domain's one
rule (:func:`domain.free_text.mask_id_numbers`) to such text, percent-decoded first so an encoded
number (``%31%31…``, full-width digits) is caught too; :class:`MaskingAccessLogger` is gunicorn's
logger with every access-log atom it writes masked so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from gunicorn.glogging import Logger

from domain.free_text import mask_id_numbers


def masked_url(text: str) -> str:
    """``text`` (a path, query, request line or header) with ID numbers masked; unchanged when
    it holds none, percent-decoded when a number was found only after decoding."""
    masked = mask_id_numbers(text)
    if masked != text:
        return masked
    decoded = unquote(text)
    if decoded != text and mask_id_numbers(decoded) != decoded:
        return mask_id_numbers(decoded)
    return text


_ATOM = re.compile(r"%\(([^)]*)\)")


@lru_cache(maxsize=8)
def named_atoms(log_format: str) -> frozenset[str]:
    """The atoms an access-log format writes (``%(r)s`` → ``r``), as gunicorn looks them up:
    header and environment atoms (``%({X-Real-IP}i)s``) lower-cased."""
    return frozenset(
        name.lower() if name.startswith("{") else name for name in _ATOM.findall(log_format)
    )


class MaskingAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger whose access-log atoms (request line ``%(r)s``, path ``%(U)s``, query
    ``%(q)s``, referer ``%(f)s``, headers ``%({name}i)s`` …) have ID numbers masked.

    Only the atoms the configured format writes are kept (gunicorn writes ``-`` for any other):
    gunicorn offers every request and response header and every WSGI environment variable as
    an atom, and masking the dozens of them a format never names was a fifth of a certificate
    lookup's time under load (benchmarks/bench_http.py)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        written = named_atoms(self.cfg.access_log_format)
        return {
            key: masked_url(value) if isinstance(value, str) else value
            for key, value in found.items()
            if key in written
        }
