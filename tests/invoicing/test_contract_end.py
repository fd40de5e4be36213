"""Ending a contract inside a cycle already invoiced: the unused days credited exactly, the
cycle cut, later cycles cancelled (voided and credited in full when invoiced); moving the end
later again bills back exactly what was credited; a paid cycle is never ended early."""

from __future__ import annotations

from dataclasses import replace
from datetime import date as D
from decimal import Decimal

import pytest

from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.credit_drafts import CreditNoteDraft
from invoicing.models import AuditEvent, Invoice
from invoicing.selectors.dashboard import contract_invoices_past_end
from invoicing.selectors.lines_left import invoice_lines_left
from invoicing.services import invoice_generate
from invoicing.services.crediting import credit_notes_write
from invoicing.services.ending import (
    END_BEFORE_PAID_CYCLE,
    END_BEFORE_START,
    EndPreviewOutdated,
    contract_end,
    contract_end_plan,
)
from schedules.models import BillingSchedule
from schedules.services import contract_save
from tests.invoicing.helpers import active_contract, billing_state

pytestmark = pytest.mark.django_db

AS_OF = D(2026, 3, 15)
Money = Decimal


def invoiced(contract, *cycles):
    return [
        invoice_generate(schedule=contract.schedules.get(cycle_index=index), as_of=AS_OF)
        for index in cycles
    ]


def figures(document):
    return (document.subtotal, document.tax_total, document.total)


def schedule(contract, index):
    return BillingSchedule.objects.get(contract=contract, cycle_index=index)


def end(contract, day, **kwargs):
    contract.refresh_from_db()
    return contract_end(contract=contract, end_date=day, user=None, **kwargs)


def test_ending_inside_march_credits_its_11_unused_days_of_31_exactly(today):
    contract = active_contract(as_of=AS_OF)  # 10 × 12.50 at 20 %, monthly in advance
    (march,) = invoiced(contract, 2)

    end(contract, D(2026, 3, 20))

    march.refresh_from_db()
    note = march.credit_notes.get()
    # 125.00 × 11/31 = 44.354...: 44.35, and its tax 8.87, each rounded once.
    assert figures(note) == (Money("-44.35"), Money("-8.87"), Money("-53.22"))
    assert march.credited_total == Money("53.22") and march.status == Invoice.Status.ISSUED
    (line,) = note.lines.all()
    assert (line.period_start, line.period_end) == (D(2026, 3, 21), D(2026, 3, 31))
    assert line.credited_line_id == march.lines.get().pk
    assert (note.period_start, note.period_end, note.invoice_date) == (
        D(2026, 3, 21),
        D(2026, 3, 31),
        today,
    )
    assert "Contract ended on 20 Mar 2026" in note.credit_reason
    # The cycle is cut at the end date; the later ones are cancelled.
    assert (schedule(contract, 2).period_end, schedule(contract, 2).status) == (
        D(2026, 3, 20),
        BillingSchedule.Status.INVOICED,
    )
    assert set(contract.schedules.filter(cycle_index__gt=2).values_list("status", flat=True)) == {
        BillingSchedule.Status.CANCELLED
    }
    contract.refresh_from_db()
    assert contract.end_date == D(2026, 3, 20)
    # Credited: no longer shown as billing days after the end.
    assert contract_invoices_past_end(contract=contract) == []
    assert contract.audit_events.filter(action=AuditEvent.Action.CONTRACT_END_MOVED).exists()


def test_yen_are_credited_in_whole_units(today):
    contract = active_contract(as_of=AS_OF, currency="JPY")
    contract.lines.update(unit_price=Money(1250), tax_rate=Money(10))
    (march,) = invoiced(contract, 2)

    end(contract, D(2026, 3, 20))

    # 12,500 × 11/31 = 4,435.48: 4,435; tax 443.5 rounds half up: 444.
    assert figures(march.credit_notes.get()) == (Money(-4435), Money(-444), Money(-4879))


def test_a_quarter_ended_in_february_credits_its_days_after_the_end_of_90(today):
    contract = active_contract(as_of=AS_OF, billing_frequency="quarterly")
    contract.lines.update(unit_price=Money("37.50"))
    (first_quarter,) = invoiced(contract, 0)

    end(contract, D(2026, 2, 20))

    # 375.00 × 39/90 = 162.50 exactly, tax 32.50.
    note = first_quarter.credit_notes.get()
    assert figures(note) == (Money("-162.50"), Money("-32.50"), Money("-195.00"))
    assert schedule(contract, 0).period_end == D(2026, 2, 20)


def test_cycles_invoiced_wholly_after_the_end_are_voided_and_credited_in_full(today):
    contract = active_contract(as_of=AS_OF)
    march, april = invoiced(contract, 2, 3)

    end(contract, D(2026, 3, 20))

    april.refresh_from_db()
    assert april.status == Invoice.Status.VOID
    assert figures(april.credit_notes.get()) == (Money("-125.00"), Money("-25.00"), Money("-150"))
    assert figures(march.credit_notes.get()) == (Money("-44.35"), Money("-8.87"), Money("-53.22"))
    assert schedule(contract, 3).status == BillingSchedule.Status.CANCELLED


def test_an_end_before_a_paid_cycle_ends_is_refused_and_writes_nothing(today):
    contract = active_contract(as_of=AS_OF)
    (march,) = invoiced(contract, 2)
    Invoice.objects.filter(pk=march.pk).update(paid_at="2026-03-10T10:00Z")
    before = billing_state()

    with pytest.raises(BillingError) as refused:
        end(contract, D(2026, 3, 20))

    assert str(refused.value) == END_BEFORE_PAID_CYCLE.format(
        number=march.number, period="1 Mar 2026 – 31 Mar 2026", last="31 Mar 2026"
    )
    assert billing_state() == before
    contract.refresh_from_db()
    assert contract.end_date is None
    # Ending with the paid cycle is fine: nothing to credit.
    end(contract, D(2026, 3, 31))
    assert not Invoice.objects.credit_notes().exists()


