"""`make run`: the back office with its demo book, on one machine, in one terminal.

Migrates, seeds the demo book once, then runs Procfile.dev (web, Celery worker, beat)
through honcho. Once the web server and the worker answer, the sign-in is printed as the
last thing on screen. Ctrl-C stops all of them; the project's own PostgreSQL and Redis
stop with the last process that used them (billing_site/local_services.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 120
BANNER = """
{rule}
  The billing back office is ready: {url}
  Sign in as {username} / {password}   (Django admin: {url}admin/)
  Ctrl-C stops it all.
{rule}
"""


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    port = int(os.environ.get("PORT", "8000"))
    url = f"http://127.0.0.1:{port}/"
    call_command("migrate", interactive=False, verbosity=1)
    call_command("seed_demo", if_empty=True)
    call_command("ensure_demo_admin", url=f"{url}admin/")

    bin_dir = Path(sys.executable).parent
    environment = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    honcho = subprocess.Popen(
        [bin_dir / "honcho", "--procfile", "Procfile.dev", "start", "--port", str(port)],
        cwd=PROJECT_DIR,
        env=environment,
    )
    threading.Thread(target=_announce_when_ready, args=(url, honcho), daemon=True).start()
    try:
        return honcho.wait()
    except KeyboardInterrupt:
        honcho.wait()  # honcho got the Ctrl-C too and is stopping its processes
        return 0


def _announce_when_ready(url: str, honcho: subprocess.Popen) -> None:
    from demo.management.commands.ensure_demo_admin import DEMO_PASSWORD

    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not (_web_answers(url) and _worker_answers()):
        if honcho.poll() is not None or time.monotonic() > deadline:
            return
        time.sleep(0.5)
    rule = "-" * 72
    print(BANNER.format(rule=rule, url=url, username="admin", password=DEMO_PASSWORD), flush=True)


def _web_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _worker_answers() -> bool:
    from billing_site.celery import app

    return bool(app.control.ping(timeout=1))


if __name__ == "__main__":
    sys.exit(main())
