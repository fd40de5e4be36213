"""Builders shared by the web and browser tests: what a page posts, what it says."""

from __future__ import annotations

from django.urls import reverse

from invoicing.models import Invoice
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule


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
