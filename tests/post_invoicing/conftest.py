"""Fixtures of the post-invoicing tests: loopback servers, settings pointing at them,
and a real worker whose environment points at them too (eager_celery is shared, in
tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.post_invoicing.servers import (
    STRIPE_KEY,
    WEBHOOK_SECRET,
    FakeStripe,
    Ledger,
    MailServer,
)

# Short enough for tests, long enough for a 0.3 s timeout to be a timeout.
FAST_RETRIES = {
    "POST_INVOICING_MAX_ATTEMPTS": 3,
    "POST_INVOICING_RETRY_BASE_SECONDS": 0.2,
    "POST_INVOICING_RETRY_MAX_SECONDS": 1.0,
    "WEBHOOK_TIMEOUT_SECONDS": 0.5,
    "STRIPE_TIMEOUT_SECONDS": 2,
    "EMAIL_TIMEOUT": 2,
}


@pytest.fixture
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe():
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def ledger():
    server = Ledger().start()
    yield server
    server.stop()


@pytest.fixture
def ledger_endpoint(ledger):
    """The accounting sync's webhook endpoint, as the data migration seeds it: the ledger's
    URL and secret, the four invoice and credit-note events."""
    from webhooks.events import ACCOUNTING_EVENTS
    from webhooks.services import webhook_endpoint_create

    return webhook_endpoint_create(
        url=f"{ledger.url}/ledger/events",
        events=ACCOUNTING_EVENTS,
        description="Accounting",
        secret=WEBHOOK_SECRET,
    )


def _settings_for(mail_server, fake_stripe, ledger, gateway: str) -> dict:
    return {
        **FAST_RETRIES,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": mail_server.port,
        "EMAIL_USE_TLS": False,
        "BILLING_PAYMENT_GATEWAY": gateway,
        "STRIPE_API_KEY": STRIPE_KEY,
        "STRIPE_API_BASE": fake_stripe.url,
    }


@pytest.fixture
def outside_world(mail_server, fake_stripe, ledger, ledger_endpoint):
    """Settings pointing every post-invoicing task at the loopback servers (Stripe gateway)."""
    with override_settings(**_settings_for(mail_server, fake_stripe, ledger, "stripe")):
        yield {"mail": mail_server, "stripe": fake_stripe, "ledger": ledger}


@pytest.fixture
def post_worker(celery_workers, mail_server, fake_stripe, ledger, ledger_endpoint):
    """A real Celery worker on Redis whose settings point at the loopback servers; its log
    is in `log` (printed when a test fails)."""
    settings = _settings_for(mail_server, fake_stripe, ledger, "stripe")
    worker = celery_workers(
        CELERY_TASK_ALWAYS_EAGER="False", **{key: str(value) for key, value in settings.items()}
    )
    return {"mail": mail_server, "stripe": fake_stripe, "ledger": ledger, "log": worker.log_path}
