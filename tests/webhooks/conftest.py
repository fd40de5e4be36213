"""Fixtures of the webhook tests: a loopback receiver verifying with the standardwebhooks
package, an endpoint subscribed to every event pointing at it, fast retries."""

from __future__ import annotations

import pytest
from django.test import override_settings

# The post-invoicing world (mail, Stripe, the accounting ledger and its endpoint) for the
# tests of the events invoicing publishes.
from tests.post_invoicing.conftest import (  # noqa: F401
    FAST_RETRIES,
    fake_stripe,
    ledger,
    ledger_endpoint,
    mail_server,
    outside_world,
)
from tests.post_invoicing.servers import Ledger
from webhooks.events import SUBSCRIBABLE
from webhooks.services import webhook_endpoint_create
from webhooks.signing import secret_generate


@pytest.fixture
def receiver():
    """A receiver with its own fresh secret; `answers` queues statuses to give first."""
    server = Ledger(secret=secret_generate()).start()
    with override_settings(**FAST_RETRIES):
        yield server
    server.stop()


@pytest.fixture
def endpoint(receiver):
    return webhook_endpoint_create(
        url=f"{receiver.url}/hooks",
        events=sorted(SUBSCRIBABLE),
        description="Receiver",
        secret=receiver.secret,
    )
