"""Admin for customers, contracts, their lines, the change log and the billing settings.

Contract and line writes go through `schedules.services`, so schedules and the change log
follow an admin's edit exactly as they follow the web UI's.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from billing_site.admin_helpers import (
    BoundedInlineMixin,
    ReadOnlyAdminMixin,
    admin_link,
    changelist_link,
)
from billing_site.errors import BillingError
from contracts.models import (
    MAX_LINES_PER_CONTRACT,
    POST_TASKS,
    BillingContract,
    BillingSettings,
    ContractChange,
    ContractLine,
    Customer,
)
from invoicing.admin import InvoiceInline
from schedules.admin import ScheduleInline
from schedules.services import contract_line_change_quantity, contract_lines_changed, contract_save

# The columns of the change log shown on a contract's admin page.
CHANGE_LOG_HEADERS = (
    _("Effective"),
    _("Line"),
    _("Quantity"),
    _("Changed by"),
    _("Recorded"),
    _("Billed on"),
)


class _DryRun(Exception):
    pass


def billing_error_of(call: Callable[[], object]) -> str | None:
    """The BillingError message `call` would raise, found in a savepoint that is always
    rolled back: the service stays the one judge, and the form can still re-render."""
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except BillingError as error:
        return str(error)
    except _DryRun:
        return None


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    fieldsets = (
        (_("Schedules"), {"fields": ("schedules_ahead", "default_offset_days")}),
        (
            _("Invoices"),
            {
                "fields": (
                    "invoice_number_prefix",
                    "credit_note_number_prefix",
                    "default_payment_terms_days",
                )
            },
        ),
        (
            _("Seller"),
            {
                "description": _(
                    "Printed on every invoice and credit note, and written into their Factur-X XML."
                ),
                "fields": (
                    "seller_name",
                    "seller_address",
                    ("seller_postcode", "seller_city"),
                    "seller_country",
                    "seller_vat_id",
                    "seller_registration",
                    "seller_email",
                ),
            },
        ),
        (
            _("Bank details"),
            {
                "description": _(
                    "Printed on invoices for payment by transfer (not on credit notes)."
                ),
                "fields": ("seller_bank_name", "seller_iban", "seller_bic"),
            },
        ),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not BillingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: a list of one is a detour, open it (or the form to create it).
        row = BillingSettings.objects.first()
        if row is None:
            return HttpResponseRedirect(reverse("admin:contracts_billingsettings_add"))
        return HttpResponseRedirect(
            reverse("admin:contracts_billingsettings_change", args=[row.pk])
        )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "billing_email", "country", "vat_id", "created_at", "contracts_link")
    list_filter = ("country", "language")
    search_fields = ("name", "billing_email", "vat_id")
    date_hierarchy = "created_at"
    fields = (
        "name",
        "billing_email",
        "address",
        "country",
        "vat_id",
        "language",
        "stripe_customer_id",
        "stripe_payment_method_id",
        "contracts_link",
        "created_at",
    )
    readonly_fields = ("contracts_link", "created_at")

    @admin.display(description=_("contracts"))
    def contracts_link(self, customer):
        if customer.pk is None:
            return "—"
        return changelist_link(BillingContract, _("Contracts"), customer__id__exact=customer.pk)


class ContractForm(forms.ModelForm):
    # No Meta: the admin builds it from its fieldsets.

    def _post_clean(self):
        # After the model's own validation has filled the instance: ask contract_save
        # whether it would accept exactly what will be saved (e.g. terms locked).
        super()._post_clean()
        if self.instance.pk is None or self.errors:
            return
        changed = set(self.changed_data)
        message = billing_error_of(
            lambda: contract_save(contract=self.instance, changed_fields=changed)
        )
        if message:
            self.add_error(None, message)


class ContractLineForm(forms.ModelForm):
    quantity_effective_from = forms.DateField(
        required=False,
        initial=timezone.localdate,
        help_text=_(
            "When a quantity changes, the day the new quantity applies from (today if blank)."
        ),
    )

    def quantity_changed(self) -> bool:
        return bool(self.instance.pk) and "quantity" in self.changed_data

    def effective_date(self):
        return self.cleaned_data.get("quantity_effective_from") or timezone.localdate()


class ContractLineFormSet(forms.BaseInlineFormSet):
    def quantity_changes(self) -> list[ContractLineForm]:
        return [
            form
            for form in self.initial_forms
            if not form.errors
            and not form.cleaned_data.get(forms.formsets.DELETION_FIELD_NAME)
            and form.quantity_changed()
        ]

    def clean(self):
        super().clean()
        for form in self.quantity_changes():
            # The contract's dates as edited on this same page, not as stored.
            form.instance.contract = self.instance
            message = billing_error_of(
                lambda form=form: contract_line_change_quantity(
                    line=form.instance,
                    quantity=form.cleaned_data["quantity"],
                    effective_date=form.effective_date(),
                )
            )
            if message:
                form.add_error(None, message)


class ContractLineInline(BoundedInlineMixin, admin.TabularInline):
    model = ContractLine
    # A contract has a handful of lines; a few hundred is already a mistake to refuse.
    max_num = MAX_LINES_PER_CONTRACT
    form = ContractLineForm
    formset = ContractLineFormSet
    extra = 0
    fields = (
        "position",
        "description",
        "quantity",
        "quantity_effective_from",
        "unit_price",
        "tax_rate",
        "start_date",
        "end_date",
    )


# The changelist's filters that the web contract list reads too: "select all N" in admin
# travels to the bulk window as these filters, never as ids.
ADMIN_FILTERS_AS_LIST_FILTERS = {
    "q": "q",
    "status__exact": "status",
    "billing_frequency__exact": "frequency",
    "billing_timing__exact": "timing",
    "currency__exact": "currency",
}
ADMIN_FILTER_NOT_CARRIED = _(
    "The bulk window cannot select every contract for the filter(s) {names}: remove them, "
    "or select the contracts on one page."
)


@admin.register(BillingContract)
class BillingContractAdmin(admin.ModelAdmin):
    form = ContractForm
    list_display = (
        "number",
        "name",
        "customer",
        "status",
        "billing_frequency",
        "billing_timing",
        "invoice_offset_days",
        "currency",
        "start_date",
        "end_date",
        "next_invoice_date",
    )
    list_select_related = ("customer",)
    list_filter = ("status", "billing_frequency", "billing_timing", "currency", "auto_send")
    actions = ["generate_invoices_bulk"]

    @admin.action(description=_("Generate invoices (bulk)…"), permissions=["generate"])
    def generate_invoices_bulk(self, request, queryset):
        """Open the web UI's bulk window on the selection (the same door as the list's)."""
        if request.POST.get("select_across") != "1":  # the ticked rows of one page
            query = {"contracts": list(queryset.values_list("pk", flat=True))}
        else:
            ignored = {"o", "p", "e"}  # order, page, error flag: they select nothing
            unknown = sorted(set(request.GET) - ADMIN_FILTERS_AS_LIST_FILTERS.keys() - ignored)
            if unknown:
                names = ", ".join(unknown)
                self.message_user(request, ADMIN_FILTER_NOT_CARRIED.format(names=names), "error")
                return None
            query = {"selection": "matching"}
            query |= {
                ADMIN_FILTERS_AS_LIST_FILTERS[k]: v
                for k, v in request.GET.items()
                if k not in ignored
            }
        return HttpResponseRedirect(f"{reverse('invoicing:bulk')}?{urlencode(query, doseq=True)}")

    def has_generate_permission(self, request) -> bool:
        return request.user.has_perm("invoicing.generate_invoice")

    search_fields = ("number", "name", "customer__name")
    date_hierarchy = "start_date"
    show_full_result_count = False
    autocomplete_fields = ("customer",)
    fieldsets = (
        (None, {"fields": ("number", "name", "customer", "status")}),
        (
            _("Billing terms"),
            {
                "fields": (
                    ("start_date", "end_date"),
                    ("billing_frequency", "billing_timing"),
                    "invoice_offset_days",
                    "next_invoice_date",
                )
            },
        ),
        (
            _("Invoicing"),
            {
                "fields": (
                    "currency",
                    "payment_terms_days",
                    tuple(POST_TASKS),
                )
            },
        ),
        (_("Change log"), {"fields": ("change_log",)}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    readonly_fields = ("next_invoice_date", "change_log", "created_at", "updated_at")
    inlines = (ContractLineInline, ScheduleInline, InvoiceInline)

    def save_model(self, request, obj, form, change):
        contract_save(contract=obj, changed_fields=set(form.changed_data))

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, ContractLineFormSet):
            # Quantity first, through the change log; formset.save() then writes the
            # line's other edits (its quantity already equals the new one).
            for line_form in formset.quantity_changes():
                contract_line_change_quantity(
                    line=line_form.instance,
                    quantity=line_form.cleaned_data["quantity"],
                    effective_date=line_form.effective_date(),
                    user=request.user,
                )
        super().save_formset(request, form, formset, change)
        if isinstance(formset, ContractLineFormSet) and formset.has_changed():
            contract_lines_changed(contract=form.instance)

    @admin.display(description=_("quantity changes"))
    def change_log(self, contract):
        if contract.pk is None:
            return "—"
        changes = (
            ContractChange.objects.filter(line__contract=contract)
            .select_related("line", "changed_by", "billed_invoice")
            .order_by("effective_date", "created_at", "id")
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    localize(change.effective_date),
                    change.line,
                    f"{change.quantity_before.normalize():f}",
                    f"{change.quantity_after.normalize():f}",
                    change.changed_by or _("system"),
                    localize(timezone.localtime(change.created_at)),
                    admin_link(change.billed_invoice)
                    if change.billed_invoice_id
                    else _("not billed"),
                )
                for change in changes
            ),
        )
        if not rows:
            return _("No quantity changes yet.")
        headers = format_html_join("", "<th>{}</th>", ((header,) for header in CHANGE_LOG_HEADERS))
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", headers, rows
        )


@admin.register(ContractChange)
class ContractChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The change log is an audit trail written by the line service: view-only."""

    list_display = (
        "contract",
        "line",
        "effective_date",
        "quantity_before",
        "quantity_after",
        "changed_by",
        "created_at",
        "billed_invoice",
    )
    list_select_related = ("line__contract", "changed_by", "billed_invoice")
    list_filter = (("billed_invoice", admin.EmptyFieldListFilter),)
    search_fields = (
        "line__contract__number",
        "line__contract__customer__name",
        "line__description",
    )
    date_hierarchy = "effective_date"
    show_full_result_count = False
    fields = list_display
    readonly_fields = fields

    @admin.display(description=_("contract"), ordering="line__contract__number")
    def contract(self, change):
        return admin_link(change.line.contract)
