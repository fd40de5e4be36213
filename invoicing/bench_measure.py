"""Measuring the nightly benchmark: each step in a fresh process of its own, timed in wall
seconds and in CPU seconds (this process plus its PostgreSQL backend), with its peak memory.

A busy machine stretches wall time but barely CPU time, so the CPU ratio run / floor
stays comparable between runs where the wall ratio does not. The book is built in its
own process, so the run's peak memory is the run's alone.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import django
from django.db import connection

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measure:
    invoices: int
    seconds: float
    cpu_seconds: float  # this process and its database backend, when on this machine
    peak_mb: float  # the process's peak resident memory, Django and its imports included
    statements: int = 0

    @property
    def rate(self) -> float:
        return self.invoices / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.invoices / self.cpu_seconds if self.cpu_seconds else 0.0


def backend_cpu_seconds() -> float:
    """CPU seconds of this connection's PostgreSQL backend; 0 when it runs elsewhere."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_now() -> float:
    times = os.times()
    return times.user + times.system + backend_cpu_seconds()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step: Callable[[], tuple[int, int]]) -> Measure:
    """Run `step` (returning invoices and SQL statements) and measure it."""
    cpu, started = cpu_now(), time.perf_counter()
    invoices, statements = step()
    seconds = time.perf_counter() - started
    return Measure(invoices, seconds, cpu_now() - cpu, peak_mb(), statements)


def in_child(function: Callable[..., Any], *args: Any) -> Any:
    """Call `function(*args)` in a fresh spawned process (Django set up) and return its
    result: its memory and CPU are its own."""
    connection.close()  # the child opens its own connection
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, initializer=django.setup, maxtasksperchild=1) as pool:
        return pool.apply(function, args)


def book_step(contracts: int, lines: int, as_of: date) -> float:
    """Empty the bench database and build the book; returns its seconds."""
    from invoicing.benchmarks import bench_book_create, bench_database_reset

    started = time.perf_counter()
    bench_database_reset()
    bench_book_create(contracts=contracts, lines=lines, as_of=as_of)
    return time.perf_counter() - started


def run_step(as_of: date, workers: int) -> Measure:
    """The nightly run as the command line runs it, in this process or `workers` more."""
    from billing_site.bulk import count_statements
    from invoicing.benchmarks import run_in_processes
    from invoicing.models import Door, Invoice
    from invoicing.services import generation_run_execute, generation_run_open

    def step() -> tuple[int, int]:
        with count_statements() as statements:
            run = generation_run_open(as_of=as_of, trigger=Door.COMMAND)
            if workers == 1:
                generation_run_execute(run)
            else:
                statements[0] += run_in_processes(run, workers)
        return Invoice.objects.filter(job__run=run).count(), statements[0]

    return timed(step)
