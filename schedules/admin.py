"""Admin for billing schedules: kept by the scheduling services, so view-only."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from billing_site.admin_helpers import ReadOnlyAdminMixin, ReadOnlyTabularInline, admin_link
from billing_site.dates import month_name
from billing_site.errors import BillingError
from invoicing.admin import InvoiceInline
from schedules import errors
from schedules.models import BillingSchedule, PostingPeriod
from schedules.posting_periods import month_of
from schedules.services.periods import (
    CLOSE_PERMISSION,
    REOPEN_PERMISSION,
    posting_period_close,
    posting_period_reopen,
)


class StateFilter(admin.SimpleListFilter):
    """The product's own wording: *Active* is Pending, *Inactive* is Invoiced, Cancelled or
    Nothing to bill."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("active", _("Active")), ("inactive", _("Inactive")))

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

    @admin.display(description=_("state"))
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

    @admin.display(description=_("state"), ordering="status")
    def state(self, schedule):
        return state_with_invoice(schedule)

    @admin.display(description=_("contract"))
    def contract_link(self, schedule):
        return admin_link(schedule.contract)


class PostingPeriodCloseForm(forms.ModelForm):
    """Adding a posting period closes it: the month is checked as the service checks it,
    and written by the service (see save_model)."""

    class Meta:
        model = PostingPeriod
        fields = ("month",)

    def clean_month(self) -> date:
        month = month_of(self.cleaned_data["month"])
        if month > timezone.localdate():
            raise forms.ValidationError(errors.PERIOD_NOT_STARTED.format(month=month_name(month)))
        if PostingPeriod.objects.closed().filter(month=month).exists():
            raise forms.ValidationError(
                _("{month} is already closed.").format(month=month_name(month))
            )
        return month

    def validate_unique(self) -> None:
        # A reopened month keeps its row: closing it again is allowed.
        pass


@admin.register(PostingPeriod)
class PostingPeriodAdmin(admin.ModelAdmin):
    """Posting periods change only through the services: *Add* closes a month, the actions
    close or reopen the selected ones, each with its permission and trail."""

    form = PostingPeriodCloseForm
    list_display = ("month_label", "state", "closed_by", "closed_at")
    list_select_related = ("closed_by",)
    actions = ("close_action", "reopen_action")
    readonly_fields = ("closed_at", "closed_by")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(CLOSE_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_close_permission(self, request):
        return request.user.has_perm(CLOSE_PERMISSION)

    def has_reopen_permission(self, request):
        return request.user.has_perm(REOPEN_PERMISSION)

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, period):
        return month_name(period.month)

    @admin.display(description=_("state"))
    def state(self, period):
        return _("Closed") if period.is_closed else _("Open")

    def save_model(self, request, obj, form, change):
        obj.pk = posting_period_close(month=obj.month, user=request.user, door="admin").pk

    @admin.action(description=_("Close the selected months"), permissions=["close"])
    def close_action(self, request, queryset):
        self._each(request, queryset, posting_period_close)

    @admin.action(description=_("Reopen the selected months"), permissions=["reopen"])
    def reopen_action(self, request, queryset):
        self._each(request, queryset, posting_period_reopen)

    def _each(self, request, queryset, service):
        for month in queryset.values_list("month", flat=True):
            try:
                service(month=month, user=request.user, door="admin")
            except BillingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request, _("{month}: done.").format(month=month_name(month)), messages.SUCCESS
                )
