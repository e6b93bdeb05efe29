"""The ``craftledger`` command line (a click group)."""

from __future__ import annotations

import click

from service.cli.errors import ConfiguredGroup


@click.group(cls=ConfiguredGroup)
@click.version_option(package_name="craftledger")
def main() -> None:
    """craftledger: event-sourced skill certificates, competitions and audit."""


def _register() -> None:
    """Attach the command groups; each lives in its own module."""
    from service.cli.accounts import accounts_group
    from service.cli.audit import audit_group
    from service.cli.calendar import calendar_group
    from service.cli.keys import keys_group
    from service.cli.ledger_commands import demo, export
    from service.cli.projections import projections_group, replay
    from service.cli.serve import serve
    from service.cli.token import token_group
    from service.cli.vc import vc

    main.add_command(demo)
    main.add_command(export)
    main.add_command(vc)
    main.add_command(projections_group)
    main.add_command(replay)
    main.add_command(serve)
    main.add_command(token_group)
    main.add_command(accounts_group)
    main.add_command(audit_group)
    main.add_command(calendar_group)
    main.add_command(keys_group)


_register()
