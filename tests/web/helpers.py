"""Builders shared by the web and browser tests."""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.urls import reverse

from invoicing.models import AuditEvent, Invoice
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from schedules.services import schedules_keep_ahead
from tests.factories import UserFactory
from tests.invoicing.helpers import contract_with_line

GROUPS_MIGRATION = importlib.import_module("contracts.migrations.0003_billing_groups")
BILLING_MANAGERS = GROUPS_MIGRATION.BILLING_MANAGERS
BILLING_VIEWERS = GROUPS_MIGRATION.BILLING_VIEWERS
PASSWORD = "correct horse battery staple"


def billing_groups_ensure() -> None:
    """The groups exactly as migration 0003 makes them. Transactional tests empty every
    table afterwards, data-migration rows included, so tests ask for them again."""
    GROUPS_MIGRATION.billing_groups_create(global_apps, None)


def user_in(group_name: str | None, **fields):
    """A user in the named group (None: in no group at all)."""
    user = UserFactory(**fields)
    if group_name is not None:
        billing_groups_ensure()
        user.groups.add(Group.objects.get(name=group_name))
    return user


def active_contract(*, start=datetime.date(2026, 1, 1), as_of, **terms):
    """An active monthly in-advance contract with one line (10 × 12.50 at 20 %) and its
    schedules kept ahead as of `as_of`, as the nightly job leaves them."""
    contract = contract_with_line(start_date=start, **terms)
    schedules_keep_ahead(as_of=as_of, contract_ids=[contract.pk])
    contract.refresh_from_db()
    return contract


def generate_url(contract) -> str:
    return reverse("invoicing:generate", args=[contract.pk])


def form_as_shown(client, contract, cycle: int | None = None, **changes) -> dict:
    """What the Generate Invoice page posts for a cycle as a GET has just shown it."""
    response = client.get(generate_url(contract), {} if cycle is None else {"cycle": cycle})
    form = response.context["form"]
    data = {
        "cycle": form["cycle"].value(),
        "preview_switch": "1",
        "preview": "1",
        "fingerprint": form["fingerprint"].value() or "",
        "existing_invoice": form["existing_invoice"].value() or "",
    }
    data.update(
        {name: "on" for name in ("auto_send", "auto_charge", "auto_sync") if form[name].value()}
    )
    for name, value in changes.items():
        if value is None or value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def billing_state() -> tuple:
    """Every row a generation could write, to assert that a refusal wrote nothing."""
    return (
        list(Invoice.objects.order_by("pk").values_list("pk", "status", "replaces_id")),
        list(
            BillingSchedule.objects.order_by("pk").values_list(
                "pk", "status", "resulting_invoice_id"
            )
        ),
        list(AuditEvent.objects.order_by("pk").values_list("pk", "detail")),
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def schedule_of(contract, cycle: int) -> BillingSchedule:
    return BillingSchedule.objects.get(contract=contract, cycle_index=cycle)


def invoice_cycle(contract, cycle: int, **fields) -> Invoice:
    """Invoice a cycle through the engine, then set `fields` on the invoice (paid_at...)."""
    invoice = invoice_generate(schedule=schedule_of(contract, cycle))
    if fields:
        Invoice.objects.filter(pk=invoice.pk).update(**fields)
        invoice.refresh_from_db()
    return invoice
