"""The contract and customer lists' searches and filters, read from the query string; the
bulk selection; a line's quantity change; a customer's details."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from billing_site.forms import BillingDateField, iso_date_input
from contracts.models import (
    BILLING_TERMS,
    DOCUMENT_LANGUAGES,
    MAX_LINES_PER_CONTRACT,
    POST_TASKS,
    BillingContract,
    ContractLine,
    Customer,
)
from contracts.selectors import (
    CONTRACT_SORTS,
    ContractFilters,
    CustomerFilters,
    contract_currencies_in_use,
    selected_contract_ids,
)
from schedules.cycles import MAX_OFFSET_DAYS, MIN_OFFSET_DAYS
from schedules.services import LineEdit

ANY = [("", _("Any"))]
CURRENCY_NOT_IN_USE = _("No contract is in the currency “%(value)s”: choose one from the list.")
RANGE_REVERSED = _("The end of the range is before its start.")


class ContractFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Contract number or customer")}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ANY + BillingContract.Status.choices, required=False
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=ANY + BillingContract.Frequency.choices, required=False
    )
    timing = forms.ChoiceField(
        label=_("Timing"), choices=ANY + BillingContract.Timing.choices, required=False
    )
    # The choices are the currencies in use, read when the form is made (__init__).
    currency = forms.ChoiceField(
        label=_("Currency"), required=False, error_messages={"invalid_choice": CURRENCY_NOT_IN_USE}
    )
    next_from = BillingDateField(
        label=_("Next invoice from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    next_to = BillingDateField(
        label=_("Next invoice to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        choices=[(key, key) for name in CONTRACT_SORTS for key in (name, f"-{name}")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = ANY + [
            (code, code) for code in contract_currencies_in_use()
        ]

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("next_from"), cleaned.get("next_to")
        if first and last and first > last:
            self.add_error("next_to", RANGE_REVERSED)
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

    def query_without_page(self) -> str:
        """The list's filters as a query string, to select every contract they match."""
        query = self.data.copy()
        query.pop("page", None)
        return query.urlencode()


# The explicit ids a bulk action may carry: a page of the list, or an admin page. Larger
# selections travel as the list's filters (`selection=matching`), never as ids.
MAX_EXPLICIT_IDS = 500  # under Django's 1,000 fields a request may carry
SELECTION_MATCHING = "matching"
NOT_CONTRACT_IDS = _("The selection is not a list of contracts: reload the list and select again.")
TOO_MANY_IDS = format_lazy(
    _(
        "At most {count} contracts can be selected one by one: select every contract "
        "matching a filter instead."
    ),
    count=MAX_EXPLICIT_IDS,
)
SELECTION_NOT_COUNTED = _(
    "The selection was not counted when it was shown: nothing was queued. Open the bulk "
    "window from the contract list again."
)
FILTERS_NOT_VALID = _(
    "The list's filters are not valid ({fields}): nothing was selected. Go back to the list "
    "and correct them."
)


class ContractSelectionForm(forms.Form):
    """Which contracts a bulk action is for: ticked ids, or every contract matching the
    contract list's filters (rebuilt from the filters on the server)."""

    selection = forms.ChoiceField(
        choices=[
            ("", _("The ticked contracts")),
            (SELECTION_MATCHING, _("Every matching contract")),
        ],
        required=False,
    )
    contracts = forms.CharField(required=False)  # read as a list in clean_contracts
    # How many contracts the bulk window showed: Proceed acts on that many or on none.
    shown_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, data, *, proceeding: bool = False, **kwargs):
        """`proceeding`: the selection is about to be acted on, so a selection by filter
        must carry the count the window showed."""
        super().__init__(data, **kwargs)
        self.proceeding = proceeding
        self.filter_form = ContractFilterForm(data)
        self.raw_ids = data.getlist("contracts") if hasattr(data, "getlist") else []

    def clean_contracts(self) -> list[int]:
        if len(self.raw_ids) > MAX_EXPLICIT_IDS:
            raise forms.ValidationError(TOO_MANY_IDS)
        try:
            return [int(value) for value in self.raw_ids]
        except ValueError:
            raise forms.ValidationError(NOT_CONTRACT_IDS) from None

    def clean(self):
        cleaned = super().clean()
        # A filter that does not validate must never widen the selection to the whole book.
        if cleaned.get("selection") == SELECTION_MATCHING and not self.filter_form.is_valid():
            fields = ", ".join(sorted(self.filter_form.errors))
            raise forms.ValidationError(FILTERS_NOT_VALID.format(fields=fields))
        matching = cleaned.get("selection") == SELECTION_MATCHING
        if self.proceeding and matching and cleaned.get("shown_count") is None:
            raise forms.ValidationError(SELECTION_NOT_COUNTED)
        return cleaned

    @property
    def matching(self) -> bool:
        return self.is_valid() and self.cleaned_data["selection"] == SELECTION_MATCHING

    def contract_ids(self) -> list[int]:
        """The selected contracts' ids; unknown ids are kept for the service to refuse."""
        if self.matching:
            return selected_contract_ids(self.filter_form.filters())
        return self.cleaned_data["contracts"] if self.is_valid() else []

    def hidden_fields_to_carry(self) -> list[tuple[str, str]]:
        """(name, value) pairs that carry this selection through the bulk window's forms
        (the count shown is added by the window, which counted it)."""
        if self.matching:
            pairs = [("selection", SELECTION_MATCHING)]
            for name in self.filter_form.fields:
                value = self.data.get(name)
                if value:
                    pairs.append((name, value))
            return pairs
        return [("contracts", str(pk)) for pk in (self.cleaned_data or {}).get("contracts", [])]


