"""factory-boy factories: the one place tests build data."""

import datetime
import importlib
from decimal import Decimal

import factory
from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from contracts.models import BillingContract, ContractChange, ContractLine, Customer
from invoicing.models import (
    AuditEvent,
    Door,
    GenerationJob,
    GenerationRun,
    Invoice,
    InvoiceEmail,
    InvoiceLine,
    Payment,
    PostInvoicingTask,
)
from schedules import cycles
from schedules.models import BillingSchedule

GROUPS_MIGRATION = importlib.import_module("contracts.migrations.0012_managers_issue_credit_notes")
BILLING_MANAGERS = GROUPS_MIGRATION.BILLING_MANAGERS
BILLING_VIEWERS = GROUPS_MIGRATION.BILLING_VIEWERS
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(PASSWORD)


class AdminFactory(UserFactory):
    username = "admin"
    is_staff = True
    is_superuser = True


def billing_groups_ensure() -> None:
    """The groups exactly as the latest groups migration (0012) leaves them. Transactional tests empty every
    table afterwards, data-migration rows included, so tests ask for them again."""
    GROUPS_MIGRATION.billing_groups_create(global_apps, None)


def user_in(group_name: str | None, **fields):
    """A user in the named group (None: in no group at all)."""
    user = UserFactory(**fields)
    if group_name is not None:
        billing_groups_ensure()
        user.groups.add(Group.objects.get(name=group_name))
    return user


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n:05d}")
    billing_email = factory.Sequence(lambda n: f"billing{n}@customer.example")


class BillingContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingContract

    number = factory.Sequence(lambda n: f"BC-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    name = factory.LazyAttribute(lambda contract: f"Subscription {contract.number}")
    start_date = datetime.date(2026, 1, 1)
    billing_frequency = BillingContract.Frequency.MONTHLY
    billing_timing = BillingContract.Timing.ADVANCE
    invoice_offset_days = 1
    currency = "EUR"
    payment_terms_days = 30
    status = BillingContract.Status.ACTIVE


class ContractLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractLine

    contract = factory.SubFactory(BillingContractFactory)
    position = factory.Sequence(lambda n: n)
    description = factory.Sequence(lambda n: f"Seat licence {n}")
    quantity = Decimal("10")
    unit_price = Decimal("12.50")
    tax_rate = Decimal("20")


class ContractChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractChange

    line = factory.SubFactory(ContractLineFactory)
    effective_date = datetime.date(2026, 1, 10)
    quantity_before = Decimal("10")
    quantity_after = Decimal("15")


class BillingScheduleFactory(factory.django.DjangoModelFactory):
    """A Pending schedule of one cycle, its period and dates taken from the cycle math as
    schedules_keep_ahead writes them. Each builds a contract of its own unless given one:
    (contract, cycle) is unique."""

    class Meta:
        model = BillingSchedule

    class Params:
        cycle = factory.LazyAttribute(
            lambda s: cycles.cycle_at(
                s.contract.start_date,
                s.contract.billing_frequency,
                s.cycle_index,
                s.contract.end_date,
            )
        )

    contract = factory.SubFactory(BillingContractFactory)
    cycle_index = 0
    period_start = factory.LazyAttribute(lambda s: s.cycle.start)
    period_end = factory.LazyAttribute(lambda s: s.cycle.end)
    next_invoice_date = factory.LazyAttribute(
        lambda s: cycles.next_invoice_date(s.cycle, s.contract.billing_timing)
    )
    invoice_date = factory.LazyAttribute(
        lambda s: cycles.invoice_date(
            s.cycle, s.contract.billing_timing, s.contract.invoice_offset_days
        )
    )


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An issued regular invoice of 125.00 + 25.00 tax for a schedule of its own, which it
    marks Inactive / Invoiced as generation does (one live invoice per schedule). Numbers
    come from a series of their own, so they never meet the engine's INV- numbers."""

    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"TEST-{n:06d}")
    schedule = factory.SubFactory(BillingScheduleFactory)
    contract = factory.SelfAttribute("schedule.contract")
    period_start = factory.SelfAttribute("schedule.period_start")
    period_end = factory.SelfAttribute("schedule.period_end")
    invoice_date = factory.SelfAttribute("schedule.invoice_date")
    due_date = factory.LazyAttribute(
        lambda i: i.invoice_date + datetime.timedelta(days=i.contract.payment_terms_days)
    )
    currency = factory.SelfAttribute("contract.currency")
    subtotal = Decimal("125.00")
    tax_total = Decimal("25.00")
    total = factory.LazyAttribute(lambda i: i.subtotal + i.tax_total)
    generated_via = Door.MANUAL

    @factory.post_generation
    def mark_schedule_invoiced(invoice, create, extracted, **kwargs):
        """A live regular invoice is its schedule's Resulting Invoice."""
        is_live_regular = (invoice.status, invoice.kind) == (
            Invoice.Status.ISSUED,
            Invoice.Kind.REGULAR,
        )
        if create and is_live_regular and invoice.schedule is not None:
            invoice.schedule.status = BillingSchedule.Status.INVOICED
            invoice.schedule.resulting_invoice = invoice
            invoice.schedule.save(update_fields=["status", "resulting_invoice", "updated_at"])


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    """A full-cycle line of 10 × 12.50 at 20 %: the 125.00 + 25.00 of InvoiceFactory."""

    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    description = factory.Sequence(lambda n: f"Seat licence {n}")
    quantity = Decimal("10")
    unit_price = Decimal("12.50")
    period_start = factory.SelfAttribute("invoice.period_start")
    period_end = factory.SelfAttribute("invoice.period_end")
    proration = Decimal("1")
    amount = Decimal("125.00")
    tax_rate = Decimal("20")
    tax_amount = Decimal("25.00")


