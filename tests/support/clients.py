"""Test clients for apps whose background work (projection runner, tree heads) the test drives."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


class CaughtUpClient(FlaskClient):
    """A test client that lets the background settle before each request: the projection
    runner has applied the log's head (its thread is waited for; without one, its catch-up is
    run here) and its listener has signed a tree head if one is due -- so requests see read
    models and heads as a settled server's would. The request itself never does that work."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        shared = self.application.extensions["craftledger"]
        if shared.runner.running:
            shared.runner.wait_for(shared.ledger.log_position, timeout=30.0)
        else:
            shared.runner.catch_up()
        shared.audit.publish_due()
        return super().open(*args, **kwargs)
