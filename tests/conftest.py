"""Shared fixtures. The suite runs on whatever DATABASE_URL / CELERY_BROKER_URL say;
CI points them at PostgreSQL and Redis. Tests that need those services skip
without them, except under CI=true, where a missing service fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not configured or not reachable.")
    pytest.skip(f"needs {what}")


@pytest.fixture(autouse=True, scope="session")
def _no_filesystem_broker_in_tests():
    """Without Redis, tests that commit would queue real messages into the project's
    .celery/ folder; an in-memory broker keeps them inside the test process."""
    from billing_site.celery import app

    if app.conf.broker_url.startswith("filesystem://"):
        app.conf.broker_url = "memory://"
        app.conf.broker_transport_options = {}
    yield


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


@pytest.fixture
def subprocess_env(postgresql, transactional_db):
    """Environment for real processes (commands, Celery workers) sharing the test database."""
    db = connection.settings_dict
    env = dict(os.environ)
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env["DATABASE_URL"] = (
        f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
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


def wait_until(condition, timeout: float = 30, interval: float = 0.2):
    """Poll `condition` until it returns a truthy value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
