"""Post-invoicing tasks: Auto-Send, Auto-Charge and Auto-Sync (issue 7).

`post_invoicing_schedule` is called by the invoice writer inside the generating
transaction; it records which tasks each new invoice needs and queues them to run
after commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def post_invoicing_schedule(
    *,
    invoice_ids: Sequence[int],
    contract_ids: Sequence[int],
    requested: Mapping[str, bool] | None = None,
) -> None:
    """Record and queue the post-invoicing tasks of freshly written invoices.

    `contract_ids[i]` is the contract of `invoice_ids[i]`. `requested` overrides the
    contracts' own auto_send / auto_charge / auto_sync defaults for this generation
    (a manual or bulk run's choices); None means each contract's defaults.
    """
    # Built by issue 7; until then generation queues nothing after commit.
    return None
