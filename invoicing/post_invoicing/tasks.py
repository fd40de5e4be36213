"""Celery tasks of post-invoicing: a task id in, one service call, the retry policy."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from billing_site.retries import retry_delay as backoff_delay
from invoicing.post_invoicing.running import Outcome, post_task_run
from invoicing.post_invoicing.scheduling import post_tasks_requeue_stalled


def retry_delay(retries: int) -> float:
    """The post-invoicing backoff (settings POST_INVOICING_RETRY_*)."""
    return backoff_delay(
        retries,
        base=settings.POST_INVOICING_RETRY_BASE_SECONDS,
        maximum=settings.POST_INVOICING_RETRY_MAX_SECONDS,
    )


@shared_task(bind=True, acks_late=True, max_retries=None)
def run_post_invoicing_task(self, task_id: int) -> str:
    """Run one post-invoicing task; transient failures come back with backoff until the
    attempts run out, and the last one fails the task for good."""
    last_attempt = self.request.retries + 1 >= settings.POST_INVOICING_MAX_ATTEMPTS
    outcome = post_task_run(task_id=task_id, last_attempt=last_attempt)
    if outcome is Outcome.RETRY:
        raise self.retry(countdown=retry_delay(self.request.retries))
    return outcome.value


@shared_task(acks_late=True)
def requeue_stalled_post_invoicing_tasks() -> int:
    """Beat: queue again the pending tasks whose message was lost."""
    return post_tasks_requeue_stalled()
