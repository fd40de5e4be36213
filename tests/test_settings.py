"""Settings refuse what would be unsafe or unsupported in production, with a message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR

# Named servers that are never reached: `manage.py check` connects to neither.
PRODUCTION = {
    "DATABASE_URL": "postgres://billing@127.0.0.1:1/billing",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    "DEBUG": "False",
}


def manage_py_check(**settings: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    env.pop("SECRET_KEY", None)
    env.update(settings)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_with_its_own_secret_key_starts():
    result = manage_py_check(**PRODUCTION, SECRET_KEY="a-long-random-production-value")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("key", [None, "insecure-development-key-change-me"])
def test_debug_off_without_a_secret_key_of_its_own_refuses_to_start(key):
    result = manage_py_check(**PRODUCTION, **({"SECRET_KEY": key} if key else {}))
    assert result.returncode != 0
    assert "SECRET_KEY is not set: set it to a long random value" in result.stderr


def test_debug_on_may_use_the_built_in_key():
    result = manage_py_check(**dict(PRODUCTION, DEBUG="True"))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "DATABASE_URL",
            "sqlite:////tmp/billing.sqlite3",
            "DATABASE_URL must be a postgres:// URL",
        ),
        (
            "SECURE_PROXY_SSL_HEADER",
            "HTTP_X_FORWARDED_PROTO",
            "SECURE_PROXY_SSL_HEADER is a header and a value",
        ),
    ],
)
def test_unsupported_settings_are_refused_with_a_message(name, value, message):
    result = manage_py_check(**dict(PRODUCTION, SECRET_KEY="k" * 50, **{name: value}))
    assert result.returncode != 0
    assert message in result.stderr
