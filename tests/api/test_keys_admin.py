"""API keys in admin: listed with their owner, made for someone (shown once), revoked by
an action that touches only the selected rows; the hash is never shown nor editable."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse

from accounts.api_keys import api_key_hash
from accounts.models import ApiKey
from accounts.services import api_key_create
from tests.api.conftest import ApiClient
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:accounts_apikey_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def test_the_list_shows_prefix_owner_and_dates_and_never_the_hash(admin_client, manager):
    api_key, _ = api_key_create(user=manager, name="CRM")

    content = admin_client.get(CHANGELIST, {"q": "crm"}).content.decode()
    change = admin_client.get(reverse("admin:accounts_apikey_change", args=[api_key.pk]))

    assert api_key.prefix in content and "manager" in content
    assert api_key.hashed_key not in content
    assert api_key.hashed_key not in change.content.decode()
    assert "hashed_key" not in change.content.decode()


def test_an_admin_makes_a_key_for_someone_and_sees_it_once(admin_client, viewer):
    response = admin_client.post(
        reverse("admin:accounts_apikey_add"), {"user": viewer.pk, "name": "Reporting"}, follow=True
    )

    shown = [m.message for m in response.context["messages"] if "bbo_" in m.message]
    (key,) = re.findall(r"bbo_\S+", shown[0])
    api_key = ApiKey.objects.get()
    assert (api_key.user, api_key.hashed_key) == (viewer, api_key_hash(key))
    assert LogEntry.objects.filter(object_id=str(api_key.pk), action_flag=ADDITION).count() == 1
    assert ApiClient(key).get("/api/v1/schedules/").status_code == 200


def test_revoke_selected_revokes_exactly_the_selected_keys(admin_client, manager, viewer):
    first, first_key = api_key_create(user=manager, name="One")
    second, _ = api_key_create(user=viewer, name="Two")
    kept, kept_key = api_key_create(user=viewer, name="Kept")

    admin_client.post(
        CHANGELIST,
        {"action": "revoke_selected", "_selected_action": [first.pk, second.pk]},
    )

    revoked = set(ApiKey.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True))
    assert revoked == {first.pk, second.pk}
    assert ApiClient(first_key).get("/api/v1/schedules/").status_code == 401
    assert ApiClient(kept_key).get("/api/v1/schedules/").status_code == 200


def test_the_state_filter_lists_revoked_or_in_use_keys(admin_client, manager):
    used, _ = api_key_create(user=manager, name="Used")
    gone, _ = api_key_create(user=manager, name="Gone")
    admin_client.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [gone.pk]})

    in_use = admin_client.get(CHANGELIST, {"revoked": "no"}).context["cl"].result_list

    assert list(in_use) == [used]
