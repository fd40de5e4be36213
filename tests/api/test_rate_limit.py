"""Rate limiting per API key: past the limit, a 429 problem with Retry-After, and another
key is not held back by it."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, key_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/schedules/"


@pytest.fixture
def three_a_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/minute"},
    }


def test_past_the_limit_a_key_gets_a_429_problem_with_retry_after(three_a_minute, manager):
    api = ApiClient(key_for(manager))

    answers = [api.get(URL) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"] == "application/problem+json"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["status"] == 429


def test_the_limit_is_per_key(three_a_minute, manager, viewer):
    busy, other = ApiClient(key_for(manager)), ApiClient(key_for(viewer))
    for _ in range(3):
        busy.get(URL)

    assert busy.get(URL).status_code == 429
    assert other.get(URL).status_code == 200
