"""Small builders shared by the invoicing tests."""

import datetime
from decimal import Decimal

from invoicing.models import (
    AuditEvent,
    Door,
    ForecastBook,
    ForecastCycle,
    ForecastUndrafted,
    GenerationRun,
    Invoice,
)
from invoicing.selectors.forecast import forecast_build
from invoicing.services import generation_run_execute, generation_run_open
from invoicing.services.forecast import CYCLE_COLUMNS, UNDRAFTED_COLUMNS, forecast_refresh
from schedules.models import BillingSchedule
from schedules.services import schedules_keep_ahead
from tests.factories import BillingContractFactory, ContractLineFactory


def contract_with_line(*, quantity="10", unit_price="12.50", tax_rate="20", **terms):
    contract = BillingContractFactory(**terms)
    ContractLineFactory(
        contract=contract,
        quantity=Decimal(quantity),
        unit_price=None if unit_price is None else Decimal(unit_price),
        tax_rate=Decimal(tax_rate),
    )
    return contract


def active_contract(*, start=datetime.date(2026, 1, 1), as_of, **terms):
    """An active monthly in-advance contract with one line (10 × 12.50 at 20 %) and its
    schedules kept ahead as of `as_of`, as the nightly job leaves them."""
    contract = contract_with_line(start_date=start, **terms)
    schedules_keep_ahead(as_of=as_of, contract_ids=[contract.pk])
    contract.refresh_from_db()
    return contract


def run_nightly(as_of: datetime.date, contract_ids=None) -> GenerationRun:
    """The nightly run, in this process, as the command line does it."""
    run = generation_run_open(as_of=as_of, trigger=Door.COMMAND, contract_ids=contract_ids)
    return generation_run_execute(run)


def invoices_of(contract) -> list[Invoice]:
    return list(contract.invoices.order_by("period_start", "number"))


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


def forecast_read(today: datetime.date):
    """The forecast as its page reads it: the kept cycles brought up to date, then summed."""
    forecast_refresh(today=today)
    return forecast_build(today)


def forecast_rows() -> tuple[list, list]:
    """Every kept cycle and every contract that cannot be drafted, in order."""
    cycles = ForecastCycle.objects.order_by(*CYCLE_COLUMNS).values_list(*CYCLE_COLUMNS)
    undrafted = ForecastUndrafted.objects.order_by("contract_id").values_list(*UNDRAFTED_COLUMNS)
    return list(cycles), list(undrafted)


def forecast_rebuilt(today: datetime.date) -> tuple[list, list]:
    """The rows a fresh first drafting of the whole book writes, as on a new install."""
    ForecastBook.objects.update(horizon=None)
    forecast_refresh(today=today)
    return forecast_rows()
