"""Generate all due processed by a real Celery worker on Redis, from the page's Proceed."""

import datetime

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from invoicing.models import GenerationRun, Invoice
from schedules.models import BillingSchedule
from tests.conftest import wait_until
from tests.factories import BILLING_MANAGERS, user_in
from tests.invoicing.helpers import active_contract

pytestmark = pytest.mark.slow


def test_generate_all_due_completes_with_every_due_schedule_invoiced_once(celery_worker):
    today = timezone.localdate()
    # Started five months ago: five past cycles and the current one are due for each.
    start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for _ in range(4):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    contracts = [active_contract(start=start, as_of=today) for _ in range(3)]
    due = BillingSchedule.objects.due(today)
    expected = set(due.values_list("id", flat=True))
    assert len(expected) == 3 * 6
    client = Client()
    client.force_login(user_in(BILLING_MANAGERS, username="manager"))

    response = client.post(
        reverse("invoicing:catch_up"),
        {"shown_schedules": len(expected), "shown_contracts": len(contracts)},
    )

    run = GenerationRun.objects.get(parameters__catch_up=True)
    assert response["Location"] == reverse("invoicing:run_detail", args=[run.pk])
    wait_until(lambda: run.refresh_from_db() or run.status == GenerationRun.Status.FINISHED, 60)
    assert run.counts()["succeeded"] == 3
    assert set(Invoice.objects.values_list("schedule_id", flat=True)) == expected
    assert not Invoice.objects.values("schedule").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not due.exists()
