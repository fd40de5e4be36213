"""Post-invoicing on the invoice admin: task, payment and email inlines, the PDF download,
and the Retry, Send again and transfer-received buttons and actions.

Every action calls a service of invoicing.post_invoicing.interventions; nothing here writes.
InvoiceAdmin takes PostInvoicingInvoiceAdminMixin as its first base.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from billing_site.admin_helpers import ReadOnlyTabularInline, money_display
from billing_site.errors import BillingError
from invoicing.models import Invoice
from invoicing.post_invoicing.admin import (
    PAYMENT_FIELDS,
    RETRY_PERMISSION,
    SENT_AGAIN,
    TRANSFER_PERMISSION,
    post_button,
    report,
    report_retry,
    status_badge,
)
from invoicing.post_invoicing.errors import TRANSFER_RECORDED
from invoicing.post_invoicing.interventions import (
    invoices_send_again,
    payment_transfer_record,
    post_tasks_retry,
)
from invoicing.post_invoicing.models import InvoiceEmail, Payment, PostInvoicingTask
from invoicing.post_invoicing.pdf import PDF_CONTENT_TYPE, invoice_pdf_filename, invoice_pdf_render


class _ReadOnlyInline(ReadOnlyTabularInline):
    show_change_link = False


class PostInvoicingTaskInline(_ReadOnlyInline):
    model = PostInvoicingTask
    verbose_name_plural = "post-invoicing tasks"
    fields = ("kind", "state", "attempts", "last_attempt_at", "message")

    def get_fields(self, request, obj=None):
        if request.user.has_perm(RETRY_PERMISSION):
            return (*self.fields, "retry")
        return self.fields

    @admin.display(description=_("status"))
    def state(self, task):
        return status_badge(task)

    @admin.display(description="")
    def retry(self, task):
        if task.status not in (PostInvoicingTask.Status.FAILED, PostInvoicingTask.Status.PENDING):
            return ""
        url = reverse("admin:invoicing_invoice_retry_task", args=[task.invoice_id, task.pk])
        return post_button(url, _("Retry"))


class InvoiceEmailInline(_ReadOnlyInline):
    model = InvoiceEmail
    verbose_name_plural = "emails sent"
    fields = ("sent_at", "recipient", "subject", "message_id")


class PaymentInline(_ReadOnlyInline):
    model = Payment
    fields = ("created_at", *PAYMENT_FIELDS)
    amount_shown = money_display("amount")


class PostInvoicingStateFilter(admin.SimpleListFilter):
    """Invoices with a task in this state: where tonight's failures are."""

    title = _("post-invoicing")
    parameter_name = "post_task_status"

    def lookups(self, request, model_admin):
        return [
            (PostInvoicingTask.Status.FAILED, _("A task failed")),
            (PostInvoicingTask.Status.PENDING, _("A task pending")),
        ]

    def queryset(self, request, queryset):
        if self.value() not in PostInvoicingTask.Status.values:
            return queryset
        tasks = PostInvoicingTask.objects.filter(status=self.value())
        return queryset.filter(pk__in=tasks.values("invoice_id"))


