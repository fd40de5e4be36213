"""Issue a credit note… in the invoice admin: the same form, preview and service as the
invoice's page, recorded as done in the admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from invoicing import errors
from invoicing.admin import CREDIT_ONE_AT_A_TIME
from invoicing.models import AuditEvent, Door
from tests.factories import AdminFactory
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:invoicing_invoice_changelist")
ACTION = "issue_credit_note_action"


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def act(client, invoices, **form):
    data = {"action": ACTION, ACTION_CHECKBOX_NAME: [i.pk for i in invoices], **form}
    return client.post(CHANGELIST, data)


def test_the_action_previews_then_issues_the_credit_note_through_the_admin(admin_client, contract):
    invoice = invoice_cycle(contract, 2)
    line = invoice.lines.get()
    amounts = {f"amount_{line.pk}": "25.00", "reason": "Goodwill"}

    form = act(admin_client, [invoice], index="0")
    preview = act(admin_client, [invoice], **amounts, preview="1")
    assert invoice.credit_notes.count() == 0  # the preview writes nothing
    done = act(admin_client, [invoice], **amounts, confirm="1")

    assert form.status_code == 200 and f'name="amount_{line.pk}"' in form.content.decode()
    assert preview.context["preview"].draft.total == Decimal("-30.00")
    assert done.status_code == 302
    note = invoice.credit_notes.get()
    assert note.total == Decimal("-30.00") and note.generated_via == Door.ADMIN
    event = AuditEvent.objects.get(invoice=note)
    assert event.door == Door.ADMIN and event.detail.endswith(": Goodwill")


def test_the_action_refuses_more_than_one_invoice_or_too_much(admin_client, contract):
    first, second = invoice_cycle(contract, 2), invoice_cycle(contract, 3)
    line = first.lines.get()

    several = admin_client.post(
        CHANGELIST,
        {"action": ACTION, ACTION_CHECKBOX_NAME: [first.pk, second.pk], "index": "0"},
        follow=True,
    )
    too_much = act(
        admin_client, [first], **{f"amount_{line.pk}": "200", "reason": "r"}, confirm="1"
    )

    assert CREDIT_ONE_AT_A_TIME in messages_of(several)
    assert too_much.status_code == 200
    assert errors.CREDIT_LINE_EXCEEDS_LEFT.format(
        description=line.description, left="EUR\xa0125.00"
    ) in messages_of(too_much)
    assert first.credit_notes.count() == 0
