"""The API keys page: a person lists, makes (shown once) and revokes their own keys."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.test import Client

from accounts.api_keys import api_key_hash
from accounts.models import ApiKey
from accounts.services import api_key_create
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db
URL = "/accounts/api-keys/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_key_made_on_the_page_is_shown_once_and_opens_the_api_as_its_maker(viewer):
    client = signed_in(viewer)

    made = client.post(f"{URL}new/", {"name": "CRM"})
    shown = client.get(URL)
    again = client.get(URL)

    assert made.status_code == 302
    key = shown.context["new_key"]["key"]
    assert key.encode() in shown.content
    assert again.context["new_key"] is None and key.encode() not in again.content
    api_key = ApiKey.objects.get()
    assert (api_key.user, api_key.name, api_key.hashed_key) == (viewer, "CRM", api_key_hash(key))
    assert key not in api_key.hashed_key
    entry = LogEntry.objects.get(object_id=str(api_key.pk))
    assert (entry.user, entry.action_flag) == (viewer, ADDITION)
    # The key has exactly the viewer's permissions: it reads, never writes.
    assert ApiClient(key).get("/api/v1/invoices/").status_code == 200
    assert ApiClient(key).post("/api/v1/customers/", {"name": "X"}).status_code == 403


def test_the_page_lists_only_the_persons_own_keys_by_prefix(manager, viewer):
    mine, _ = api_key_create(user=manager, name="Mine")
    theirs, _ = api_key_create(user=viewer, name="Theirs")

    content = signed_in(manager).get(URL).content.decode()

    assert mine.prefix in content and "Mine" in content
    assert theirs.prefix not in content
    assert mine.hashed_key not in content


def test_a_key_without_a_name_is_refused_with_a_message_and_nothing_is_made(manager):
    response = signed_in(manager).post(f"{URL}new/", {"name": "  "})

    assert response.status_code == 400
    assert "Name the key after what will use it" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revoking_asks_to_confirm_then_the_key_no_longer_opens_the_api(manager):
    api_key, key = api_key_create(user=manager, name="CRM")
    client = signed_in(manager)

    confirm = client.get(f"{URL}{api_key.pk}/revoke/")
    assert confirm.status_code == 200
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # looking at the question revokes nothing

    assert client.post(f"{URL}{api_key.pk}/revoke/").status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert ApiClient(key).get("/api/v1/customers/").status_code == 401
    assert LogEntry.objects.filter(object_id=str(api_key.pk), action_flag=CHANGE).count() == 1


def test_another_persons_key_cannot_be_revoked_nor_seen(manager, viewer):
    theirs, _ = api_key_create(user=viewer, name="Theirs")
    client = signed_in(manager)

    assert client.get(f"{URL}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_needs_the_csrf_token_and_a_signed_in_person(manager):
    api_key, _ = api_key_create(user=manager, name="CRM")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)

    assert strict.post(f"{URL}{api_key.pk}/revoke/").status_code == 403
    assert Client().post(f"{URL}{api_key.pk}/revoke/").status_code == 302  # to sign in
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_the_header_links_to_the_page_and_it_speaks_french(manager):
    from accounts.services import user_language_set

    user_language_set(user=manager, language="fr")
    content = signed_in(manager).get(URL).content.decode()

    assert f'href="{URL}"' in content
    assert "Clés d’API" in content