class LineQuantityForm(forms.Form):
    """A line's new quantity from an effective date; the service checks the dates."""

    quantity = forms.DecimalField(label=_("New quantity"), max_digits=12, decimal_places=4)
    effective_date = BillingDateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CustomerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Legal name, billing email or VAT ID")}),
    )
    country = forms.ChoiceField(label=_("Country"), choices=ANY + list(countries), required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=ANY + DOCUMENT_LANGUAGES, required=False
    )

    def filters(self) -> CustomerFilters:
        """The valid filters; a field that did not validate filters nothing."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return CustomerFilters(
            search=(data.get("q") or "").strip(),
            country=data.get("country") or "",
            language=data.get("language") or "",
        )


class CustomerForm(forms.ModelForm):
    """A customer as finance files it: who is billed, where, in which language."""

    class Meta:
        model = Customer
        fields = ("name", "billing_email", "address", "country", "vat_id", "language")
        labels = {
            "billing_email": _("Billing email"),
            "address": _("Address"),
            "country": _("Country"),
            "language": _("Language"),
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}


class OffsetForm(forms.Form):
    """A contract's Invoice Generation Offset: days from the Next Invoice Date."""

    offset_days = forms.IntegerField(
        label=_("Invoice Generation Offset (days)"),
        min_value=MIN_OFFSET_DAYS,
        max_value=MAX_OFFSET_DAYS,
        help_text=_("Negative generates before the Next Invoice Date, positive after it."),
        widget=forms.NumberInput(attrs={"step": 1}),
    )


class ContractForm(forms.ModelForm):
    """A contract's terms and automation defaults. The offset is set here for a new
    contract only: an existing one's is changed in the offset editor, effect first."""

    class Meta:
        model = BillingContract
        fields = ("number", "name", "status", *BILLING_TERMS, *POST_TASKS)
        # The model's field names read as labels; given here to be translated.
        labels = {
            "number": _("Number"),
            "name": _("Name"),
            "status": _("Status"),
            "start_date": _("Start date"),
            "end_date": _("End date"),
            "billing_frequency": _("Billing frequency"),
            "billing_timing": _("Billing timing"),
            "currency": _("Currency"),
            "payment_terms_days": _("Payment terms days"),
            "auto_send": _("Auto-Send"),
            "auto_charge": _("Auto-Charge"),
            "auto_sync": _("Auto-Sync"),
        }
        widgets = {"start_date": iso_date_input(), "end_date": iso_date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["invoice_offset_days"]


class ContractLineEditForm(forms.ModelForm):
    """One line of the contract editor. A new quantity on an existing line applies from
    `quantity_effective_from` and goes on the change log."""

    quantity_effective_from = BillingDateField(
        label=_("New quantity from"),
        required=False,
        widget=iso_date_input(),
        help_text=_("When the quantity changes: the day it applies from (today if blank)."),
    )

    class Meta:
        model = ContractLine
        fields = (
            "position",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
            "start_date",
            "end_date",
        )
        labels = {
            "position": _("Position"),
            "description": _("Description"),
            "quantity": _("Quantity"),
            "unit_price": _("Unit price"),
            "start_date": _("Start date"),
            "end_date": _("End date"),
        }
        widgets = {"start_date": iso_date_input(), "end_date": iso_date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The editor lays the lines out as a table with no <label> per input: each input
        # names its column and its line, so a screen reader says which one it is.
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix else None
        row = gettext("line %(number)s") % {"number": number} if number else gettext("line")
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label}, {row}"

    def line_edit(self) -> LineEdit:
        """What the service is asked to do with this line."""
        quantity_changed = bool(self.instance.pk) and "quantity" in self.changed_data
        return LineEdit(
            line=self.instance,
            changed_fields=set(self.changed_data) - {"quantity_effective_from"},
            quantity=self.cleaned_data["quantity"] if quantity_changed else None,
            quantity_effective_from=self.cleaned_data.get("quantity_effective_from"),
        )


ContractLineFormSet = forms.modelformset_factory(
    ContractLine,
    form=ContractLineEditForm,
    extra=1,
    can_delete=False,  # a line is ended (its end date), never deleted: it was billed
    max_num=MAX_LINES_PER_CONTRACT,
    absolute_max=MAX_LINES_PER_CONTRACT,
    validate_max=True,
)
