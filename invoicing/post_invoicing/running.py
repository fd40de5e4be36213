"""Run one post-invoicing task: lock its row, do its work once, record how it went.

The row lock is held while the work talks to the mail server, the gateway or the
ledger (each with a timeout), so a task delivered twice at once runs once. The
invoice is never touched here beyond what the work itself records (paid_at): a
failed task never undoes an invoice.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.utils import timezone

from invoicing.post_invoicing import errors
from invoicing.post_invoicing.charging import invoice_charge
from invoicing.post_invoicing.errors import NothingToDo, PermanentError, TransientError
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.post_invoicing.publishing import post_task_failed_publish
from invoicing.post_invoicing.sending import invoice_email_send
from invoicing.post_invoicing.syncing import invoice_sync

logger = logging.getLogger(__name__)

Kind = PostInvoicingTask.Kind
Status = PostInvoicingTask.Status

# Each runner does the work of one task and returns what to show on the invoice, or
# raises a PostInvoicingError saying why it did not.
RUNNERS: dict[str, Callable[[PostInvoicingTask], str]] = {
    Kind.SEND: invoice_email_send,
    Kind.CHARGE: invoice_charge,
    Kind.SYNC: invoice_sync,
    Kind.SYNC_REPLACED: invoice_sync,
    Kind.SYNC_VOIDED: invoice_sync,
}


class Outcome(enum.StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    RETRY = "retry"  # a transient error: the caller schedules the next attempt
    NOT_PENDING = "not_pending"  # already done, failed or skipped: nothing run
    BUSY = "busy"  # another worker is running it right now


def post_task_run(*, task_id: int, last_attempt: bool = False) -> Outcome:
    """Run a pending task once. A transient error leaves it pending (Outcome.RETRY),
    or fails it for good on the `last_attempt`."""
    with transaction.atomic():
        task = (
            PostInvoicingTask.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("invoice__contract__customer")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            exists = PostInvoicingTask.objects.filter(pk=task_id).exists()
            return Outcome.BUSY if exists else Outcome.NOT_PENDING
        if task.status != Status.PENDING:
            return Outcome.NOT_PENDING
        outcome = _attempt(task, last_attempt)
        # Failed for good, however: a permanent error, a bug, or the last transient attempt
        # given up (GAVE_UP). Published once: same transaction as the status, and a task
        # no longer pending never gets here again until a person retries it.
        if outcome is Outcome.FAILED:
            post_task_failed_publish(task=task, invoice_number=task.invoice.number)
        task.save(
            update_fields=[
                "status",
                "attempts",
                "last_attempt_at",
                "message",
                "updated_at",
                "finished_at",
            ]
        )
    return outcome


def _attempt(task: PostInvoicingTask, last_attempt: bool) -> Outcome:
    now = timezone.now()
    task.attempts += 1
    task.last_attempt_at = task.updated_at = now
    try:
        task.message = RUNNERS[task.kind](task)
        outcome = Outcome.DONE
    except NothingToDo as error:
        task.message, outcome = str(error), Outcome.SKIPPED
    except PermanentError as error:
        task.message, outcome = str(error), Outcome.FAILED
    except TransientError as error:
        if last_attempt:
            task.message = errors.GAVE_UP.format(attempts=task.attempts, reason=error)
            outcome = Outcome.FAILED
        else:
            task.message = errors.RETRYING.format(attempt=task.attempts, reason=error)
            outcome = Outcome.RETRY
    except DatabaseError:
        raise  # the transaction is broken: nothing can be recorded; the sweep retries
    except Exception as error:  # a bug must end visibly on the invoice, not loop forever
        logger.exception("Post-invoicing task %s failed unexpectedly", task.pk)
        task.message, outcome = errors.UNEXPECTED.format(error=error), Outcome.FAILED
    task.status = {
        Outcome.DONE: Status.DONE,
        Outcome.SKIPPED: Status.SKIPPED,
        Outcome.FAILED: Status.FAILED,
    }.get(outcome, Status.PENDING)
    task.finished_at = None if task.status == Status.PENDING else now
    return outcome
