"""Forms of the invoicing pages: Generate Invoice, the bulk window, the change-log invoice,
voiding, and the invoice list's filters."""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing_site.forms import MAX_ID, BillingDateField, iso_date_input
from contracts.models import POST_TASK_LABELS, POST_TASKS, BillingContract
from invoicing import errors
from invoicing.models import GenerationJob, Invoice
from invoicing.selectors.cycles import CycleChoice, CycleChoices, CycleReview
from invoicing.selectors.invoice_list import (
    PAYMENT_STATES,
    InvoiceFilters,
    invoice_currencies_in_use,
)

ANY = [("", _("Any"))]
CURRENCY_NOT_INVOICED = _("No invoice is in the currency “%(value)s”: choose one from the list.")

NOT_A_CYCLE_CHOICE = _("That is not a billing cycle of this contract.")
FUTURE_NEEDS_PROCEED = _(
    "The cycle {period} starts after today. Press “Proceed” to generate its invoice now."
)
GENERATED_NOT_OF_CONTRACT = _("That invoice was not generated for this contract.")
RANGE_REVERSED = _("The end of the range is before its start.")


def cycle_label(choice: CycleChoice, *, current: bool) -> str:
    """How a cycle reads in the list: its dates, its state and, once invoiced, the number."""
    dates = f"{date_format(choice.cycle.start)} – {date_format(choice.cycle.end)}"
    state = str(choice.state.label)
    if choice.invoice is not None:
        state = f"{state} {choice.invoice.number}"
    return f"{dates} · {state} · {gettext('current')}" if current else f"{dates} · {state}"


class CycleShownForm(forms.Form):
    """The query string of the Generate Invoice page: which cycle, preview on or off."""

    cycle = forms.IntegerField(required=False, min_value=0)
    preview = forms.BooleanField(required=False)
    # The invoice a generation has just written: the page shows its success state.
    generated = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def cycle_index(self) -> int | None:
        """The cycle asked for; -1 for one that is not a number, so it reads as unknown."""
        self.is_valid()
        return -1 if "cycle" in self.errors else self.cleaned_data.get("cycle")

    def with_preview(self) -> bool:
        # The page's switch sends `preview_switch` always and `preview` only when ticked;
        # without the switch (a first visit, a link) the preview is on.
        self.is_valid()
        return "preview_switch" not in self.data or self.cleaned_data.get("preview", False)

    def generated_id(self) -> int | None:
        """The invoice id of the success address; -1 for one that is not an id, so it reads
        as unknown."""
        self.is_valid()
        if "generated" in self.errors:
            return -1
        return self.cleaned_data.get("generated")


class GenerateInvoiceForm(forms.Form):
    cycle = forms.TypedChoiceField(
        label=_("Billing cycle"),
        coerce=int,
        error_messages={"invalid_choice": NOT_A_CYCLE_CHOICE},
    )
    preview = forms.BooleanField(required=False, initial=True)
    # data-confirmation: the Generate button waits for these boxes (billing.js).
    replace = forms.BooleanField(
        required=False,
        label=_("Replace the existing invoice"),
        widget=forms.CheckboxInput(attrs={"data-confirmation": ""}),
    )
    # A future cycle's confirmation: the page's "Proceed" button carries it (name="proceed").
    proceed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # What the manager saw: generation stops if either no longer holds (see cycle_invoice_generate).
    fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    existing_invoice = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    auto_send = forms.BooleanField(required=False, label=POST_TASK_LABELS["auto_send"])
    auto_charge = forms.BooleanField(required=False, label=POST_TASK_LABELS["auto_charge"])
    auto_sync = forms.BooleanField(required=False, label=POST_TASK_LABELS["auto_sync"])

    def __init__(self, *args, contract: BillingContract, choices: CycleChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract, self.choices = contract, choices
        self.fields["cycle"].choices = [
            (choice.index, cycle_label(choice, current=choice is choices.current))
            for choice in choices.choices
        ]
        for name in POST_TASKS:
            self.fields[name].initial = getattr(contract, name)

    @classmethod
    def for_review(cls, review: CycleReview, **ticked) -> GenerateInvoiceForm:
        """An unbound form showing `review`'s cycle, keeping the boxes `ticked` as they were."""
        initial = {
            **ticked,
            "cycle": review.choice.index,
            "preview": review.with_preview,
            "fingerprint": review.draft.fingerprint() if review.draft else "",
            "existing_invoice": review.choice.invoice.pk if review.choice.invoice else None,
        }
        return cls(contract=review.contract, choices=review.choices, initial=initial)

    def clean(self):
        cleaned = super().clean()
        choice = self.chosen()
        if choice is not None and choice.starts_after_today and not cleaned.get("proceed"):
            self.add_error(
                "proceed",
                FUTURE_NEEDS_PROCEED.format(
                    period=f"{date_format(choice.cycle.start)} – {date_format(choice.cycle.end)}"
                ),
            )
        return cleaned

    def chosen(self) -> CycleChoice | None:
        index = self.cleaned_data.get("cycle")
        return None if index is None else self.choices.get(index)

    def refusals(self) -> list[str]:
        """Every validation message, to show above the page."""
        return [message for messages in self.errors.values() for message in messages]

    def ticked(self) -> dict[str, bool]:
        """The boxes as posted, to keep them when the page is shown again."""
        names = ("replace", *POST_TASKS)
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}

    def generation_arguments(self) -> dict:
        """Keyword arguments for `cycle_invoice_generate`, from a valid form."""
        data = self.cleaned_data
        return {
            "cycle_index": data["cycle"],
            "replace": data["replace"],
            # Preview switched off: the manager saw no figures, so there is nothing to hold to.
            "expected_fingerprint": data["fingerprint"] or None,
            "expected_invoice_id": data["existing_invoice"],
            "post_invoicing": [name for name in POST_TASKS if data[name]],
        }


