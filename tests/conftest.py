"""Shared fixtures. The suite runs on PostgreSQL and Redis: the project's own servers
(billing_site/local_services.py) when DATABASE_URL / CELERY_BROKER_URL are not set, the
ones those URLs name otherwise (CI runs both ways)."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
# The project's own Redis serves `make run` too: the tests keep to a database of their own.
TESTS_REDIS_DB = 15
TODAY = datetime.date(2026, 3, 15)


def _require(condition: bool, what: str) -> None:
    """Skip without `what` (Chromium), except under CI=true, where its absence fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not there.")
    pytest.skip(f"needs {what}")


@pytest.fixture(autouse=True, scope="session")
def _tests_use_their_own_redis_database():
    from billing_site import local_services
    from billing_site.celery import app

    if "CELERY_BROKER_URL" not in os.environ:
        app.conf.broker_url = local_services.REDIS.url(TESTS_REDIS_DB)
    yield


@pytest.fixture(autouse=True, scope="session")
def _tests_cache_in_their_own_process():
    """The tests' cache lives and dies with the test run: a test database is new each run,
    so what a shared Redis cache kept from another run (or from `make run`) could match it."""
    from django.test import override_settings

    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=local):
        yield


@pytest.fixture
def redis_url() -> str:
    from billing_site.celery import app

    return app.conf.broker_url


@pytest.fixture
def today():
    """The billing day of the web and service tests that ask for it: Sunday 15 March 2026,
    noon UTC, the clock frozen."""
    with time_machine.travel(datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def manager(db):
    """A user in the Billing managers group."""
    from tests.factories import BILLING_MANAGERS, user_in

    return user_in(BILLING_MANAGERS, username="manager")


@pytest.fixture
def contract(today):
    """Monthly in advance from 1 Jan 2026, offset +1: cycle 2 (March) is current,
    schedules exist up to cycle 5 (June), 10 × 12.50 at 20 % a month."""
    from tests.invoicing.helpers import active_contract

    return active_contract(as_of=today)


@pytest.fixture
def eager_celery():
    """Celery tasks run inline, in the test's process and transaction; retries too (inline,
    without their countdown)."""
    from billing_site.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def subprocess_env(transactional_db, redis_url):
    """Environment for real processes (commands, Celery workers) sharing the test database."""
    db = connection.settings_dict
    env = dict(os.environ)
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env["DATABASE_URL"] = (
        f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["CELERY_BROKER_URL"] = redis_url
    env["SECRET_KEY"] = settings.SECRET_KEY
    env["PYTHONPATH"] = str(PROJECT_DIR)
    return env


@pytest.fixture
def celery_workers(subprocess_env, redis_url, tmp_path):
    """Start real Celery worker processes on Redis and the test database; all are
    stopped at the end, and their logs printed (pytest shows them for a failed test).
    `start(**env)` returns the process, with its log file as `.log_path`."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    started: list[subprocess.Popen] = []

    def start(**extra_env) -> subprocess.Popen:
        env = dict(subprocess_env, CELERY_BROKER_URL=redis_url, **extra_env)
        log_path = tmp_path / f"worker-{len(started)}.log"
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "billing_site",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        worker.log_path = log_path
        started.append(worker)
        wait_until(lambda: "ready" in log_path.read_text() or worker.poll() is not None, 30)
        assert worker.poll() is None, log_path.read_text()
        return worker

    yield start
    for worker in started:
        worker.terminate()
    for worker in started:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        print(worker.log_path.read_text())


@pytest.fixture
def celery_worker(celery_workers):
    """One real Celery worker process consuming from Redis, on the test database."""
    return celery_workers()


def free_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float = 30, interval: float = 0.2):
    """Poll `condition` until it returns a truthy value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
