"""GET /healthz against the real PostgreSQL and Redis, and brokers that do not answer."""

from __future__ import annotations

import socket
import time

import pytest

from billing_site.health import CHECK_TIMEOUT_SECONDS, NO_ANSWER
from tests.conftest import free_port


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_healthz_answers_200_without_login_when_database_and_broker_answer(client, db, redis_url):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_broker_when_it_refuses_connections(
    client, db, monkeypatch, closed_port
):
    # Celery reads CELERY_BROKER_URL from the environment before its settings, at each use.
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{closed_port}/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert "Connection refused" in body["broker"]


def test_healthz_answers_within_its_timeout_when_the_broker_never_replies(
    client, db, monkeypatch, silent_server
):
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{silent_server}/0")

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["broker"] in {NO_ANSWER, "OperationalError: Timeout reading from socket"}
    assert elapsed < CHECK_TIMEOUT_SECONDS + 1


def test_healthz_refuses_anything_but_get(client, db):
    assert client.post("/healthz").status_code == 405
