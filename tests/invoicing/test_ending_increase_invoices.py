"""Ending a contract in a cycle whose change-log increase was invoiced: the end takes back
the increase's days after the end date from the change-log invoice too (what is left of
each line, exact then rounded once), and moving the end later bills back exactly that."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

import pytest

from billing_site.errors import BillingError
from invoicing.models import Invoice
from invoicing.selectors.end_plan import END_BEFORE_PAID_CYCLE
from invoicing.services import invoice_generate
from invoicing.services.change_log import change_log_documents_generate
from invoicing.services.ending import contract_end, contract_end_plan
from schedules.services import contract_line_change_quantity
from tests.invoicing.helpers import active_contract, billing_state

pytestmark = pytest.mark.django_db

AS_OF = D(2026, 3, 15)
END = D(2026, 3, 20)
Money = Decimal


def march_with_increase(*, currency: str, unit_price: str, tax_rate: str, on=D(2026, 3, 10)):
    """March invoiced for 10 units, then 10 → 13 from `on` on a change-log invoice."""
    contract = active_contract(as_of=AS_OF, currency=currency)
    contract.lines.update(unit_price=Money(unit_price), tax_rate=Money(tax_rate))
    march = invoice_generate(schedule=contract.schedules.get(cycle_index=2), as_of=AS_OF)
    contract_line_change_quantity(line=contract.lines.get(), quantity=Money(13), effective_date=on)
    (increase,) = change_log_documents_generate(
        contract=contract, period_start=D(2026, 3, 1), period_end=D(2026, 3, 31), as_of=AS_OF
    )
    contract.refresh_from_db()
    return contract, march, increase


def end_on(contract, day):
    contract.refresh_from_db()
    return contract_end(contract=contract, end_date=day, user=None)


def figures(invoice: Invoice) -> tuple[Decimal, Decimal]:
    return invoice.subtotal, invoice.tax_total


CASES = [
    # 10 units × 12.50 in March; +3 from 10 Mar: 3 × 12.50 × 22/31 = 26.6129… → 26.61, tax
    # 5.32. Ending on 20 Mar: the regular line 10 × 12.50 × 11/31 = 44.3548… → 44.35, tax
    # 8.87; the increase 3 × 12.50 × 11/31 = 13.3064… → 13.31, tax 2.662 → 2.66.
    (
        "EUR",
        "12.50",
        "20",
        (Money("26.61"), Money("5.32")),
        (Money("-44.35"), Money("-8.87")),
        (Money("-13.31"), Money("-2.66")),
    ),
    # Yen at 10 %: +3 × 1,250 × 22/31 = 2,661.29 → 2,661, tax 266.1 → 266. The end: regular
    # 10 × 1,250 × 11/31 = 4,435.48 → 4,435, tax 443.5 → 444 (half up); the increase
    # 3 × 1,250 × 11/31 = 1,330.645 → 1,331, tax 133.1 → 133.
    (
        "JPY",
        "1250",
        "10",
        (Money(2661), Money(266)),
        (Money(-4435), Money(-444)),
        (Money(-1331), Money(-133)),
    ),
]


@pytest.mark.parametrize(("currency", "unit_price", "tax_rate", "billed", "regular", "more"), CASES)
def test_an_end_credits_the_increase_invoices_days_after_it_too(
    today, currency, unit_price, tax_rate, billed, regular, more
):
    contract, march, increase = march_with_increase(
        currency=currency, unit_price=unit_price, tax_rate=tax_rate
    )
    assert figures(increase) == billed

    preview = contract_end_plan(contract=contract, end_date=END)
    end_on(contract, END)

    on_march, on_increase = Invoice.objects.credit_notes().order_by("pk")
    assert (on_march.credits, figures(on_march)) == (march, regular)
    assert (on_increase.credits, figures(on_increase)) == (increase, more)
    assert on_increase.lines.get().credited_line_id == increase.lines.get().pk
    assert preview.credited_total == sum(regular) + sum(more)  # the preview shows it
    assert [number for number, _ in preview.credit_rows] == [march.number, increase.number]
    increase.refresh_from_db()
    assert increase.credited_total == -sum(more)


@pytest.mark.parametrize(("currency", "unit_price", "tax_rate", "billed", "regular", "more"), CASES)
def test_moving_the_end_later_bills_back_exactly_what_the_end_credited_on_each(
    today, currency, unit_price, tax_rate, billed, regular, more
):
    contract, march, increase = march_with_increase(
        currency=currency, unit_price=unit_price, tax_rate=tax_rate
    )
    end_on(contract, END)
    before = set(Invoice.objects.live().values_list("pk", flat=True))

    end_on(contract, None)

    again = Invoice.objects.live().exclude(pk__in=before).order_by("pk")
    assert [figures(invoice) for invoice in again] == [
        (-regular[0], -regular[1]),
        (-more[0], -more[1]),
    ]


def test_ending_again_after_moving_the_end_later_credits_each_day_once(today):
    contract, march, increase = march_with_increase(
        currency="EUR", unit_price="12.50", tax_rate="20"
    )
    end_on(contract, END)
    end_on(contract, None)  # bills 21–31 Mar again, regular and increase
    first_notes = set(Invoice.objects.credit_notes().values_list("pk", flat=True))

    end_on(contract, END)

    # The same 44.35 + 8.87 and 13.31 + 2.66 again. The increase's line has 26.61 − 13.31 =
    # 13.30 left (its days were billed again on another invoice): the last cent comes
    # from the invoice that billed those days again, never past what is left of a line.
    notes = list(Invoice.objects.credit_notes().exclude(pk__in=first_notes).order_by("pk"))
    assert [(note.credits, figures(note)) for note in notes[:2]] == [
        (march, (Money("-44.35"), Money("-8.87"))),
        (increase, (Money("-13.30"), Money("-2.66"))),
    ]
    assert notes[2].credits.kind == "change_log" and notes[2].credits.billed_changes.count() == 0
    assert figures(notes[2]) == (Money("-0.01"), Money(0))
    assert sum(note.total for note in notes) == -(Money("53.22") + Money("15.97"))


def test_ending_again_early_in_the_cycle_takes_what_the_first_end_left_from_the_days_billed_again(
    today,
):
    # 10 × 12.50 in March. Ending on 1 Mar credits 10 × 12.50 × 30/31 = 120.9677… →
    # 120.97, tax 24.19, leaving 4.03 + 0.81 of March; moving the end away bills 120.97 +
    # 24.19 again. Ending on 1 Mar again credits the same: 4.03 + 0.81 from March, the
    # rest 116.94 + 23.38 from the invoice that billed the days again.
    contract = active_contract(as_of=AS_OF)
    march = invoice_generate(schedule=contract.schedules.get(cycle_index=2), as_of=AS_OF)
    end_on(contract, D(2026, 3, 1))
    end_on(contract, None)
    again = Invoice.objects.live().exclude(pk=march.pk).get()
    first_notes = set(Invoice.objects.credit_notes().values_list("pk", flat=True))

    plan = contract_end_plan(contract=contract, end_date=D(2026, 3, 1))
    end_on(contract, D(2026, 3, 1))

    notes = Invoice.objects.credit_notes().exclude(pk__in=first_notes).order_by("pk")
    assert [(note.credits, figures(note)) for note in notes] == [
        (march, (Money("-4.03"), Money("-0.81"))),
        (again, (Money("-116.94"), Money("-23.38"))),
    ]
    assert plan.credited_total == Money("-145.16")
    march.refresh_from_db()
    again.refresh_from_db()
    assert (march.credited_total, again.credited_total) == (Money("150.00"), Money("140.32"))


def test_an_increase_from_after_the_end_is_credited_in_full(today):
    # +3 from 25 Mar: 3 × 12.50 × 7/31 = 8.4677… → 8.47, tax 1.694 → 1.69; every one of
    # its days falls after an end on 20 Mar.
    contract, march, increase = march_with_increase(
        currency="EUR", unit_price="12.50", tax_rate="20", on=D(2026, 3, 25)
    )

    end_on(contract, END)

    on_increase = Invoice.objects.credit_notes().get(credits=increase)
    assert figures(increase) == (Money("8.47"), Money("1.69"))
    assert figures(on_increase) == (Money("-8.47"), Money("-1.69"))


def test_an_end_inside_a_paid_increase_invoice_is_refused_and_writes_nothing(today):
    contract, march, increase = march_with_increase(
        currency="EUR", unit_price="12.50", tax_rate="20"
    )
    Invoice.objects.filter(pk=increase.pk).update(paid_at=increase.created_at)
    before = billing_state()

    with pytest.raises(BillingError) as refusal:
        end_on(contract, END)

    assert str(refusal.value) == END_BEFORE_PAID_CYCLE.format(
        number=increase.number, period="10 Mar 2026 – 31 Mar 2026", last="31 Mar 2026"
    )
    assert billing_state() == before
