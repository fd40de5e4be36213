"""The post-invoicing lists of the admin (every task, every payment) and the helpers the
invoice page shares with them. Registered when invoicing.admin loads
invoicing.post_invoicing.invoice_admin, which imports this module."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from billing_site.admin_helpers import ReadOnlyAdminMixin, money_display
from invoicing.post_invoicing.errors import NO_TASK_TO_RETRY
from invoicing.post_invoicing.interventions import post_tasks_retry
from invoicing.post_invoicing.models import Payment, PostInvoicingTask

RETRY_PERMISSION = "invoicing.retry_postinvoicingtask"
TRANSFER_PERMISSION = "invoicing.record_transfer"
RETRIED = _("{count} post-invoicing task(s) queued again.")
SENT_AGAIN = _("{count} invoice(s) queued to be sent again.")
STATUS_COLOURS = {
    "done": "#047857",
    "failed": "#b91c1c",
    "pending": "#b45309",
    "skipped": "#6b7280",
}


def status_badge(task: PostInvoicingTask) -> str:
    return format_html(
        '<strong style="color: {}">{}</strong>',
        STATUS_COLOURS.get(task.status, "inherit"),
        task.get_status_display(),
    )


def post_button(url: str, label: str) -> str:
    """A submit button posting the change page's own form (and its CSRF token) to `url`."""
    return format_html(
        '<button type="submit" class="button" formaction="{}" formmethod="post">{}</button>',
        url,
        label,
    )


def report(model_admin, request, done: str, refused: list[str]) -> None:
    model_admin.message_user(request, done, messages.SUCCESS)
    for reason in refused:
        model_admin.message_user(request, reason, messages.WARNING)


def report_retry(model_admin, request, count: int) -> None:
    if count:
        model_admin.message_user(request, RETRIED.format(count=count), messages.SUCCESS)
    else:
        model_admin.message_user(request, NO_TASK_TO_RETRY, messages.WARNING)


@admin.register(PostInvoicingTask)
class PostInvoicingTaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every task of every invoice: where to find what failed tonight and retry it."""

    list_display = ("invoice", "kind", "state", "attempts", "last_attempt_at", "short_message")
    list_select_related = ("invoice",)
    list_filter = ("status", "kind")
    search_fields = ("invoice__number",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ("retry_action",)
    fields = (
        "invoice",
        "kind",
        "status",
        "attempts",
        "last_attempt_at",
        "message",
        "created_at",
        "updated_at",
        "finished_at",
    )
    readonly_fields = fields

    def has_retry_post_tasks_permission(self, request) -> bool:
        return request.user.has_perm(RETRY_PERMISSION)

    @admin.display(description=_("status"), ordering="status")
    def state(self, task):
        return status_badge(task)

    @admin.display(description=_("message"))
    def short_message(self, task):
        return task.message if len(task.message) <= 90 else task.message[:89] + "…"

    @admin.action(description=_("Retry the selected tasks"), permissions=["retry_post_tasks"])
    def retry_action(self, request, queryset):
        result = post_tasks_retry(
            task_ids=list(queryset.values_list("id", flat=True)), user=request.user
        )
        report_retry(self, request, result.done)


# A payment as both its list and the invoice page's inline show it.
PAYMENT_FIELDS = (
    "gateway",
    "amount_shown",
    "currency",
    "status",
    "gateway_reference",
    "idempotency_key",
    "error",
    "recorded_by",
)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "invoice",
        "created_at",
        "gateway",
        "amount_shown",
        "currency",
        "status",
        "gateway_reference",
    )
    list_select_related = ("invoice",)
    list_filter = ("status", "gateway", "currency")
    search_fields = ("invoice__number", "gateway_reference", "idempotency_key")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("invoice", *PAYMENT_FIELDS, "created_at", "updated_at")
    readonly_fields = fields
    amount_shown = money_display("amount")
