"""The schedules page's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing_site.forms import BillingDateField
from contracts.models import BillingContract
from schedules.selectors import ScheduleFilters


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
    month_boundary = forms.BooleanField(
        label=_("Invoice Date in another month than the Next Invoice Date"), required=False
    )

    def filters(self) -> ScheduleFilters:
        """The valid filters; a field that did not validate filters nothing."""
        self.is_valid()
        data = self.cleaned_data
        return ScheduleFilters(
            state=data.get("state") or "inactive",
            status=data.get("status") or "",
            search=(data.get("q") or "").strip(),
            frequency=data.get("frequency") or "",
            invoice_from=data.get("invoice_from"),
            invoice_to=data.get("invoice_to"),
            month_boundary=bool(data.get("month_boundary")),
        )
