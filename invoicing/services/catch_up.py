"""Generate all due (the month-end catch-up): one run billing every due schedule of every
active contract, all its past cycles, processed by the workers like a bulk run.

The run carries no cycle date, so its chunks bill each contract's due schedules, as the
nightly job does (`batch_generate`). At most one catch-up run is open at a time: a double
submit, or two managers pressing Proceed together, land on the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from billing_site.actors import Actor
from invoicing import errors
from invoicing.errors import BulkError
from invoicing.models import Door, GenerationRun
from invoicing.selectors.catch_up import catch_up_counts, catch_up_due
from invoicing.services.bulk import bulk_run_open
from invoicing.services.runs import post_tasks_parameter

# Proceeds take this transaction-scoped PostgreSQL advisory lock in turn, so the second
# one sees the first's run committed (any fixed number unique to this door will do).
CATCH_UP_LOCK = 0x43_41_54_43_48  # "CATCH"


def catch_up_run_open() -> GenerationRun | None:
    """The catch-up run still open, if any."""
    return (
        GenerationRun.objects.filter(
            trigger=Door.BULK, parameters__catch_up=True, status__in=GenerationRun.OPEN_STATUSES
        )
        .order_by("id")
        .first()
    )


@transaction.atomic
def catch_up_run_start(
    *,
    shown_schedules: int,
    shown_contracts: int,
    post_tasks: Mapping[str, bool] | None = None,
    user: Actor = None,
    as_of: date | None = None,
    enqueue: bool = True,
) -> tuple[GenerationRun, bool]:
    """Open the run billing everything due as of today, or return the catch-up run still
    open; the flag says whether this call opened it. BulkError when nothing is due or
    the counts are no longer the ones the person saw."""
    as_of = as_of or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CATCH_UP_LOCK])
    if (open_run := catch_up_run_open()) is not None:
        return open_run, False
    schedules, contracts = catch_up_counts(as_of)
    if not schedules:
        raise BulkError(errors.CATCH_UP_NOTHING_DUE.format(day=date_format(as_of)))
    if (schedules, contracts) != (shown_schedules, shown_contracts):
        raise BulkError(
            errors.CATCH_UP_CHANGED.format(
                schedules=schedules,
                contracts=contracts,
                shown_schedules=shown_schedules,
                shown_contracts=shown_contracts,
            )
        )
    ids = sorted(set(catch_up_due(as_of).values_list("contract_id", flat=True)))
    parameters = {
        "catch_up": True,
        "as_of": as_of.isoformat(),
        "schedules": schedules,
        "contracts": len(ids),
    }
    if post_tasks is not None:
        parameters["post_tasks"] = post_tasks_parameter(post_tasks)
    detail = f"Generate all due: {schedules} schedules of {len(ids)} contracts due on {date_format(as_of)}"
    run = bulk_run_open(ids, parameters, user=user, as_of=as_of, enqueue=enqueue, detail=detail)
    return run, True
