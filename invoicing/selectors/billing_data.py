"""Load what a batch of invoices needs in a constant number of queries."""

from __future__ import annotations

import functools
from collections import defaultdict, namedtuple
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db import connection

from contracts.models import BILLING_TERMS, BillingContract, ContractChange, ContractLine

CONTRACT_FIELDS = ("id", "number", "status", *BILLING_TERMS)
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


@functools.cache
def _row_class(name: str, fields: tuple[str, ...]):
    return namedtuple(name, fields)


def _named_rows(queryset, name: str, fields: tuple[str, ...]) -> list:
    """The queryset's rows as named tuples.

    The SQL runs on a plain cursor: psycopg already returns dates and Decimals, and
    skipping the ORM's per-row machinery halves the load time of a batch.
    """
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(_row_class(name, fields)._make, cursor.fetchall()))


@dataclass
class BillingData:
    contracts: dict[int, object]
    lines: dict[int, list]
    changes: dict[int, list]


def billing_data_load(contract_ids: Collection[int], changes_after: date | None) -> BillingData:
    """Contracts, their lines, and the line changes effective after `changes_after`
    (none when None: change-log drafting brings its own).

    Segments need only changes after a cycle's start, so older history stays unread.
    """
    if not contract_ids:
        return BillingData(contracts={}, lines=defaultdict(list), changes=defaultdict(list))
    contract_rows = _named_rows(
        BillingContract.objects.filter(pk__in=contract_ids), "ContractRow", CONTRACT_FIELDS
    )
    lines = defaultdict(list)
    for row in _named_rows(
        ContractLine.objects.filter(contract_id__in=contract_ids).order_by(
            "contract_id", "position", "id"
        ),
        "LineRow",
        LINE_FIELDS,
    ):
        lines[row.contract_id].append(row)
    changes = defaultdict(list)
    if changes_after is None:
        return BillingData(
            contracts={row.id: row for row in contract_rows}, lines=lines, changes=changes
        )
    for row in _named_rows(
        ContractChange.objects.filter(
            line__contract_id__in=contract_ids, effective_date__gte=changes_after
        ).order_by("line_id", "effective_date", "id"),
        "ChangeRow",
        CHANGE_FIELDS,
    ):
        changes[row.line_id].append(row)
    return BillingData(
        contracts={row.id: row for row in contract_rows}, lines=lines, changes=changes
    )
