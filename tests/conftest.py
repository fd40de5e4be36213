"""Shared fixtures. The suite runs on whatever DATABASE_URL / CELERY_BROKER_URL say;
CI points them at PostgreSQL and Redis. Tests that need those services skip
without them, except under CI=true, where a missing service fails the run."""

from __future__ import annotations

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not configured or not reachable.")
    pytest.skip(f"needs {what}")


@pytest.fixture
def postgresql(db):
    """Marks a test that needs PostgreSQL (constraints, row locks, COPY)."""
    _require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    _require(url.startswith("redis://"), "Redis (set CELERY_BROKER_URL=redis://...)")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        _require(False, f"a reachable Redis at {url}")
    return url
