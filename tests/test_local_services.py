"""The project's own PostgreSQL and Redis: started when needed, shared, stopped by the last
client, and a clear message (with nothing lost) when they cannot start.

Each test runs its own servers in a folder of its own on free ports, beside the ones the
suite itself may be using."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from billing_site.local_services import (
    DID_NOT_START,
    NOT_WRITABLE,
    PORT_TAKEN,
    WRONG_MAJOR_VERSION,
    LocalPostgres,
    LocalRedis,
    LocalServiceError,
    release,
    use,
)
from tests.conftest import PROJECT_DIR, free_port, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres(tmp_path):
    server = LocalPostgres(root=tmp_path, port=free_port())
    yield server
    with server.locked():
        server.stop()


@pytest.fixture
def redis_server(tmp_path):
    server = LocalRedis(root=tmp_path, port=free_port())
    yield server
    with server.locked():
        server.stop()


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def client_process(server, seconds: int = 60) -> subprocess.Popen:
    """Another process that uses `server` (as a manage.py command would) and then sleeps."""
    kind = type(server).__name__
    # SIGINT back to Python's default: a child inherits an ignored SIGINT from this process
    # (a test that ran before may have left it ignored), and Ctrl-C is what stops it here.
    code = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler);"
        "import sys, time; from pathlib import Path; from billing_site import local_services as l;"
        f"l.use(l.{kind}(root=Path({str(server.dir.parent)!r}), port={server.port}));"
        f"print('ready', flush=True); time.sleep({seconds})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def test_the_first_client_starts_postgresql_with_the_billing_database(postgres):
    use(postgres)
    with psycopg.connect(postgres.url()) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == ("billing",)
    release(postgres, os.getpid())
    assert not postgres.is_running()


def test_the_server_stops_only_when_its_last_client_leaves(postgres):
    other = client_process(postgres)
    try:
        use(postgres)
        release(postgres, os.getpid())
        assert postgres.is_running(), "stopped under a live client"
    finally:
        other.send_signal(signal.SIGINT)
        other.wait(timeout=20)
    assert not postgres.is_running()


def test_a_client_killed_without_notice_does_not_keep_the_server_running(postgres):
    crashed = client_process(postgres)
    crashed.kill()
    crashed.wait()
    use(postgres)
    release(postgres, os.getpid())
    assert not postgres.is_running()


def test_a_stale_pid_file_after_a_crash_neither_blocks_the_start_nor_loses_data(postgres):
    use(postgres)
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute("CREATE TABLE kept (value int); INSERT INTO kept VALUES (42)")
    os.kill(postgres.running_pid(), signal.SIGKILL)
    wait_until(lambda: not postgres.is_running(), 20)
    assert (postgres.data / "postmaster.pid").exists()

    with postgres.locked():
        postgres.start()
    with psycopg.connect(postgres.url()) as connection:
        assert connection.execute("SELECT value FROM kept").fetchone() == (42,)


def test_a_taken_port_is_refused_with_what_to_do(postgres, redis_server):
    for server in (postgres, redis_server):
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", server.port))
            squatter.listen()
            with pytest.raises(LocalServiceError) as refused:
                use(server)
        assert str(refused.value) == PORT_TAKEN.format(
            port=server.port, name=server.name, variable=server.port_variable
        )
        assert not server.is_running()


def test_data_of_another_postgresql_major_version_is_refused_and_left_as_it_was(postgres):
    postgres.data.mkdir(parents=True)
    (postgres.data / "PG_VERSION").write_text("15\n")
    (postgres.data / "base").mkdir()
    (postgres.data / "base" / "1").write_bytes(b"someone's data")
    before = folder_digest(postgres.data)

    with pytest.raises(LocalServiceError) as refused:
        use(postgres)

    assert str(refused.value) == WRONG_MAJOR_VERSION.format(
        path=postgres.data, found="15", wanted=postgres.major_version()
    )
    assert folder_digest(postgres.data) == before


def test_a_folder_that_cannot_be_written_is_refused_with_what_to_do(tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    server = LocalRedis(root=not_a_folder, port=free_port())
    with pytest.raises(LocalServiceError) as refused:
        use(server)
    assert str(refused.value) == NOT_WRITABLE.format(path=server.dir)


def test_redis_keeps_queued_messages_across_a_restart(redis_server):
    import redis

    use(redis_server)
    redis.Redis.from_url(redis_server.url()).rpush("celery", "a queued task")
    release(redis_server, os.getpid())
    assert not redis_server.is_running()

    use(redis_server)
    assert redis.Redis.from_url(redis_server.url()).lrange("celery", 0, -1) == [b"a queued task"]


def test_a_manage_py_command_says_what_to_do_without_a_traceback(tmp_path):
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "CELERY_BROKER_URL")
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=PROJECT_DIR,
            env=dict(env, LOCAL_SERVICES_DIR=str(tmp_path), LOCAL_POSTGRES_PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"error: Port {port} on 127.0.0.1 is taken by another program" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_server_that_fails_to_start_shows_the_end_of_its_log(postgres):
    use(postgres)
    release(postgres, os.getpid())
    (postgres.data / "postgresql.conf").write_text("this is not a setting\n")

    started = time.monotonic()
    with pytest.raises(LocalServiceError) as refused:
        use(postgres)

    assert str(refused.value).startswith(DID_NOT_START.split("{")[0] + "PostgreSQL")
    assert "syntax error" in str(refused.value)
    assert time.monotonic() - started < 15
