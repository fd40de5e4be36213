"""The contract changelist's "Generate invoices (bulk)…" action opens the same bulk window:
ticked rows as ids, "select all" as the changelist's filters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from contracts.admin import ADMIN_FILTER_NOT_CARRIED
from contracts.models import BillingContract
from tests.factories import UserFactory
from tests.invoicing.helpers import active_contract
from tests.web.helpers import messages_of

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:contracts_billingcontract_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def three(today):
    return [active_contract(as_of=today) for _ in range(3)]


def act(client, ids, *, query="", select_across="0"):
    data = {
        "action": "generate_invoices_bulk",
        ACTION_CHECKBOX_NAME: [str(pk) for pk in ids],
        "select_across": select_across,
        "index": "0",
    }
    return client.post(f"{CHANGELIST}{query}", data)


def test_ticked_rows_open_the_bulk_window_with_their_ids(admin_client, three):
    response = act(admin_client, [three[0].pk, three[2].pk])

    url = urlsplit(response.url)
    assert url.path == reverse("invoicing:bulk")
    assert sorted(parse_qs(url.query)["contracts"]) == sorted([str(three[0].pk), str(three[2].pk)])
    window = admin_client.get(response.url)
    assert window.context["count"] == 2


def test_select_across_carries_the_changelist_filters_not_ids(admin_client, three):
    BillingContract.objects.filter(pk=three[0].pk).update(currency="USD")

    response = act(admin_client, [three[1].pk], query="?currency__exact=EUR", select_across="1")

    query = parse_qs(urlsplit(response.url).query)
    assert query == {"selection": ["matching"], "currency": ["EUR"]}
    assert admin_client.get(response.url).context["count"] == 2


def test_a_filter_the_bulk_window_cannot_read_is_refused(admin_client, three):
    response = act(admin_client, [three[0].pk], query="?auto_send__exact=1", select_across="1")

    followed = admin_client.get(response.url if response.status_code == 302 else CHANGELIST)
    assert ADMIN_FILTER_NOT_CARRIED.format(names="auto_send__exact") in messages_of(followed)


def test_staff_without_the_generate_permission_are_not_offered_the_action(client, three):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_billingcontract"))
    client.force_login(user)

    form = client.get(CHANGELIST).context["action_form"]

    assert form is None or "generate_invoices_bulk" not in dict(form.fields["action"].choices)