class GenerationRunFactory(factory.django.DjangoModelFactory):
    """A queued bulk run (bulk: the database allows one open nightly run per date only)."""

    class Meta:
        model = GenerationRun

    trigger = Door.BULK
    as_of_date = datetime.date(2026, 3, 15)


class GenerationJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GenerationJob

    run = factory.SubFactory(GenerationRunFactory)
    contract = factory.SubFactory(BillingContractFactory)


class AuditEventFactory(factory.django.DjangoModelFactory):
    """A manual generation, by a user, of an invoice."""

    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    door = Door.MANUAL
    action = AuditEvent.Action.INVOICE_GENERATED
    invoice = factory.SubFactory(InvoiceFactory)
    contract = factory.SelfAttribute("invoice.contract")
    detail = factory.SelfAttribute("invoice.number")


class PostInvoicingTaskFactory(factory.django.DjangoModelFactory):
    """A pending Auto-Send of an invoice of its own ((invoice, kind) is unique)."""

    class Meta:
        model = PostInvoicingTask

    invoice = factory.SubFactory(InvoiceFactory)
    kind = PostInvoicingTask.Kind.SEND


class InvoiceEmailFactory(factory.django.DjangoModelFactory):
    """An invoice emailed to its customer's billing address by its Auto-Send task."""

    class Meta:
        model = InvoiceEmail

    invoice = factory.SubFactory(InvoiceFactory)
    task = factory.SubFactory(
        PostInvoicingTaskFactory,
        invoice=factory.SelfAttribute("..invoice"),
        kind=PostInvoicingTask.Kind.SEND,
    )
    recipient = factory.SelfAttribute("invoice.contract.customer.billing_email")
    subject = factory.LazyAttribute(lambda email: f"Invoice {email.invoice.number}")
    message_id = factory.Sequence(lambda n: f"<factory.{n}@billing.example>")
    sent_at = factory.LazyFunction(timezone.now)


class PaymentFactory(factory.django.DjangoModelFactory):
    """A pending charge of an invoice's total; idempotency keys from a series of their own."""

    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    gateway = "stripe"
    idempotency_key = factory.Sequence(lambda n: f"factory-payment-{n}")
    amount = factory.SelfAttribute("invoice.total")
    currency = factory.SelfAttribute("invoice.currency")
