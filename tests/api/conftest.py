"""Fixtures of the API tests: Django test clients that carry an API key of each kind of user
(`manager`, `today` and `contract` are shared, in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_key_create
from tests.factories import BILLING_VIEWERS, user_in


class ApiClient(Client):
    """A test client that sends its key on every request and JSON bodies by default."""

    def __init__(self, key: str | None = None, **defaults):
        if key is not None:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        super().__init__(**defaults)

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **extra)

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **extra)

    def put(self, path, data=None, content_type="application/json", **extra):
        return super().put(path, data, content_type=content_type, **extra)


def key_for(user) -> str:
    _, key = api_key_create(user=user, name="tests")
    return key


@pytest.fixture
def viewer(db):
    return user_in(BILLING_VIEWERS, username="viewer")


@pytest.fixture
def outsider(db):
    return user_in(None, username="outsider")


@pytest.fixture
def manager_api(manager):
    return ApiClient(key_for(manager))


@pytest.fixture
def viewer_api(viewer):
    return ApiClient(key_for(viewer))


@pytest.fixture
def outsider_api(outsider):
    return ApiClient(key_for(outsider))


@pytest.fixture
def anonymous_api(db):
    return ApiClient()


@pytest.fixture
def manager_client(manager):
    """Signed in with a session, as a person reading the browsable docs is."""
    client = Client()
    client.force_login(manager)
    return client