BULK_TABS = {"regular": _("Regular invoice"), "change_log": _("Change Log invoicing")}


class PostTaskChoicesForm(forms.Form):
    """Auto-Send, Auto-Charge and Auto-Sync for a run's invoices: a box left unticked
    overrides the contracts' defaults, so that task does not run."""

    auto_send = forms.BooleanField(label=POST_TASK_LABELS["auto_send"], required=False)
    auto_charge = forms.BooleanField(label=POST_TASK_LABELS["auto_charge"], required=False)
    auto_sync = forms.BooleanField(label=POST_TASK_LABELS["auto_sync"], required=False)

    def post_tasks(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in POST_TASKS}


class BulkRegularForm(PostTaskChoicesForm):
    """The bulk window's Regular tab: each contract's cycle containing a date."""

    cycle_date = BillingDateField(label=_("Billing cycle containing"), widget=iso_date_input())
    replace = forms.BooleanField(label=_("Replace existing invoices"), required=False)
    confirm_replace = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"data-confirmation": ""})
    )


class BulkChangeLogForm(PostTaskChoicesForm):
    """The bulk window's Change Log tab: the period whose unbilled changes are invoiced.
    The order of the dates is the service's to check, with its own message."""

    period_start = BillingDateField(label=_("Period start"), widget=iso_date_input())
    period_end = BillingDateField(label=_("Period end"), widget=iso_date_input())


class RunJobFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + GenerationJob.Status.choices, required=False
    )

    def status_shown(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


class ChangeLogInvoiceForm(forms.Form):
    """One contract's change-log invoice: the period, and the preview's fingerprint."""

    period_start = BillingDateField(label=_("Changes from"), widget=iso_date_input())
    period_end = BillingDateField(label=_("to"), widget=iso_date_input())
    fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            raise forms.ValidationError(errors.PERIOD_REVERSED.format(start=start, end=end))
        return cleaned


VOID_REASON_MAX_LENGTH = 200
VOID_REASON_MISSING = _("Give a reason to void the invoice: nothing was changed.")
VOID_REASON_TOO_LONG = _(
    "The reason is too long: at most %(limit_value)d characters, it has %(show_value)d. "
    "Nothing was changed."
)


class InvoiceVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=VOID_REASON_MAX_LENGTH,
        error_messages={"required": VOID_REASON_MISSING, "max_length": VOID_REASON_TOO_LONG},
    )

    def refusal(self) -> str:
        """What is wrong with the reason, in one message."""
        return " ".join(self.errors.get("reason", [VOID_REASON_MISSING]))


class InvoiceFilterForm(forms.Form):
    """The invoice list's filters, read from the query string. A field that does not
    validate filters nothing on the page and says why; the CSV refuses it."""

    q = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=40,
        widget=forms.SearchInput(attrs={"placeholder": _("Invoice or contract number")}),
    )
    customer = forms.CharField(label=_("Customer"), required=False, max_length=200)
    # One customer's invoices, from its page: a hidden filter the page's link sets.
    customer_id = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    status = forms.ChoiceField(choices=ANY + Invoice.Status.choices, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + Invoice.Kind.choices, required=False)
    document = forms.ChoiceField(
        label=_("Document"), choices=ANY + Invoice.Document.choices, required=False
    )
    # The choices are the currencies invoices are in, read when the form is made (__init__).
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        error_messages={"invalid_choice": CURRENCY_NOT_INVOICED},
    )
    payment = forms.ChoiceField(
        label=_("Payment"), choices=ANY + list(PAYMENT_STATES.items()), required=False
    )
    issued_from = BillingDateField(label=_("Issued from"), required=False, widget=iso_date_input())
    issued_to = BillingDateField(label=_("Issued to"), required=False, widget=iso_date_input())
    due_from = BillingDateField(label=_("Due from"), required=False, widget=iso_date_input())
    due_to = BillingDateField(label=_("Due to"), required=False, widget=iso_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = ANY + [
            (code, code) for code in invoice_currencies_in_use()
        ]

    def clean(self):
        cleaned = super().clean()
        for first, last in (("issued_from", "issued_to"), ("due_from", "due_to")):
            if cleaned.get(first) and cleaned.get(last) and cleaned[first] > cleaned[last]:
                self.add_error(last, RANGE_REVERSED)
        return cleaned

    def filters(self) -> InvoiceFilters:
        """The valid filters; a field that did not validate filters nothing."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return InvoiceFilters(
            search=(data.get("q") or "").strip(),
            customer=(data.get("customer") or "").strip(),
            customer_id=data.get("customer_id"),
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            document=data.get("document") or "",
            currency=data.get("currency") or "",
            payment=data.get("payment") or "",
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
        )


class CatchUpForm(PostTaskChoicesForm):
    """Generate all due: the counts the person saw, and the post-invoicing choices."""

    # What the page showed: Proceed acts on exactly these counts, or refuses.
    shown_schedules = forms.IntegerField(min_value=0, max_value=MAX_ID, widget=forms.HiddenInput)
    shown_contracts = forms.IntegerField(min_value=0, max_value=MAX_ID, widget=forms.HiddenInput)

    def refusals(self) -> list[str]:
        """Every validation message, to show above the page."""
        return [message for messages in self.errors.values() for message in messages]
