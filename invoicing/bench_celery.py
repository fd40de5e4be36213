"""The benchmark's Celery door: the real nightly task through a real worker on the broker.

Starts `celery worker` with N processes on the configured database and broker, sends
`generate_due_invoices`, waits until the run is finished and stops the worker (its own
process group, nothing else). The time runs from the message to the run's finish.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection

from invoicing.bench_measure import Measure

if TYPE_CHECKING:
    from celery import Celery  # type: ignore[import-untyped]

    from invoicing.models import GenerationRun

PROJECT_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60
RUN_TIMEOUT = 4 * 3600


def celery_run_step(as_of: date, concurrency: int) -> Measure:
    """The nightly run through a Celery worker of `concurrency` processes."""
    from billing_site.celery import app
    from invoicing.models import Door, GenerationRun, Invoice
    from invoicing.tasks import generate_due_invoices

    app.control.purge()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "billing_site", "worker", "--loglevel=WARNING"]
        + [f"--concurrency={concurrency}", "--pool=prefork", f"-n bench{os.getpid()}@%h"],
        cwd=PROJECT_DIR,
        start_new_session=True,  # its own process group, stopped as a whole below
    )
    try:
        _wait_ready(app)
        connection.close()
        started = time.perf_counter()
        generate_due_invoices.delay(as_of.isoformat())
        run = _wait_finished(GenerationRun, Door.NIGHTLY, as_of)
        seconds = time.perf_counter() - started
        peak = _group_peak_mb(worker.pid)
        invoices = Invoice.objects.filter(job__run=run).count()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        app.control.purge()  # the forecast warm-up the finished run queued
    return Measure(invoices, seconds, 0.0, peak)


def _wait_ready(app: Celery) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError("The Celery worker did not answer within a minute.")


def _wait_finished(model: type[GenerationRun], trigger: str, as_of: date) -> GenerationRun:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        run = model.objects.filter(trigger=trigger, as_of_date=as_of).first()
        if run is not None and run.finished_at is not None:
            return run
        time.sleep(0.2)
    raise RuntimeError("The nightly run did not finish in time.")


def _group_peak_mb(leader: int) -> float:
    """The largest peak resident memory among the worker's processes (VmHWM)."""
    peak = 0
    for pid in [leader, *_children(leader)]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]
