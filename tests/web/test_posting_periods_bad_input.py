"""Random and extreme input to the posting periods page's forms (as
test_bad_input_properties does for the other pages): never a 500, and a refusal writes no
row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from schedules.services.periods import posting_period_close
from tests.web.test_bad_input_properties import dates, form_data, hammer, ticks

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(manager_client, manager, contract):
    """A manager who may also reopen, with February closed and schedules Pending."""
    manager.user_permissions.add(Permission.objects.get(codename="reopen_postingperiod"))
    posting_period_close(month=contract.start_date.replace(month=2), user=manager)
    return manager_client


def test_close_never_fails_and_a_refusal_writes_nothing(finance_client):
    url = reverse("posting_periods:close")
    hammer(finance_client, "close", "post", url, form_data(month=dates, confirm=ticks))
    hammer(finance_client, "close (GET)", "get", url, form_data(month=dates))


def test_reopen_never_fails_and_a_refusal_writes_nothing(finance_client):
    url = reverse("posting_periods:reopen")
    hammer(finance_client, "reopen", "post", url, form_data(month=dates))
