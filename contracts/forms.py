"""The contract list's search, filters and sort order, read from the query string."""

from __future__ import annotations

from django import forms

from contracts.models import BillingContract
from contracts.selectors import CONTRACT_SORTS, ContractFilters
from invoicing.money import CURRENCY_CODES

ANY = [("", "Any")]


class ContractFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": "Contract number or customer"}),
    )
    status = forms.ChoiceField(choices=ANY + BillingContract.Status.choices, required=False)
    frequency = forms.ChoiceField(choices=ANY + BillingContract.Frequency.choices, required=False)
    timing = forms.ChoiceField(choices=ANY + BillingContract.Timing.choices, required=False)
    currency = forms.ChoiceField(
        choices=ANY + [(code, code) for code in CURRENCY_CODES], required=False
    )
    next_from = forms.DateField(
        label="Next invoice from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    next_to = forms.DateField(
        label="Next invoice to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        choices=[(key, key) for name in CONTRACT_SORTS for key in (name, f"-{name}")],
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("next_from"), cleaned.get("next_to")
        if first and last and first > last:
            self.add_error("next_to", "The end of the range is before its start.")
        return cleaned

    def filters(self) -> ContractFilters:
        """The valid filters; a field that did not validate filters nothing."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return ContractFilters(
            search=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            frequency=data.get("frequency") or "",
            timing=data.get("timing") or "",
            currency=data.get("currency") or "",
            next_from=data.get("next_from"),
            next_to=data.get("next_to"),
            sort=data.get("sort") or "number",
        )
