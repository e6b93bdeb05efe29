"""The command group's handling of a bad configuration: one line and exit 1, not a traceback."""

from __future__ import annotations

from typing import Any

import click

from service.config import ConfigurationError


class ConfiguredGroup(click.Group):
    """A ``click.Group`` that reports ``ConfigurationError`` (raised by any command, e.g. while
    it opens the ledger) as click reports a usage error: ``Error: <message>``, exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigurationError as error:
            raise click.ClickException(str(error)) from None
