"""Fixtures of the web tests: a frozen today, the three kinds of user, signed-in clients."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from tests.web.helpers import BILLING_MANAGERS, BILLING_VIEWERS, active_contract, user_in

TODAY = datetime.date(2026, 3, 15)


@pytest.fixture
def today():
    """The billing day of every web test: Sunday 15 March 2026, noon UTC."""
    with time_machine.travel(datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def manager(db):
    return user_in(BILLING_MANAGERS, username="manager")


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


@pytest.fixture
def contract(today):
    """Monthly in advance from 1 Jan 2026, offset +1: cycle 2 (March) is current,
    schedules exist up to cycle 5 (June), 10 × 12.50 at 20 % a month."""
    return active_contract(as_of=today)
