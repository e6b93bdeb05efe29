"""Read models built from the one event log, each with its own tracked position.

``all_projections()`` lists the projections ``craftledger serve``, ``craftledger projections``
and ``craftledger replay`` run; see ``projections.runner`` for how they are kept up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.projection import Projection


def all_projections() -> list[Projection]:
    """A fresh instance of every projection, in a stable order."""
    from projections.directory import Directory

    return [Directory()]
