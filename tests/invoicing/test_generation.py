"""The engine end to end on the database: offsets, catch-up, idempotency, amounts."""

import datetime
from decimal import Decimal

import pytest

from invoicing import errors
from invoicing.models import AuditEvent, GenerationJob, Invoice
from invoicing.selectors.drafts import invoice_preview
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from tests.factories import ContractChangeFactory, ContractLineFactory, UserFactory
from tests.invoicing.helpers import contract_with_line, invoices_of, run_nightly

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("timing", "offset", "first_invoice_date"),
    [
        ("advance", 1, D(2020, 1, 2)),  # the seeds' default: generated on the 2nd
        ("advance", 3, D(2020, 1, 4)),
        ("advance", -3, D(2019, 12, 29)),
        ("arrears", -2, D(2020, 1, 29)),
        ("arrears", 1, D(2020, 2, 1)),
        ("arrears", 2, D(2020, 2, 2)),
    ],
)
def test_first_invoice_is_generated_on_its_offset_date_and_not_a_day_before(
    timing, offset, first_invoice_date
):
    contract = contract_with_line(
        start_date=D(2020, 1, 1), billing_timing=timing, invoice_offset_days=offset
    )

    run_nightly(first_invoice_date - datetime.timedelta(days=1))
    assert invoices_of(contract) == []

    run_nightly(first_invoice_date)
    (invoice,) = invoices_of(contract)
    assert (invoice.period_start, invoice.period_end) == (D(2020, 1, 1), D(2020, 1, 31))
    assert invoice.invoice_date == first_invoice_date
    assert invoice.due_date == first_invoice_date + datetime.timedelta(days=30)
    schedule = BillingSchedule.objects.get(contract=contract, cycle_index=0)
    assert schedule.status == BillingSchedule.Status.INVOICED
    assert schedule.resulting_invoice == invoice


def test_missed_nights_are_caught_up_with_each_invoice_dated_on_its_schedule():
    contract = contract_with_line(start_date=D(2026, 1, 1))

    run_nightly(D(2026, 4, 10))

    invoices = invoices_of(contract)
    assert [i.invoice_date for i in invoices] == [
        D(2026, 1, 2),
        D(2026, 2, 2),
        D(2026, 3, 2),
        D(2026, 4, 2),
    ]
    assert BillingSchedule.objects.filter(contract=contract).active().count() == 3


def test_a_second_run_for_the_same_date_creates_nothing():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    run_nightly(D(2026, 3, 5))
    numbers = [i.number for i in invoices_of(contract)]

    rerun = run_nightly(D(2026, 3, 5))

    assert [i.number for i in invoices_of(contract)] == numbers
    assert rerun.jobs.count() == 0


def test_numbers_are_consecutive_across_runs():
    for _ in range(3):
        contract_with_line(start_date=D(2026, 1, 1))
    run_nightly(D(2026, 1, 2))
    run_nightly(D(2026, 2, 2))

    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 7)]


def test_cancelled_and_draft_contracts_are_not_invoiced():
    cancelled = contract_with_line(start_date=D(2026, 1, 1), status="cancelled")
    draft = contract_with_line(start_date=D(2026, 1, 1), status="draft")

    run_nightly(D(2026, 3, 1))

    assert invoices_of(cancelled) == [] and invoices_of(draft) == []


@pytest.mark.parametrize(
    ("currency", "quantity", "unit_price", "amount", "tax"),
    [
        # 7 seats × 9.99 × 14/31 days = 31.5832… → 31.58; 20 % tax 6.316 → 6.32
        ("EUR", "7", "9.99", Decimal("31.58"), Decimal("6.32")),
        # 3 × 1,000 JPY × 14/31 = 1,354.83… → 1,355; tax 271
        ("JPY", "3", "1000", Decimal("1355"), Decimal("271")),
    ],
)
def test_line_starting_mid_cycle_is_prorated_by_days_and_rounded_once(
    currency, quantity, unit_price, amount, tax
):
    contract = contract_with_line(start_date=D(2026, 1, 1), currency=currency, quantity="0")
    contract.lines.all().delete()
    ContractLineFactory(
        contract=contract,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        start_date=D(2026, 1, 18),
    )

    run_nightly(D(2026, 1, 2))

    (invoice,) = invoices_of(contract)
    (line,) = invoice.lines.all()
    assert (line.period_start, line.period_end) == (D(2026, 1, 18), D(2026, 1, 31))
    assert line.proration == Decimal("0.4516129032")
    assert (line.amount, line.tax_amount) == (amount, tax)
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (amount, tax, amount + tax)