class PostInvoicingInvoiceAdminMixin:
    """Adds post-invoicing to InvoiceAdmin: inlines, a fieldset, a list column, actions
    and the PDF, Send again, Retry and transfer-received views."""

    actions = ("retry_post_tasks_action", "send_again_action")
    post_invoicing_fields = ("pdf", "payment_state", "send_again_button", "transfer_button")

    def get_inlines(self, request, obj):
        return (
            *super().get_inlines(request, obj),
            PostInvoicingTaskInline,
            PaymentInline,
            InvoiceEmailInline,
        )

    def get_fieldsets(self, request, obj=None):
        fields = ["pdf", "payment_state"]
        if request.user.has_perm(RETRY_PERMISSION):
            fields.append("send_again_button")
        if request.user.has_perm(TRANSFER_PERMISSION):
            fields.append("transfer_button")
        return [*super().get_fieldsets(request, obj), ("Post-invoicing", {"fields": fields})]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.post_invoicing_fields)

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), PostInvoicingStateFilter)

    def get_list_display(self, request):
        return (*super().get_list_display(request), "post_invoicing")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("post_tasks")

    def has_retry_post_tasks_permission(self, request) -> bool:
        return request.user.has_perm(RETRY_PERMISSION)

    # Display
    @admin.display(description=_("post-invoicing"))
    def post_invoicing(self, invoice):
        parts = [(task.get_kind_display(), status_badge(task)) for task in invoice.post_tasks.all()]
        if invoice.paid_at:
            parts.append((_("Paid"), ""))
        return format_html_join(" · ", "{} {}", parts) if parts else "—"

    @admin.display(description=_("PDF"))
    def pdf(self, invoice):
        url = reverse("admin:invoicing_invoice_pdf", args=[invoice.pk])
        return format_html(
            '<a href="{}">{}</a>',
            url,
            _("Download {name}").format(name=invoice_pdf_filename(invoice)),
        )

    @admin.display(description=_("payment"))
    def payment_state(self, invoice):
        if invoice.paid_at:
            return format_html(
                _("<strong>Paid</strong> on {}"), localize(localtime(invoice.paid_at))
            )
        return _("Unpaid")

    @admin.display(description=_("send"))
    def send_again_button(self, invoice):
        if invoice.status != Invoice.Status.ISSUED:
            return _("Only issued invoices are sent.")
        url = reverse("admin:invoicing_invoice_send_again", args=[invoice.pk])
        return post_button(url, _("Send again"))

    @admin.display(description=_("bank transfer"))
    def transfer_button(self, invoice):
        awaiting = invoice.payments.filter(status=Payment.Status.AWAITING_TRANSFER).exists()
        if invoice.paid_at or not awaiting:
            return "—"
        url = reverse("admin:invoicing_invoice_transfer_received", args=[invoice.pk])
        return post_button(url, _("Record transfer received"))

    # Actions (changelist)
    @admin.action(
        description=_("Retry failed post-invoicing tasks"), permissions=["retry_post_tasks"]
    )
    def retry_post_tasks_action(self, request, queryset):
        failed = PostInvoicingTask.objects.filter(
            invoice__in=queryset, status=PostInvoicingTask.Status.FAILED
        )
        result = post_tasks_retry(
            task_ids=list(failed.values_list("id", flat=True)), user=request.user
        )
        report_retry(self, request, result.done)

    @admin.action(description=_("Send again by email"), permissions=["retry_post_tasks"])
    def send_again_action(self, request, queryset):
        result = invoices_send_again(
            invoice_ids=list(queryset.values_list("id", flat=True)), user=request.user
        )
        report(self, request, SENT_AGAIN.format(count=result.done), result.refused)

    # Views (change page buttons and the PDF)
    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        def post(function):
            return self.admin_site.admin_view(require_POST(function))

        return [
            path("<path:object_id>/pdf/", view(self.pdf_view), name="invoicing_invoice_pdf"),
            path(
                "<path:object_id>/send-again/",
                post(self.send_again_view),
                name="invoicing_invoice_send_again",
            ),
            path(
                "<path:object_id>/post-tasks/<int:task_id>/retry/",
                post(self.retry_task_view),
                name="invoicing_invoice_retry_task",
            ),
            path(
                "<path:object_id>/transfer-received/",
                post(self.transfer_received_view),
                name="invoicing_invoice_transfer_received",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, object_id):
        invoice = self._invoice_or_404(request, object_id)
        response = HttpResponse(invoice_pdf_render(invoice=invoice), content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{invoice_pdf_filename(invoice)}"'
        return response

    def send_again_view(self, request, object_id):
        invoice = self._invoice_for_post(request, object_id, RETRY_PERMISSION)
        result = invoices_send_again(invoice_ids=[invoice.pk], user=request.user)
        report(self, request, SENT_AGAIN.format(count=result.done), result.refused)
        return self._back(invoice)

    def retry_task_view(self, request, object_id, task_id):
        invoice = self._invoice_for_post(request, object_id, RETRY_PERMISSION)
        task_ids = invoice.post_tasks.filter(pk=task_id).values_list("id", flat=True)
        result = post_tasks_retry(task_ids=list(task_ids), user=request.user)
        report_retry(self, request, result.done)
        return self._back(invoice)

    def transfer_received_view(self, request, object_id):
        invoice = self._invoice_for_post(request, object_id, TRANSFER_PERMISSION)
        try:
            payment_transfer_record(invoice=invoice, user=request.user)
        except BillingError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, TRANSFER_RECORDED.format(number=invoice.number))
        return self._back(invoice)

    def _invoice_or_404(self, request, object_id) -> Invoice:
        invoice = self.get_object(request, unquote(object_id))
        if invoice is None:
            raise Http404
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied
        return invoice

    def _invoice_for_post(self, request, object_id, permission: str) -> Invoice:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return self._invoice_or_404(request, object_id)

    def _back(self, invoice):
        return redirect("admin:invoicing_invoice_change", invoice.pk)
