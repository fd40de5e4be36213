"""Admin for billing schedules: kept by the scheduling services, so view-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from billing_site.admin_helpers import ReadOnlyAdminMixin, ReadOnlyTabularInline, admin_link
from invoicing.admin import InvoiceInline
from schedules.models import BillingSchedule


class StateFilter(admin.SimpleListFilter):
    """The product's own wording: *Active* is Pending, *Inactive* is Invoiced, Cancelled or
    Nothing to bill."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("active", "Active"), ("inactive", "Inactive"))

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "inactive":
            return queryset.inactive()
        return queryset


def state_with_invoice(schedule: BillingSchedule) -> str:
    if schedule.resulting_invoice_id is None:
        return schedule.state_label
    return format_html("{} → {}", schedule.state_label, admin_link(schedule.resulting_invoice))


class ScheduleInline(ReadOnlyTabularInline):
    """A contract's cycles with their state, as the contract page lists them."""

    model = BillingSchedule
    fields = (
        "cycle_index",
        "period_start",
        "period_end",
        "next_invoice_date",
        "invoice_date",
        "state",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contract", "resulting_invoice")

    @admin.display(description="state")
    def state(self, schedule):
        return state_with_invoice(schedule)


@admin.register(BillingSchedule)
class BillingScheduleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("contract", *ScheduleInline.fields)
    list_select_related = ("contract", "resulting_invoice")
    list_filter = (StateFilter, "status", "contract__billing_frequency", "contract__billing_timing")
    search_fields = ("contract__number", "contract__customer__name")
    date_hierarchy = "invoice_date"
    show_full_result_count = False
    inlines = (InvoiceInline,)
    fields = (
        "contract_link",
        *ScheduleInline.fields,
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="state", ordering="status")
    def state(self, schedule):
        return state_with_invoice(schedule)

    @admin.display(description="contract")
    def contract_link(self, schedule):
        return admin_link(schedule.contract)