def test_last_cycle_cut_at_the_contract_end_bills_its_share_of_the_full_month():
    contract = contract_with_line(
        start_date=D(2026, 1, 1),
        end_date=D(2026, 2, 14),
        unit_price="28",
        quantity="1",
        tax_rate="0",
    )

    run_nightly(D(2026, 3, 1))

    first, last = invoices_of(contract)
    assert (last.period_start, last.period_end) == (D(2026, 2, 1), D(2026, 2, 14))
    assert last.total == Decimal("14.00")  # 14 of February's 28 days
    assert not BillingSchedule.objects.filter(contract=contract, cycle_index=2).exists()


def test_quantity_changes_split_the_line_into_segments_and_are_marked_billed():
    contract = contract_with_line(
        start_date=D(2026, 1, 1),
        billing_timing="arrears",
        quantity="15",
        unit_price="31",
        tax_rate="0",
    )
    line = contract.lines.get()
    change = ContractChangeFactory(
        line=line,
        effective_date=D(2026, 1, 11),
        quantity_before=Decimal(10),
        quantity_after=Decimal(15),
    )

    run_nightly(D(2026, 2, 1))

    (invoice,) = invoices_of(contract)
    segments = [
        (line.period_start, line.period_end, line.quantity, line.amount)
        for line in invoice.lines.all()
    ]
    assert segments == [
        (D(2026, 1, 1), D(2026, 1, 10), Decimal(10), Decimal("100.00")),
        (D(2026, 1, 11), D(2026, 1, 31), Decimal(15), Decimal("315.00")),
    ]
    change.refresh_from_db()
    assert change.billed_invoice == invoice


def test_totals_are_exact_sums_of_rounded_lines():
    contract = contract_with_line(start_date=D(2026, 1, 1), quantity="3", unit_price="0.3333")
    for price in ("1.0049", "2.0051", "0.0050"):
        ContractLineFactory(
            contract=contract,
            quantity=Decimal("1"),
            unit_price=Decimal(price),
            start_date=D(2026, 1, 7),
        )

    run_nightly(D(2026, 1, 2))

    (invoice,) = invoices_of(contract)
    lines = list(invoice.lines.all())
    assert invoice.subtotal == sum(line.amount for line in lines)
    assert invoice.tax_total == sum(line.tax_amount for line in lines)
    assert invoice.total == invoice.subtotal + invoice.tax_total
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in lines)


def test_one_broken_contract_fails_alone_and_leaves_no_partial_invoice():
    healthy = [contract_with_line(start_date=D(2026, 1, 1)) for _ in range(20)]
    broken = contract_with_line(start_date=D(2026, 1, 1))
    ContractLineFactory(contract=broken, unit_price=None, description="Unpriced add-on")

    run = run_nightly(D(2026, 1, 2))

    assert all(len(invoices_of(c)) == 1 for c in healthy)
    assert invoices_of(broken) == []
    job = run.jobs.get(contract=broken)
    assert job.status == GenerationJob.Status.FAILED
    assert job.message == errors.LINE_WITHOUT_PRICE.format(description="Unpriced add-on")
    assert run.counts()["succeeded"] == 20
    assert BillingSchedule.objects.get(contract=broken, cycle_index=0).status == "pending"


