"""Reads behind a run's progress page, its job pages and the runs history.

The progress page is polled every second while a run of 100,000 jobs is going: it reads
the counts in one aggregate query and one page of jobs, whatever the size of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from contracts.models import POST_TASK_LABELS
from invoicing.models import GenerationJob, GenerationRun, Invoice
from schedules import cycles

JOBS_PER_PAGE = 50
RUNS_PER_PAGE = 25
# A run no process has held yet (queued to workers that never took it) with open jobs and
# nothing finished for this long has lost its workers. Runs that were held go by their lease.
STALLED_AFTER = timedelta(minutes=10)

# Why a running run needs Resume (RunProgress.attention); "" when it does not.
NOT_QUEUED = "not_queued"  # its chunks never reached the queue (broker unreachable)
INTERRUPTED = "interrupted"  # the process working it stopped renewing its lease
STALLED = "stalled"  # queued, never taken, nothing finished for STALLED_AFTER
# Who holds a run once its chunks are queued, until a worker takes one and renews the lease.
QUEUE_HOLDER = "the queue"


def run_parameters_described(run: GenerationRun) -> str:
    """A run's parameters as a billing manager reads them, in the reader's language."""
    parameters = run.parameters or {}
    parts = []
    if "cycle_date" in parameters:
        parts.append(gettext("cycle containing {day}").format(day=_day(parameters["cycle_date"])))
        if parameters.get("replace"):
            parts.append(gettext("replacing existing invoices"))
    elif "period_start" in parameters:
        start, end = _day(parameters["period_start"]), _day(parameters["period_end"])
        parts.append(gettext("change log {start} – {end}").format(start=start, end=end))
    elif "as_of" in parameters:
        parts.append(gettext("due on {day}").format(day=_day(parameters["as_of"])))
    if "contracts" in parameters:
        count = parameters["contracts"]
        parts.append(ngettext("{count} contract", "{count} contracts", count).format(count=count))
    if "post_tasks" in parameters:
        tasks = [str(POST_TASK_LABELS[task]) for task, on in parameters["post_tasks"].items() if on]
        parts.append(", ".join(tasks) if tasks else gettext("no post-invoicing tasks"))
    return "; ".join(parts) or "—"


def _day(iso: str) -> str:
    return date_format(date.fromisoformat(iso))


@dataclass(frozen=True)
class RunProgress:
    run: GenerationRun
    counts: dict[str, int]
    total: int
    done: int
    percent: int
    elapsed: timedelta | None
    remaining: timedelta | None
    attention: str
    status_shown: str
    jobs: Page

    @property
    def finished(self) -> bool:
        return self.run.status == GenerationRun.Status.FINISHED

    @property
    def left_in_queue(self) -> bool:
        """Whether the lease lapsed while the run waited in the queue, no worker taking it."""
        return self.run.heartbeat_by == QUEUE_HOLDER

    @property
    def stalled(self) -> bool:
        """Whether Resume is offered: never queued, interrupted or stalled."""
        return bool(self.attention)

    @property
    def parameters(self) -> str:
        return run_parameters_described(self.run)

    @property
    def elapsed_text(self) -> str:
        return duration_described(self.elapsed)

    @property
    def remaining_text(self) -> str:
        return duration_described(self.remaining)


def duration_described(span: timedelta | None) -> str:
    """ "4 s", "2 min 05 s", "1 h 03 min": how long, to the second."""
    if span is None:
        return "—"
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def run_progress(*, run: GenerationRun, status: str, page_number) -> RunProgress:
    """Counts, timing, whether the run stalled, and one page of its jobs."""
    counts = run.counts()
    total = sum(counts.values())
    done = total - sum(counts[s] for s in GenerationJob.OPEN_STATUSES)
    elapsed = _elapsed(run)
    remaining = None
    if elapsed and done and done < total:
        # The pace so far, applied to what is left: good enough for "about a minute".
        remaining = elapsed * ((total - done) / done)
    return RunProgress(
        run=run,
        counts=counts,
        total=total,
        done=done,
        percent=100 * done // total if total else 100,
        elapsed=elapsed,
        remaining=remaining,
        attention=run_attention(run, has_open_jobs=done < total),
        status_shown=status,
        jobs=run_jobs_page(
            run=run,
            status=status,
            page_number=page_number,
            count=counts.get(status, 0) if status else total,
        ),
    )


def _elapsed(run: GenerationRun) -> timedelta | None:
    start = run.started_at or run.created_at
    return (run.finished_at or timezone.now()) - start if start else None


def run_jobs_page(
    *, run: GenerationRun, status: str, page_number, count: int | None = None
) -> Page:
    """One page of the run's jobs, each carrying its invoices (one query for the page).
    `count`, when the caller has it from the run's counts, spares counting 100,000 rows again."""
    jobs = run.jobs.select_related("contract__customer").order_by("id")
    if status:
        jobs = jobs.filter(status=status)
    paginator = Paginator(jobs, JOBS_PER_PAGE)
    if count is not None:
        paginator.__dict__["count"] = count  # what the cached `count` would have found
    page = paginator.get_page(page_number)
    invoices = jobs_invoices([job.pk for job in page])
    for job in page:
        job.invoices_shown = invoices.get(job.pk, [])
    return page