def test_an_end_before_the_start_is_refused(today):
    contract = active_contract(as_of=AS_OF)
    before = billing_state()

    with pytest.raises(BillingError) as refused:
        end(contract, D(2025, 12, 31))

    assert str(refused.value) == END_BEFORE_START.format(end="31 Dec 2025", start="1 Jan 2026")
    assert billing_state() == before


def test_removing_the_end_bills_again_exactly_what_was_credited(today):
    contract = active_contract(as_of=AS_OF)
    march, april = invoiced(contract, 2, 3)
    end(contract, D(2026, 3, 20))
    credited = sum(note.total for note in Invoice.objects.credit_notes())

    plan = end(contract, None)

    (again,) = Invoice.objects.filter(kind=Invoice.Kind.CHANGE_LOG)
    # March's 11 days: the very 44.35 + 8.87 credited. April is billed again by the night.
    assert figures(again) == (Money("44.35"), Money("8.87"), Money("53.22"))
    assert (again.period_start, again.period_end) == (D(2026, 3, 21), D(2026, 3, 31))
    assert plan.billed_again_total == Money("53.22")
    assert schedule(contract, 2).period_end == D(2026, 3, 31)
    assert schedule(contract, 3).status == BillingSchedule.Status.PENDING
    assert schedule(contract, 3).period_end == D(2026, 4, 30)
    (new_april,) = invoiced(contract, 3)
    assert figures(new_april) == figures(april)
    assert -credited == Money("53.22") + april.total


def test_moving_the_end_later_in_steps_bills_back_the_same_total(today):
    contract = active_contract(as_of=AS_OF)
    (march,) = invoiced(contract, 2)
    end(contract, D(2026, 3, 20))

    end(contract, D(2026, 3, 25))  # 5 of the 11 credited days billed again
    first = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    # 44.35 − 24.19 (125.00 × 6/31): the difference of the same rounded figures.
    assert figures(first) == (Money("20.16"), Money("4.03"), Money("24.19"))
    assert schedule(contract, 2).period_end == D(2026, 3, 25)

    end(contract, D(2026, 3, 22))  # and 3 of them credited again
    second_note = march.credit_notes.order_by("pk").last()
    assert figures(second_note) == (Money("-12.10"), Money("-2.42"), Money("-14.52"))

    end(contract, None)
    billed_again = sum(
        invoice.total for invoice in Invoice.objects.filter(kind=Invoice.Kind.CHANGE_LOG)
    )
    credited = -sum(note.total for note in Invoice.objects.credit_notes())
    assert billed_again == credited  # every credited day billed back, to the cent
    assert schedule(contract, 2).period_end == D(2026, 3, 31)


def test_a_line_partly_credited_already_is_never_credited_past_what_is_left(today):
    contract = active_contract(as_of=AS_OF)
    (march,) = invoiced(contract, 2)
    (line,) = invoice_lines_left([march.pk])[march.pk]
    taken = line.taken_back()
    partial = replace(taken, amount=Money("-120.00"), tax_amount=Money("-24.00"))
    credit_notes_write(
        [CreditNoteDraft(invoice_id=march.pk, reason="Goodwill", lines=[partial])], door="manual"
    )

    end(contract, D(2026, 3, 20))

    note = march.credit_notes.order_by("pk").last()
    assert figures(note) == (Money("-5.00"), Money("-1.00"), Money("-6.00"))
    march.refresh_from_db()
    assert march.credited_total == march.total


def test_in_arrears_the_end_only_cuts_the_cycle_not_yet_invoiced(today):
    contract = active_contract(as_of=AS_OF, billing_timing="arrears")
    invoiced(contract, 1)  # February, invoiced at its end

    end(contract, D(2026, 3, 20))

    assert not Invoice.objects.credit_notes().exists()
    march = schedule(contract, 2)
    assert (march.status, march.period_end) == (BillingSchedule.Status.PENDING, D(2026, 3, 20))


def test_a_confirmation_of_an_outdated_preview_writes_nothing(today):
    contract = active_contract(as_of=AS_OF)
    invoiced(contract, 2)
    shown = contract_end_plan(contract=contract, end_date=D(2026, 3, 20)).fingerprint()
    contract.lines.update(quantity=Money(11))  # changes nothing billed: same plan
    assert contract_end_plan(contract=contract, end_date=D(2026, 3, 20)).fingerprint() == shown
    invoiced(contract, 3)  # April invoiced meanwhile: the plan now voids it
    before = billing_state()

    with pytest.raises(EndPreviewOutdated):
        end(contract, D(2026, 3, 20), expected_fingerprint=shown)

    assert billing_state() == before
    assert BillingContract.objects.get(pk=contract.pk).end_date is None


def test_an_end_set_in_admin_is_credited_by_ending_on_the_same_day(today):
    contract = active_contract(as_of=AS_OF)
    (march,) = invoiced(contract, 2)
    contract.end_date = D(2026, 3, 20)
    contract_save(contract=contract, changed_fields={"end_date"})  # admin: nothing credited
    assert contract_invoices_past_end(contract=contract)

    end(contract, D(2026, 3, 20))

    assert figures(march.credit_notes.get()) == (Money("-44.35"), Money("-8.87"), Money("-53.22"))
    assert contract_invoices_past_end(contract=contract) == []
    with pytest.raises(BillingError, match="already ends on 20 Mar 2026"):
        end(contract, D(2026, 3, 20))
