"""Load what a batch of invoices needs in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from contracts.models import BillingContract, ContractChange, ContractLine

CONTRACT_FIELDS = (
    "id",
    "number",
    "status",
    "start_date",
    "end_date",
    "billing_frequency",
    "billing_timing",
    "invoice_offset_days",
    "currency",
    "payment_terms_days",
)
LINE_FIELDS = (
    "id",
    "contract_id",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "start_date",
    "end_date",
)
CHANGE_FIELDS = ("id", "line_id", "effective_date", "quantity_before", "billed_invoice_id")


@dataclass
class BillingData:
    contracts: dict[int, object]
    lines: dict[int, list]
    changes: dict[int, list]


def billing_data_load(contract_ids: Collection[int], changes_after: date) -> BillingData:
    """Contracts, their lines, and the line changes effective after `changes_after`.

    Segments need only changes after a cycle's start, so older history stays unread.
    """
    contracts = {
        row.id: row
        for row in BillingContract.objects.filter(pk__in=contract_ids).values_list(
            *CONTRACT_FIELDS, named=True
        )
    }
    lines = defaultdict(list)
    for row in (
        ContractLine.objects.filter(contract_id__in=contract_ids)
        .order_by("contract_id", "position", "id")
        .values_list(*LINE_FIELDS, named=True)
    ):
        lines[row.contract_id].append(row)
    changes = defaultdict(list)
    for row in (
        ContractChange.objects.filter(
            line__contract_id__in=contract_ids, effective_date__gte=changes_after
        )
        .order_by("line_id", "effective_date", "id")
        .values_list(*CHANGE_FIELDS, named=True)
    ):
        changes[row.line_id].append(row)
    return BillingData(contracts=contracts, lines=lines, changes=changes)
