"""The image, built without Docker: exactly what the Dockerfile copies, `pip install .` into a
fresh virtual environment, collectstatic, migrate, and the image's gunicorn command serving a
page, its stylesheet and an invoice PDF under docker-compose.yml's production settings."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
from contextlib import closing
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection

from tests.conftest import PROJECT_DIR, free_port, wait_until

DOCKERFILE = (PROJECT_DIR / "Dockerfile").read_text()
PRINT_FIRST_INVOICE_PDF_URL = (
    "from django.urls import reverse; from invoicing.models import Invoice; "
    "print(reverse('post_invoicing:invoice_pdf', args=[Invoice.objects.earliest('pk').pk]))"
)


def dockerfile_copy(into: Path) -> None:
    """Copy what the Dockerfile's COPY lines copy into `into` (no __pycache__: .dockerignore)."""
    for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.MULTILINE):
        *sources, destination = line.split()
        for source in map(PROJECT_DIR.joinpath, sources):
            target = into / destination
            target = target / source.name if destination.endswith("/") else target
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target)


def compose_app_environment() -> dict[str, str]:
    """docker-compose.yml's x-app environment: flat `KEY: value` lines (the venv has no YAML)."""
    text = (PROJECT_DIR / "docker-compose.yml").read_text()
    block = re.search(r"^x-app:.*?^  environment:\n((?: {4}[^\n]*\n)+)", text, re.M | re.S)[1]
    return dict(re.findall(r'^ {4}(\w+): "?(.*?)"?$', block, re.M))


def image_command(bin_dir: Path, port: int) -> list[str]:
    """The Dockerfile's CMD, run from the venv, on a loopback port instead of 0.0.0.0:8000."""
    program, *args = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)[1])
    return [str(bin_dir / program), *(a.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for a in args)]


class BehindTheProxy:
    """HTTP to gunicorn on loopback, saying what compose's TLS proxy would (X-Forwarded-Proto),
    with a cookie jar that keeps Secure cookies, as the browser does over https."""

    def __init__(self, port: int):
        self.port, self.cookies = port, SimpleCookie()

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": f"https://127.0.0.1:{self.port}",  # what Django's CSRF check compares
            "Cookie": "; ".join(f"{name}={m.value}" for name, m in self.cookies.items()),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        with closing(http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)) as server:
            server.request(method, path, body=form and urlencode(form), headers=headers)
            response = server.getresponse()
            body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response, body


def healthz_once_listening(browser: BehindTheProxy, gunicorn: subprocess.Popen):
    assert gunicorn.poll() is None, "gunicorn exited"
    try:
        return browser.request("GET", "/healthz")
    except ConnectionRefusedError:
        return None


@pytest.fixture
def fresh_database_url():
    """A database of its own on the suite's PostgreSQL server, dropped afterwards."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    server = f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    name = f"{db['NAME']}_image"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(drop)


@pytest.mark.slow
def test_the_image_serves_a_page_its_stylesheet_and_an_invoice_pdf(
    fresh_database_url, redis_url, tmp_path
):
    # The steps below are the Dockerfile's RUN lines; keep the two in step.
    assert "\nRUN pip install .\n" in DOCKERFILE and "collectstatic --noinput" in DOCKERFILE
    app, bin_dir, static_root = tmp_path / "app", tmp_path / "venv" / "bin", tmp_path / "static"
    dockerfile_copy(into=app)
    subprocess.run([sys.executable, "-m", "venv", tmp_path / "venv"], check=True)
    subprocess.run([bin_dir / "pip", "install", "--quiet", "."], cwd=app, check=True)
    # The container's environment is compose's, not this shell's (DATABASE_URL, SECRET_KEY...).
    environment = compose_app_environment() | {
        "DATABASE_URL": fresh_database_url,
        "CELERY_BROKER_URL": redis_url,
        "STATIC_ROOT": str(static_root),
        "PYTHONPATH": str(app),  # as the Dockerfile's ENV
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
    }

    def manage(*args: str) -> str:
        command = [bin_dir / "python", "manage.py", *args]
        done = subprocess.run(command, cwd=app, env=environment, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    manage("check", "--deploy", "--fail-level", "WARNING")
    manage("collectstatic", "--noinput")
    assert (static_root / "css" / "billing.css").is_file()
    manage("migrate", "--noinput")
    manage("seed_demo", "--contracts", "3", "--seed", "1", "--today", "2026-03-15")
    manage("ensure_demo_admin")
    pdf_url = manage("shell", "-v", "0", "-c", PRINT_FIRST_INVOICE_PDF_URL).strip()

    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:  # gunicorn writes to its own copy of the file descriptor
        gunicorn = subprocess.Popen(
            image_command(bin_dir, port), cwd=app, env=environment, stdout=log, stderr=log
        )
    try:
        browser = BehindTheProxy(port)
        response, body = wait_until(lambda: healthz_once_listening(browser, gunicorn))
        assert (response.status, json.loads(body)) == (200, {"database": "ok", "broker": "ok"})

        response, page = browser.request("GET", "/accounts/login/")
        assert response.status == 200
        hsts = f"max-age={environment['SECURE_HSTS_SECONDS']}"
        assert hsts in response.headers["Strict-Transport-Security"]
        stylesheet = re.search(rb'<link rel="stylesheet" href="([^"]+)"', page)[1].decode()
        response, css = browser.request("GET", stylesheet)
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert b"{" in css

        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
        login = {"username": "admin", "password": "billing-demo", "csrfmiddlewaretoken": token}
        response, _ = browser.request("POST", "/accounts/login/", login)
        assert response.status == 302, "login refused"
        response, pdf = browser.request("GET", pdf_url)
        assert (response.status, response.headers["Content-Type"]) == (200, "application/pdf")
        assert pdf.startswith(b"%PDF")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        print(log_path.read_text())  # pytest shows it when the test failed
