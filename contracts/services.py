"""Writes on customers. Contract and line writes move schedules, so they live with them in
`schedules.services`; a customer's do not."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction

from billing_site.actors import Actor, recorded_actor
from contracts.models import Customer


@transaction.atomic
def customer_save(
    *, customer: Customer, user: Actor, changed_labels: list[str] | None = None
) -> Customer:
    """Validate and save a new or edited customer, and put it on its history (the log admin
    keeps, so both doors write one trail). `changed_labels`: the edited fields' labels."""
    customer.full_clean()
    adding = customer.pk is None
    customer.save()
    actor = recorded_actor(user)
    if actor is not None:
        message = [{"added": {}}] if adding else [{"changed": {"fields": changed_labels or []}}]
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[customer],
            action_flag=ADDITION if adding else CHANGE,
            change_message=message,
            single_object=True,
        )
    return customer
