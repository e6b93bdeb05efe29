"""Tabs of one thing's console pages (an evaluation session's, a competition's): each page
registers itself with its label and place, and ``pages/console_tabs.html`` draws them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Tab", "Tabs"]


@dataclass(frozen=True)
class Tab:
    """A page: its endpoint (taking the thing's id), its label (``N_``) and its place."""

    endpoint: str
    label: str
    order: int


class Tabs(list[Tab]):
    """The tabs of one kind of thing, in order (overview 0, …)."""

    def add(self, endpoint: str, label: str, order: int) -> None:
        """Show ``endpoint`` among the tabs, sorted by ``order``."""
        self.append(Tab(endpoint, label, order))
        self.sort(key=lambda tab: tab.order)
