"""Reads behind Generate all due (the month-end catch-up): what is due today, per currency,
the first schedules with the dates their invoices will carry, and the post-invoicing boxes
preset from the contracts. A fixed number of queries, whatever the size of the book."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from contracts.models import POST_TASKS, BillingContract
from invoicing.drafting import due_date, generation_date
from schedules.models import BillingSchedule

CATCH_UP_ROWS_SHOWN = 20


@dataclass(frozen=True)
class CurrencyDue:
    currency: str
    schedules: int
    contracts: int


@dataclass(frozen=True)
class CatchUpRow:
    """A due schedule as Generate all due will bill it: the dates its invoice will carry."""

    schedule: BillingSchedule
    invoice_date: date
    due_date: date
    as_of: date

    @property
    def dated_before_today(self) -> bool:
        return self.invoice_date < self.as_of

    @property
    def past_due_on_arrival(self) -> bool:
        """Generated so late that the invoice is already past its due date."""
        return self.due_date < self.as_of


@dataclass(frozen=True)
class CatchUp:
    """Everything due as of a day, before anyone presses Proceed."""

    as_of: date
    schedules: int
    contracts: int
    per_currency: list[CurrencyDue] = field(default_factory=list)
    rows: list[CatchUpRow] = field(default_factory=list)
    post_task_defaults: dict[str, bool] = field(default_factory=dict)

    @property
    def nothing_due(self) -> bool:
        return self.schedules == 0


def catch_up_due(as_of: date) -> QuerySet[BillingSchedule]:
    """Every due schedule of every active contract, all its past cycles: what the run bills."""
    return BillingSchedule.objects.due(as_of)


def catch_up_counts(as_of: date) -> tuple[int, int]:
    """(schedules, contracts) due as of the day, in one query."""
    found = catch_up_due(as_of).aggregate(
        schedules=Count("id"), contracts=Count("contract_id", distinct=True)
    )
    return found["schedules"], found["contracts"]


def catch_up_summary(*, as_of: date) -> CatchUp:
    """What Generate all due would bill today: counts per currency, the first rows, the
    post-invoicing defaults. Three queries."""
    due = catch_up_due(as_of)
    per_currency = [
        CurrencyDue(currency=row["contract__currency"], schedules=row["n"], contracts=row["c"])
        for row in due.values("contract__currency")
        .annotate(n=Count("id"), c=Count("contract_id", distinct=True))
        .order_by("contract__currency")
    ]
    shown = due.select_related("contract__customer").order_by(
        "invoice_date", "contract__number", "cycle_index"
    )[:CATCH_UP_ROWS_SHOWN]
    rows = []
    for schedule in shown:
        carried = generation_date(schedule.invoice_date, as_of)
        rows.append(
            CatchUpRow(
                schedule=schedule,
                invoice_date=carried,
                due_date=due_date(carried, schedule.contract.payment_terms_days),
                as_of=as_of,
            )
        )
    return CatchUp(
        as_of=as_of,
        schedules=sum(c.schedules for c in per_currency),
        # A contract has one currency: its contracts are counted once across the currencies.
        contracts=sum(c.contracts for c in per_currency),
        per_currency=per_currency,
        rows=rows,
        post_task_defaults=_post_task_defaults(due) if per_currency else {},
    )


def _post_task_defaults(due: QuerySet[BillingSchedule]) -> dict[str, bool]:
    """Each post-invoicing task: ticked when every contract with something due asks for it
    (as the bulk window presets them)."""
    found = BillingContract.objects.filter(pk__in=due.values("contract_id")).aggregate(
        total=Count("id"), **{task: Count("id", filter=Q(**{task: True})) for task in POST_TASKS}
    )
    return {task: found["total"] > 0 and found[task] == found["total"] for task in POST_TASKS}
