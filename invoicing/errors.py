"""Why a generation is refused or fails. Messages are constants so tests assert on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from billing_site.errors import BillingError, _

if TYPE_CHECKING:  # the pure drafting modules import these errors
    from invoicing.change_log_drafting import ChangeLogDrafts
    from invoicing.drafting import InvoiceDraft


class GenerationError(BillingError):
    """One contract's invoice cannot be computed; the others go on."""


class ChangeOutsideContract(GenerationError):
    """A quantity change dated before the contract starts (or after it ends, when asked
    to bill it): no cycle holds it, so its contract is not billed until it is corrected."""


class BulkError(BillingError):
    """A bulk request refused before anything is queued."""


class PreviewOutdated(GenerationError):
    """The contract changed between the preview and its confirmation: nothing was written.

    Carries the new draft so the person can review what would now be generated.
    """

    def __init__(self, draft: InvoiceDraft | ChangeLogDrafts) -> None:
        super().__init__(PREVIEW_OUTDATED)
        self.draft = draft


ALREADY_INVOICED = _(
    "Cycle {cycle} already has invoice {number}. Tick “Replace the existing invoice” to "
    "generate a new one."
)
PAID_CANNOT_BE_REPLACED = _("Invoice {number} is paid and cannot be replaced.")
CYCLE_CANCELLED = _("Cycle {cycle} was cancelled: it cannot be invoiced.")
CONTRACT_NOT_ACTIVE = _("Contract {number} is {status}: only active contracts are invoiced.")
LINE_WITHOUT_PRICE = _("Line “{description}” has no unit price.")
NO_LINES = _("Contract {number} has no lines to bill.")
SCHEDULE_OUT_OF_DATE = _(
    "Schedule for cycle {cycle} ({start} to {end}) no longer matches the contract's terms "
    "({expected_start} to {expected_end})."
)
LOCKED_TOO_LONG = _(
    "Another process held this contract's schedules for the whole run; the next run picks them up."
)
NOTHING_DUE = _("Nothing due: already invoiced.")
PREVIEW_OUTDATED = _(
    "The contract changed since the preview was shown: nothing was generated. Review the "
    "new preview and confirm again."
)
SKIPPED_NOT_ACTIVE = _("Skipped: the contract is {status}, not active.")
SKIPPED_NO_CYCLE = _("Skipped: no billing cycle on {day}.")
SKIPPED_CYCLE_CANCELLED = _("Skipped: this cycle was cancelled.")
SKIPPED_ALREADY_INVOICED = _("Skipped: already invoiced ({number}).")
LOCKED_RETRYING = _("Another process holds this contract's schedules: trying again.")
BULK_EMPTY_SELECTION = _("Select at least one contract.")
BULK_UNKNOWN_CONTRACTS = _(
    "{count} selected contract(s) do not exist: reload the list and select again."
)
BULK_NO_CYCLE_AT_DATE = _("None of the selected contracts is active with a billing cycle on {day}.")
PERIOD_REVERSED = _("The period ends ({end}) before it starts ({start}).")
NO_CHANGES = _("Skipped: no changes to bill.")
CHANGES_BILLED_BY_CHANGE_LOG = _(
    "Changes in this cycle were billed by change-log invoice {number}: void it first, and "
    "the replacement bills them."
)
NO_INVOICE_TO_CREDIT = _(
    "The decrease from {day} falls in cycle {cycle}, which has no issued invoice to credit: "
    "generate the cycle's invoice, which bills the decrease itself."
)
CHANGE_OUTSIDE_CONTRACT = _(
    "The quantity change of “{line}” from {day} ({before} → {after}) is outside the "
    "contract's dates ({start} to {end}): no billing cycle holds it, so this contract's "
    "changes are not billed. Correct the change's date or the contract's dates."
)
CHANGE_LOG_NOTHING_TO_REPLACE = _(
    "Invoice {number} bills no quantity increase: decreases are credited, not invoiced. Void "
    "it, and bill its changes again."
)
CHANGE_LOG_CREDIT_NOT_CORRECTABLE = _(
    "{number} is a credit note for quantity decreases: it cannot be voided or replaced. To "
    "undo it, record a new quantity change: the next change-log billing invoices it."
)
CREDIT_OF_CREDIT_NOTE = _("{number} is a credit note: only an invoice can be credited.")
CREDIT_NOTHING = _("A credit note for {number} must take back an amount above zero.")
CREDIT_EXCEEDS_LEFT = _(
    "That is more than is left to credit on {number}: {left} at most (its total less the "
    "credit notes already issued against it)."
)
CREDIT_INACTIVE = _(
    "Invoice {number} is {status}: only an issued invoice can be credited (a void or replaced "
    "invoice was credited in full already)."
)
CREDIT_REASON_REQUIRED = _("Give the reason for the credit note: it is printed on it.")
CREDIT_LINE_NOT_ON_INVOICE = _("Line #{line} is not a line of {number}: reload the page.")
CREDIT_AMOUNT_NOT_POSITIVE = _("“{description}”: the amount to credit must be above zero.")
CREDIT_AMOUNT_DECIMALS = _(
    "“{description}”: {currency} amounts have {decimals} decimals at most, not {amount}."
)
CREDIT_LINE_EXCEEDS_LEFT = _("“{description}”: at most {left} is left to credit on this line.")
CREDIT_NOTE_NOT_CORRECTABLE = _(
    "{number} is a credit note: it cannot be voided or replaced (invoice its amount again "
    "to undo it)."
)
NO_CHANGES_TO_REPLACE = _(
    "Invoice {number} bills no quantity change (it bills days a contract's end had credited): "
    "there is nothing to replace it with; void it instead."
)
CANNOT_VOID_PAID = _("Invoice {number} is paid and cannot be voided.")
CANNOT_VOID_INACTIVE = _("Invoice {number} is {status}: only issued invoices can be voided.")
ONLY_CHANGE_LOG = _("Invoice {number} is not a change-log invoice.")
REPLACE_NEEDS_CONFIRMATION = _(
    "Replacing existing invoices needs the confirmation ticked: nothing was queued."
)
REPLACE_NOT_ALLOWED = _("You may generate invoices but not replace them.")
RUN_NOT_STALLED = _(
    "This run is not stalled: its workers are still going, nothing was queued again."
)
NO_FAILED_JOB_TO_RETRY = _("No failed job to retry.")
BULK_SELECTION_CHANGED = _(
    "The selection now holds {count} contracts, not the {shown} shown: nothing was queued. "
    "Review the selection and proceed again."
)
NOTHING_TO_BILL = _(
    "Nothing to bill in cycle {cycle}: no contract line bills anything in it (each has ended "
    "before it, starts after it or has quantity 0), so it gets no invoice."
)
NOTHING_TO_BILL_CANNOT_REPLACE = _(
    "Nothing to bill in cycle {cycle} any more: invoice {number} cannot be replaced by an "
    "empty one. Void it instead."
)
SKIPPED_NOTHING_TO_BILL = _("Skipped: nothing to bill in cycle {cycle}, no invoice generated.")
RUN_NOT_QUEUED = _(
    "The queue is unreachable: the run and its jobs are saved but not queued yet. "
    "The work will be picked up as soon as the queue answers; Resume tries again now."
)
POST_TASKS_NOT_QUEUED = _(
    "The queue is unreachable: the post-invoicing tasks are saved and will be picked up "
    "as soon as it answers."
)
RUN_INTERRUPTED_RESUMED = _("Interrupted run resumed ({count} open jobs queued again).")
NOT_A_CYCLE = _("Cycle {index} is not a billing cycle of contract {number}.")
CATCH_UP_NOTHING_DUE = _(
    "Nothing is due as of {day}: every due schedule is invoiced. Nothing was queued."
)
CATCH_UP_CHANGED = _(
    "What is due changed since the page was shown: {schedules} schedules of {contracts} "
    "contracts now, not the {shown_schedules} of {shown_contracts} shown. Nothing was queued: "
    "review the new figures and proceed again."
)
CATCH_UP_ALREADY_OPEN = _(
    "Run #{run} is already generating everything due: no second run was opened. Here is its "
    "progress."
)


class DocumentError(BillingError):
    """A document's Factur-X XML cannot be made from the billing settings as they are."""


SELLER_COUNTRY_MISSING = _(
    "The seller's country is not set: fill in the seller's identity in the billing settings "
    "(admin) to make Factur-X XML."
)
