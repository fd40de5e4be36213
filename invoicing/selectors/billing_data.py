"""Load what a batch of invoices needs in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.db import connection
from django.db.models import QuerySet

from contracts.models import BillingContract, ContractChange, ContractLine


class ContractRow(NamedTuple):
    """A contract's terms as drafting reads them."""

    id: int
    number: str
    status: str
    start_date: date
    end_date: date | None
    billing_frequency: str
    billing_timing: str
    invoice_offset_days: int
    currency: str
    payment_terms_days: int


class LineRow(NamedTuple):
    id: int
    contract_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    tax_rate: Decimal
    start_date: date | None
    end_date: date | None


class ChangeRow(NamedTuple):
    id: int
    line_id: int
    effective_date: date
    quantity_before: Decimal
    billed_invoice_id: int | None


Row = TypeVar("Row", ContractRow, LineRow, ChangeRow)


def _named_rows(queryset: QuerySet[Any], row: type[Row]) -> list[Row]:
    """The queryset's rows as `row` tuples, selecting the row's fields in their order.

    The SQL runs on a plain cursor: psycopg already returns dates and Decimals, and
    skipping the ORM's per-row machinery halves the load time of a batch.
    """
    sql, params = queryset.values_list(*row._fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(row._make, cursor.fetchall()))


@dataclass
class BillingData:
    contracts: dict[int, ContractRow]
    lines: dict[int, list[LineRow]]  # by contract id
    changes: dict[int, list[ChangeRow]]  # by line id


def billing_data_load(contract_ids: Collection[int], changes_after: date | None) -> BillingData:
    """Contracts, their lines, and the line changes effective after `changes_after`
    (none when None: change-log drafting brings its own).

    Segments need only changes after a cycle's start, so older history stays unread.
    """
    if not contract_ids:
        return BillingData(contracts={}, lines=defaultdict(list), changes=defaultdict(list))
    contract_rows = _named_rows(BillingContract.objects.filter(pk__any=contract_ids), ContractRow)
    lines: defaultdict[int, list[LineRow]] = defaultdict(list)
    for row in _named_rows(
        ContractLine.objects.filter(contract__id__any=contract_ids).order_by(
            "contract_id", "position", "id"
        ),
        LineRow,
    ):
        lines[row.contract_id].append(row)
    changes: defaultdict[int, list[ChangeRow]] = defaultdict(list)
    if changes_after is None:
        return BillingData(
            contracts={row.id: row for row in contract_rows}, lines=lines, changes=changes
        )
    for row in _named_rows(
        ContractChange.objects.filter(
            line__contract__id__any=contract_ids, effective_date__gte=changes_after
        ).order_by("line_id", "effective_date", "id"),
        ChangeRow,
    ):
        changes[row.line_id].append(row)
    return BillingData(
        contracts={row.id: row for row in contract_rows}, lines=lines, changes=changes
    )