def jobs_invoices(job_ids: list[int]) -> dict[int, list[Invoice]]:
    """Each job's invoices (and credit notes), in one query for a page of jobs."""
    invoices: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(job_id__in=job_ids).order_by("id"):
        assert invoice.job_id is not None
        invoices.setdefault(invoice.job_id, []).append(invoice)
    return invoices


def runs_page(*, page_number) -> Page:
    """One page of every run, newest first, each with its outcome counts (one query)."""
    runs = GenerationRun.objects.select_related("requested_by").order_by("-created_at", "-id")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(page_number)
    counts = runs_job_counts([run.pk for run in page])
    now = timezone.now()
    for run in page:
        run.job_counts = counts[run.pk]
        run.described = run_parameters_described(run)
        has_open_jobs = any(counts[run.pk][s] for s in GenerationJob.OPEN_STATUSES)
        # The list shows what the run row knows; the 10-minute guess stays on the run page.
        attention = run_attention(run, has_open_jobs=has_open_jobs, now=now)
        run.attention = "" if attention == STALLED else attention
    return page


def runs_job_counts(run_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each run's jobs per status, every status present, in one query for a page of runs."""
    counts: dict[int, dict[str, int]] = {
        run_id: dict.fromkeys(GenerationJob.Status.values, 0) for run_id in run_ids
    }
    rows = (
        GenerationJob.objects.filter(run_id__in=run_ids)
        .values_list("run_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for run_id, status, n in rows:
        counts[run_id][status] = n
    return counts


@dataclass(frozen=True)
class JobOverview:
    job: GenerationJob
    cycle: cycles.Cycle | None
    invoices: list[Invoice]
    parameters: str


def job_overview(*, job: GenerationJob) -> JobOverview:
    """One job: its contract, the cycle or period it billed, its invoices and timings."""
    contract, parameters = job.contract, job.run.parameters or {}
    cycle = None
    if "cycle_date" in parameters:
        day = date.fromisoformat(parameters["cycle_date"])
        try:
            cycle = cycles.cycle_containing(
                contract.start_date, contract.billing_frequency, day, contract.end_date
            )
        except ValueError:
            cycle = None  # the job's message says it had no cycle that day
    return JobOverview(
        job=job,
        cycle=cycle,
        invoices=list(job.invoices.order_by("id")),
        parameters=run_parameters_described(job.run),
    )


def run_lease() -> timedelta:
    """How long a process's hold on a run lasts without being renewed."""
    return timedelta(seconds=settings.BILLING_RUN_LEASE_SECONDS)


def run_attention(
    run: GenerationRun, *, has_open_jobs: bool | None = None, now: datetime | None = None
) -> str:
    """Why a running run needs Resume: NOT_QUEUED, INTERRUPTED, STALLED, or "" if it does
    not. Answers from the run row alone while a process holds the run (the progress page
    is polled every second); `has_open_jobs`, when the caller counted them, spares a query."""
    now = now or timezone.now()
    if run.status != GenerationRun.Status.RUNNING:
        return ""
    held = run.heartbeat_at is not None and run.heartbeat_at >= now - run_lease()
    started = run.started_at or run.created_at
    never_held_young = run.heartbeat_at is None and started >= now - STALLED_AFTER
    if run.enqueue_failed_at is None and (held or never_held_young):
        return ""
    if has_open_jobs is None:
        has_open_jobs = run.jobs.open().exists()
    if not has_open_jobs:
        return ""
    if run.enqueue_failed_at is not None:
        return NOT_QUEUED
    if run.heartbeat_at is not None:
        return INTERRUPTED
    last = (
        run.jobs.exclude(finished_at=None)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return STALLED if (last or started) < now - STALLED_AFTER else ""


def run_is_stalled(run: GenerationRun, now: datetime | None = None) -> bool:
    """A running run whose workers went away or never got it: Resume may take it."""
    return bool(run_attention(run, now=now))