def test_preview_is_exactly_what_generation_writes():
    contract = contract_with_line(start_date=D(2026, 1, 1), quantity="7", unit_price="9.99")
    ContractLineFactory(contract=contract, start_date=D(2026, 1, 20), unit_price=Decimal("3.3333"))
    schedule = _pending_schedule(contract, D(2026, 1, 1))

    preview = invoice_preview(schedule=schedule, as_of=D(2026, 1, 5))
    invoice = invoice_generate(schedule=schedule, as_of=D(2026, 1, 5))

    written = [
        (
            line.description,
            line.quantity,
            line.period_start,
            line.period_end,
            line.amount,
            line.tax_amount,
        )
        for line in invoice.lines.all()
    ]
    previewed = [
        (
            line.description,
            line.quantity,
            line.period_start,
            line.period_end,
            line.amount,
            line.tax_amount,
        )
        for line in preview.lines
    ]
    assert written == previewed
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        preview.subtotal,
        preview.tax_total,
        preview.total,
    )


def test_generating_an_invoiced_cycle_needs_replace_and_links_old_to_new():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    schedule = _pending_schedule(contract, D(2026, 1, 1))
    first = invoice_generate(schedule=schedule, as_of=D(2026, 1, 2))

    with pytest.raises(errors.GenerationError, match=first.number):
        invoice_generate(schedule=schedule, as_of=D(2026, 1, 2))
    second = invoice_generate(schedule=schedule, replace=True, as_of=D(2026, 1, 2))

    first.refresh_from_db()
    schedule.refresh_from_db()
    assert first.status == Invoice.Status.REPLACED and first.replaced_by == second
    assert second.replaces == first and second.status == Invoice.Status.ISSUED
    assert schedule.resulting_invoice == second


def test_a_paid_invoice_cannot_be_replaced():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    schedule = _pending_schedule(contract, D(2026, 1, 1))
    invoice = invoice_generate(schedule=schedule, as_of=D(2026, 1, 2))
    Invoice.objects.filter(pk=invoice.pk).update(
        paid_at=datetime.datetime(2026, 1, 3, tzinfo=datetime.UTC)
    )

    with pytest.raises(errors.GenerationError, match="is paid"):
        invoice_generate(schedule=schedule, replace=True, as_of=D(2026, 1, 3))
    assert Invoice.objects.count() == 1


def test_an_invoice_generated_before_its_date_is_dated_the_day_it_was_made():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    schedule = _pending_schedule(contract, D(2026, 3, 1))

    invoice = invoice_generate(schedule=schedule, as_of=D(2026, 1, 15))

    assert invoice.invoice_date == D(2026, 1, 15)
    assert (invoice.period_start, invoice.period_end) == (D(2026, 3, 1), D(2026, 3, 31))


def _pending_schedule(contract, period_start):
    from schedules.services import schedules_keep_ahead

    schedules_keep_ahead(as_of=period_start, contract_ids=[contract.pk])
    return BillingSchedule.objects.get(contract=contract, period_start=period_start)


def test_generation_stops_when_the_contract_changed_since_the_preview():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    schedule = _pending_schedule(contract, D(2026, 1, 1))
    seen = invoice_preview(schedule=schedule, as_of=D(2026, 1, 2)).fingerprint()
    contract.lines.update(unit_price=Decimal("13.00"))  # someone else edits the price

    with pytest.raises(errors.PreviewOutdated) as outdated:
        invoice_generate(schedule=schedule, as_of=D(2026, 1, 2), expected_fingerprint=seen)

    assert not Invoice.objects.exists()
    assert outdated.value.draft.subtotal == Decimal("130.00")
    invoice = invoice_generate(
        schedule=schedule,
        as_of=D(2026, 1, 2),
        expected_fingerprint=outdated.value.draft.fingerprint(),
    )
    assert invoice.subtotal == Decimal("130.00")


def test_manual_generation_and_replacement_leave_an_audit_trail():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    manager = UserFactory()
    schedule = _pending_schedule(contract, D(2026, 1, 1))

    first = invoice_generate(schedule=schedule, user=manager, as_of=D(2026, 1, 2))
    second = invoice_generate(schedule=schedule, user=manager, replace=True, as_of=D(2026, 1, 2))

    events = list(
        AuditEvent.objects.order_by("id").values_list("actor", "door", "action", "invoice")
    )
    credit_note = first.credit_notes.get()
    assert events == [
        (manager.pk, "manual", "invoice_generated", first.pk),
        (manager.pk, "manual", "credit_note_issued", credit_note.pk),
        (manager.pk, "manual", "invoice_replaced", second.pk),
    ]
