"""The bulk window's Change Log tab, end to end to a real SMTP server on loopback: Auto-Send
unticked emails nobody, whatever the contract's default; ticked, the customer gets it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from invoicing.models import GenerationRun, Invoice
from invoicing.services import generation_run_execute
from schedules.services import contract_line_change_quantity
from tests.factories import CustomerFactory
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outside_world", "eager_celery")]


@pytest.fixture
def changed(today):
    """Auto-Send on the contract; March invoiced, then 10 → 12 seats from 10 March."""
    customer = CustomerFactory(billing_email="ap@kestrel.example")
    contract = active_contract(as_of=today, customer=customer, auto_send=True)
    invoice_cycle(contract, 2)
    contract_line_change_quantity(
        line=contract.lines.get(), quantity=Decimal("12"), effective_date=datetime.date(2026, 3, 10)
    )
    return contract


def bill_changes_in_bulk(manager, contract, capture, **choices) -> Invoice:
    client = Client()
    client.force_login(manager)
    client.post(
        reverse("invoicing:bulk"),
        {
            "tab": "change_log",
            "contracts": [contract.pk],
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            **choices,
        },
    )
    # The post-invoicing tasks leave when the generating transaction commits.
    with capture(execute=True):
        generation_run_execute(GenerationRun.objects.get())
    return Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)


def test_auto_send_unticked_on_the_change_log_tab_emails_nobody(
    manager, changed, mail_server, django_capture_on_commit_callbacks
):
    invoice = bill_changes_in_bulk(manager, changed, django_capture_on_commit_callbacks)

    assert not invoice.post_tasks.exists()
    assert mail_server.messages == []


def test_auto_send_ticked_on_the_change_log_tab_emails_the_customer(
    manager, changed, mail_server, django_capture_on_commit_callbacks
):
    invoice = bill_changes_in_bulk(
        manager, changed, django_capture_on_commit_callbacks, auto_send="on"
    )

    (message,) = mail_server.messages
    assert message["To"] == "ap@kestrel.example"
    assert invoice.number in message["Subject"]
