"""GET /healthz: 200 when the database and the broker answer, 503 naming what does not.

For load balancers and compose's healthcheck: no login, JSON, bounded in time, never a 500.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing_site.celery import app

# Seconds a check may take. A probe that hangs on a dead dependency is worse than one that
# fails: the checks run side by side and the answer comes within this time whatever they do.
CHECK_TIMEOUT_SECONDS = 2.0
OK = "ok"
NO_ANSWER = f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"


def _check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # the check's thread owns this connection; leave none behind


def _check_broker() -> None:
    # Timeouts of its own, so a broker that accepts but never answers lets the thread end too.
    with app.connection_for_write(
        connect_timeout=CHECK_TIMEOUT_SECONDS,
        transport_options={"socket_timeout": CHECK_TIMEOUT_SECONDS},
    ) as broker:
        broker.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)


CHECKS: dict[str, Callable[[], None]] = {"database": _check_database, "broker": _check_broker}


def _reason(exc: Exception) -> str:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}".rstrip(": ")


def health_report() -> dict[str, str]:
    """Run every check on a daemon thread of its own; "ok" or the reason for each."""
    report = dict.fromkeys(CHECKS, NO_ANSWER)

    def run(name: str, check: Callable[[], None]) -> None:
        try:
            check()
            report[name] = OK
        except Exception as exc:  # any failure is a reason to report, not a 500
            report[name] = _reason(exc)

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in CHECKS.items()]
    deadline = time.monotonic() + CHECK_TIMEOUT_SECONDS
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return dict(report)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = all(value == OK for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
