"""Webhooks in admin: endpoints (add, edit, disable, Send test event), every delivery with
its answer (Redeliver), and the outbox of events. The actions are POSTs (Django admin
actions carry the CSRF token), need their permission, and are logged by the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from billing_site.admin_helpers import ReadOnlyAdminMixin, ReadOnlyTabularInline, admin_link
from billing_site.errors import BillingError
from webhooks.events import EVENT_TYPES
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import (
    webhook_deliveries_redeliver,
    webhook_endpoint_send_test,
    webhook_endpoints_disable,
)

REDELIVER_PERMISSION = "webhooks.redeliver_webhookdelivery"
CHANGE_ENDPOINT_PERMISSION = "webhooks.change_webhookendpoint"
REDELIVERED = _("{count} delivery(ies) queued again.")
TEST_SENT = _("Test event queued to {endpoint}.")
DISABLED = _("{count} endpoint(s) disabled.")
STATUS_COLOURS = {"delivered": "#047857", "failed": "#b91c1c", "pending": "#b45309"}


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=capfirst(_("events")), choices=EVENT_TYPES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Where events go. The secret is generated when the endpoint is added and shown on its
    page, for the receiver to verify signatures with."""

    form = WebhookEndpointForm
    list_display = ("url", "description", "events_shown", "is_active", "created_at", "created_by")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    actions = ("send_test_action", "disable_action")

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "events", "is_active"]
        return fields if obj is None else [*fields, "secret", "created_at", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("secret", "created_at", "created_by")

    def has_delete_permission(self, request, obj=None):
        return False  # its deliveries are history: disable it instead

    def has_endpoint_change_permission(self, request) -> bool:
        return request.user.has_perm(CHANGE_ENDPOINT_PERMISSION)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("events"))
    def events_shown(self, endpoint):
        return ", ".join(endpoint.events)

    @admin.action(description=_("Send a test event"), permissions=["endpoint_change"])
    def send_test_action(self, request, queryset):
        for endpoint in queryset.order_by("id"):
            try:
                webhook_endpoint_send_test(endpoint=endpoint, user=request.user)
            except BillingError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, TEST_SENT.format(endpoint=endpoint), messages.SUCCESS)

    @admin.action(description=_("Disable the selected endpoints"), permissions=["endpoint_change"])
    def disable_action(self, request, queryset):
        count = webhook_endpoints_disable(
            endpoint_ids=list(queryset.values_list("id", flat=True)), user=request.user
        )
        self.message_user(request, DISABLED.format(count=count), messages.SUCCESS)


def status_badge(delivery: WebhookDelivery) -> str:
    return format_html(
        '<strong style="color: {}">{}</strong>',
        STATUS_COLOURS.get(delivery.status, "inherit"),
        delivery.get_status_display(),
    )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every delivery and the endpoint's last answer; Redeliver sends the chosen ones again."""

    list_display = (
        "event_type",
        "event_link",
        "endpoint",
        "state",
        "attempts",
        "response_status",
        "answer",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_select_related = ("event", "endpoint")
    list_filter = ("status", "endpoint", "event__type")
    search_fields = ("event__event_id",)
    show_full_result_count = False
    actions = ("redeliver_action",)
    fields = (
        "event_link",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "response_status",
        "response_body",
        "error",
        "delivered_at",
    )
    readonly_fields = fields

    def has_redeliver_permission(self, request) -> bool:
        return request.user.has_perm(REDELIVER_PERMISSION)

    @admin.display(description=_("type"), ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description=_("event"))
    def event_link(self, delivery):
        return admin_link(delivery.event, delivery.event.event_id)

    @admin.display(description=_("status"), ordering="status")
    def state(self, delivery):
        return status_badge(delivery)

    @admin.display(description=_("answer"))
    def answer(self, delivery):
        text = delivery.error or delivery.response_body
        return text if len(text) <= 90 else text[:89] + "…"

    @admin.action(description=_("Redeliver the selected deliveries"), permissions=["redeliver"])
    def redeliver_action(self, request, queryset):
        count = webhook_deliveries_redeliver(
            delivery_ids=list(queryset.values_list("id", flat=True)), user=request.user
        )
        self.message_user(request, REDELIVERED.format(count=count), messages.SUCCESS)


class DeliveryInline(ReadOnlyTabularInline):
    model = WebhookDelivery
    fields = ("endpoint", "status", "attempts", "response_status", "error", "delivered_at")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox: what was published, with the exact bytes every attempt sends."""

    list_display = ("event_id", "type", "occurred_at", "created_at")
    list_filter = ("type",)
    search_fields = ("event_id",)
    show_full_result_count = False
    fields = ("event_id", "type", "occurred_at", "created_at", "payload")
    readonly_fields = fields
    inlines = (DeliveryInline,)
