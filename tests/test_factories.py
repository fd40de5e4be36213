"""Every factory builds a row the model and the database accept, written once."""

import pytest
from django.db.models.signals import post_save

from invoicing.models import Invoice
from schedules.models import BillingSchedule
from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = [
    factories.UserFactory,
    factories.CustomerFactory,
    factories.BillingContractFactory,
    factories.ContractLineFactory,
    factories.ContractChangeFactory,
    factories.BillingScheduleFactory,
    factories.InvoiceFactory,
    factories.InvoiceLineFactory,
    factories.GenerationRunFactory,
    factories.GenerationJobFactory,
    factories.AuditEventFactory,
    factories.PostInvoicingTaskFactory,
    factories.InvoiceEmailFactory,
    factories.PaymentFactory,
]


@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_builds_one_valid_row_saved_once(factory_class):
    model = factory_class._meta.model
    saves = []

    def count(sender, instance, **kwargs):
        saves.append(instance.pk)

    post_save.connect(count, sender=model, weak=False)
    try:
        row = factory_class()
    finally:
        post_save.disconnect(count, sender=model)

    row.full_clean()
    assert saves == [row.pk]
    assert model.objects.count() == 1


def test_two_invoices_get_two_numbers_and_two_schedules():
    first, second = factories.InvoiceFactory.create_batch(2)

    assert first.number != second.number
    assert first.schedule != second.schedule


def test_a_live_invoice_is_its_schedules_resulting_invoice_and_a_replaced_one_is_not():
    live = factories.InvoiceFactory()
    replaced = factories.InvoiceFactory(status=Invoice.Status.REPLACED)

    live.schedule.refresh_from_db()
    replaced.schedule.refresh_from_db()
    assert (live.schedule.status, live.schedule.resulting_invoice) == ("invoiced", live)
    assert replaced.schedule.status == BillingSchedule.Status.PENDING
