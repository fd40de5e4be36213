"""The schedules page's filters."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing_site.forms import MAX_ID, BillingDateField, YesNoField
from contracts.models import BillingContract
from schedules.selectors import ScheduleFilters

DUE_IS_ACTIVE = _("Due schedules are Active ones: leave the state out or ask for Active.")


class ScheduleFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("inactive", _("Inactive")), ("active", _("Active"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("Any")),
            ("invoiced", pgettext_lazy("schedule status", "Invoiced")),
            ("cancelled", pgettext_lazy("schedule status", "Cancelled")),
        ],
        required=False,
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Contract number or customer")}),
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=[("", _("Any"))] + BillingContract.Frequency.choices,
        required=False,
    )
    invoice_from = BillingDateField(
        label=_("Invoice Date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    invoice_to = BillingDateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    month_boundary = YesNoField(
        label=_("Invoice Date in another month than the Next Invoice Date"), required=False
    )
    # One contract's schedules, and the due ones only: set by links and by the API.
    contract = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    due = YesNoField(
        label=_("Due: Pending, Invoice Date today or before"),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due") and cleaned.get("state") == "inactive":
            self.add_error("state", DUE_IS_ACTIVE)
        return cleaned

    def filters(self) -> ScheduleFilters:
        """The valid filters; a field that did not validate filters nothing."""
        self.is_valid()
        data = self.cleaned_data
        due = bool(data.get("due")) and "state" not in self.errors
        return ScheduleFilters(
            # Due schedules are Active ones: asking for them shows the Active view.
            state="active" if due else data.get("state") or "inactive",
            status=data.get("status") or "",
            search=(data.get("q") or "").strip(),
            frequency=data.get("frequency") or "",
            invoice_from=data.get("invoice_from"),
            invoice_to=data.get("invoice_to"),
            month_boundary=bool(data.get("month_boundary")),
            contract_id=data.get("contract"),
            due_on=timezone.localdate() if due else None,
        )
