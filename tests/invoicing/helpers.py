"""Small builders shared by the invoicing tests."""

import datetime
from decimal import Decimal

from invoicing.models import Door, GenerationRun, Invoice
from invoicing.services import generation_run_execute, generation_run_open
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


def run_nightly(as_of: datetime.date, contract_ids=None) -> GenerationRun:
    """The nightly run, in this process, as the command line does it."""
    run = generation_run_open(as_of=as_of, trigger=Door.COMMAND, contract_ids=contract_ids)
    return generation_run_execute(run)


def invoices_of(contract) -> list[Invoice]:
    return list(contract.invoices.order_by("period_start", "number"))
