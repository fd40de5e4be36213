"""Reads of post-invoicing state, for the invoice page, a run's rows and the admin."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from invoicing.post_invoicing.models import PostInvoicingTask


@dataclass(frozen=True)
class TaskState:
    task_id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    attempts: int
    last_attempt_at: datetime | None
    message: str


def post_invoicing_states(invoice_ids: Collection[int]) -> dict[int, list[TaskState]]:
    """Each invoice's post-invoicing tasks, in a single query, whatever the number of invoices."""
    states: dict[int, list[TaskState]] = defaultdict(list)
    tasks = PostInvoicingTask.objects.filter(invoice_id__in=list(invoice_ids)).order_by(
        "invoice_id", "id"
    )
    for task in tasks:
        states[task.invoice_id].append(
            TaskState(
                task_id=task.pk,
                kind=task.kind,
                kind_label=task.get_kind_display(),
                status=task.status,
                status_label=task.get_status_display(),
                attempts=task.attempts,
                last_attempt_at=task.last_attempt_at,
                message=task.message,
            )
        )
    return dict(states)


def post_invoicing_summary(states: list[TaskState]) -> str:
    """One line for a list cell: 'Auto-Send done · Auto-Charge failed'."""
    return " · ".join(f"{s.kind_label} {s.status_label.lower()}" for s in states) or "—"
