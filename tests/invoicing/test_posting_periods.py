"""Generation dates an invoice falling in a closed posting period on the first open day,
due from then, and says so: nightly, bulk, manual and the previews."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from invoicing.models import AuditEvent
from invoicing.selectors.drafts import invoice_preview
from invoicing.services import invoice_generate
from invoicing.services.batches import batch_generate
from invoicing.services.writing import Provenance
from schedules.models import BillingSchedule
from schedules.services.periods import posting_period_close, posting_period_reopen
from tests.invoicing.helpers import active_contract, contract_with_line, invoices_of, run_nightly

pytestmark = pytest.mark.django_db
D = datetime.date


def close(*months: datetime.date) -> None:
    for month in months:
        posting_period_close(month=month, user=None, door="command", today=D(2026, 12, 31))


def test_the_nightly_run_dates_an_invoice_of_a_closed_month_on_the_first_open_day():
    contract = contract_with_line(start_date=D(2026, 1, 1), payment_terms_days=30)
    close(D(2026, 2, 1))

    run_nightly(D(2026, 3, 5))

    dates = [(i.invoice_date, i.due_date) for i in invoices_of(contract)]
    assert dates == [
        (D(2026, 1, 2), D(2026, 2, 1)),
        (D(2026, 3, 1), D(2026, 3, 31)),  # February's, scheduled 2 Feb: due from 1 March
        (D(2026, 3, 2), D(2026, 4, 1)),
    ]
    (note,) = AuditEvent.objects.filter(invoice__contract=contract)
    assert note.detail == "Dated 1 Mar 2026: February 2026 is closed"
    assert note.invoice == invoices_of(contract)[1]


def test_several_closed_months_in_a_row_date_it_after_the_last_of_them():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    close(D(2026, 1, 1), D(2026, 2, 1))

    run_nightly(D(2026, 3, 5))

    assert [i.invoice_date for i in invoices_of(contract)] == [
        D(2026, 3, 1),
        D(2026, 3, 1),
        D(2026, 3, 2),
    ]


def test_the_batch_reads_the_closed_months_once_per_chunk_not_per_invoice():
    contracts = [active_contract(as_of=D(2026, 3, 5)) for _ in range(3)]
    close(D(2026, 2, 1))
    ids = [c.pk for c in contracts]

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        outcome = batch_generate(ids, as_of=D(2026, 3, 5), provenance=Provenance("command"))

    reads = [q for q in queries.captured_queries if "schedules_postingperiod" in q["sql"]]
    assert len(reads) == 1
    assert all(outcome.notes[pk] == ["dated 1 Mar 2026: February 2026 is closed"] for pk in ids)


def test_nothing_moves_and_no_note_is_written_when_no_month_is_closed():
    contract = contract_with_line(start_date=D(2026, 1, 1))

    run_nightly(D(2026, 2, 5))

    assert [i.invoice_date for i in invoices_of(contract)] == [D(2026, 1, 2), D(2026, 2, 2)]
    assert not AuditEvent.objects.exists()


def test_manual_generation_dates_on_the_first_open_day_and_its_audit_says_so():
    contract = contract_with_line(start_date=D(2026, 1, 1), payment_terms_days=14)
    schedule = BillingSchedule(
        contract=contract,
        cycle_index=0,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 1, 31),
        next_invoice_date=D(2026, 1, 1),
        invoice_date=D(2026, 1, 2),
    )
    schedule.save()
    close(D(2026, 1, 1))

    preview = invoice_preview(schedule=schedule, as_of=D(2026, 2, 10))
    invoice = invoice_generate(schedule=schedule, as_of=D(2026, 2, 10))

    assert preview.posting_note == "dated 1 Feb 2026: January 2026 is closed"
    assert (invoice.invoice_date, invoice.due_date) == (D(2026, 2, 1), D(2026, 2, 15))
    event = AuditEvent.objects.get(invoice=invoice)
    assert event.detail == f"{invoice.number}, dated 1 Feb 2026: January 2026 is closed"


def test_a_reopened_month_dates_invoices_inside_it_again():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    close(D(2026, 1, 1))
    posting_period_reopen(month=D(2026, 1, 1), user=None, door="command")

    run_nightly(D(2026, 1, 5))

    assert [i.invoice_date for i in invoices_of(contract)] == [D(2026, 1, 2)]


def test_the_job_row_of_a_run_says_which_invoice_was_dated_on_the_first_open_day():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    close(D(2026, 2, 1))

    run = run_nightly(D(2026, 3, 5))

    job = run.jobs.get(contract=contract)
    assert job.message == "3 invoices generated. Dated 1 Mar 2026: February 2026 is closed."


def test_a_bulk_change_log_invoice_is_not_dated_in_a_closed_month():
    from decimal import Decimal

    from invoicing.services import generation_run_execute
    from invoicing.services.bulk import bulk_change_log_run_start
    from schedules.services import contract_line_change_quantity

    contract = contract_with_line(start_date=D(2026, 1, 1))
    run_nightly(D(2026, 1, 2))
    contract_line_change_quantity(
        line=contract.lines.get(), quantity=Decimal("12"), effective_date=D(2026, 1, 20)
    )
    close(D(2026, 3, 1))

    run = bulk_change_log_run_start(
        contract_ids=[contract.pk],
        period_start=D(2026, 1, 1),
        period_end=D(2026, 1, 31),
        as_of=D(2026, 3, 10),
        enqueue=False,
    )
    generation_run_execute(run)

    (credit_or_charge,) = [i for i in invoices_of(contract) if i.kind == "change_log"]
    assert credit_or_charge.invoice_date == D(2026, 4, 1)
