"""Writes on schedules: keeping them ahead of the calendar (`keeping`), and the contract
writes that move them (`terms`): a contract's terms or a line's quantity changes, its
schedules and change log follow in the same transaction."""

from schedules.services.cancelling import contract_cancel
from schedules.services.editing import LineEdit, contract_edit
from schedules.services.keeping import (
    contracts_refresh_next_invoice_date,
    schedule_for_cycle,
    schedules_cancel_pending,
    schedules_ensure_cycles,
    schedules_keep_ahead,
    schedules_refresh_pending,
)
from schedules.services.terms import (
    contract_line_change_quantity,
    contract_lines_changed,
    contract_offset_change,
    contract_save,
)

__all__ = [
    "LineEdit",
    "contract_cancel",
    "contract_edit",
    "contract_line_change_quantity",
    "contract_lines_changed",
    "contract_offset_change",
    "contract_save",
    "contracts_refresh_next_invoice_date",
    "schedule_for_cycle",
    "schedules_cancel_pending",
    "schedules_ensure_cycles",
    "schedules_keep_ahead",
    "schedules_refresh_pending",
]
