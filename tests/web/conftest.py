"""Fixtures of the web tests: signed-in clients for the three kinds of user (today, manager
and contract are shared, in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import BILLING_VIEWERS, user_in


@pytest.fixture
def viewer(db):
    return user_in(BILLING_VIEWERS, username="viewer")


@pytest.fixture
def outsider(db):
    """Signed in, but in neither billing group."""
    return user_in(None, username="outsider")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(manager):
    return _client_for(manager)


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)
