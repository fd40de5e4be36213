"""`make run` on a machine with nothing set: the project's own servers, the demo book, the
web UI and a worker, the sign-in printed last; Ctrl-C leaves no process behind."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import urllib.parse
import urllib.request

import psutil
import pytest

from billing_site.local_services import LocalPostgres, LocalRedis, port_in_use
from tests.conftest import PROJECT_DIR, free_port, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def make_run(tmp_path):
    """`make run` in a folder and on ports of its own; its output goes to a file."""
    ports = {name: free_port() for name in ("PORT", "LOCAL_POSTGRES_PORT", "LOCAL_REDIS_PORT")}
    unset = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "MAKEFLAGS", "MAKELEVEL")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update({key: str(port) for key, port in ports.items()}, LOCAL_SERVICES_DIR=str(tmp_path))
    log = tmp_path / "make-run.log"
    process = subprocess.Popen(
        ["make", "run"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    process.log = log
    process.url = f"http://127.0.0.1:{ports['PORT']}/"
    process.servers = (
        LocalPostgres(root=tmp_path, port=ports["LOCAL_POSTGRES_PORT"]),
        LocalRedis(root=tmp_path, port=ports["LOCAL_REDIS_PORT"]),
    )
    yield process
    with contextlib.ExitStack() as cleanup:  # every step runs, even after one fails
        cleanup.callback(lambda: print(log.read_text()))
        for server in process.servers:
            cleanup.callback(server.stop)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def processes_using(folder) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "environ"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            environ = process.info["environ"] or {}
        except psutil.Error:
            continue
        if str(folder) in cmdline or environ.get("LOCAL_SERVICES_DIR") == str(folder):
            found.append(process)
    return found


def sign_in(url: str) -> urllib.request.OpenerDirector:
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login_page = browser.open(f"{url}accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": "admin", "password": "billing-demo"}
    request = urllib.request.Request(
        f"{url}accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{url}accounts/login/"},
    )
    browser.open(request)
    return browser


def test_make_run_serves_the_demo_book_and_ctrl_c_stops_every_process(make_run, tmp_path):
    wait_until(lambda: "is ready" in make_run.log.read_text() or make_run.poll() is not None, 120)
    output = make_run.log.read_text()
    assert make_run.poll() is None, output
    banner = output.index("The billing back office is ready")
    assert output.index(" ready.") < banner, "announced before the worker was ready"
    assert f"ready: {make_run.url}" in output
    assert "Sign in as admin / billing-demo" in output[banner:]

    browser = sign_in(make_run.url)
    export = f"{make_run.url}invoices/export.csv?start=2000-01-01&end=2100-12-31"
    invoices = browser.open(export).read().decode()
    assert len(invoices.splitlines()) > 10, "the demo book has no invoice history"

    os.killpg(make_run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    make_run.wait(timeout=60)
    for server in make_run.servers:
        assert not server.is_running(), f"{server.name} left running"
        assert not port_in_use(server.port), f"{server.name} still answers on {server.port}"
    wait_until(lambda: not processes_using(tmp_path), 10)
