"""Admin for invoices, numbering and generation runs: all generated data, so view-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from billing_site.admin_helpers import (
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    admin_link,
    changelist_link,
    money_display,
)
from billing_site.errors import BillingError
from invoicing.models import (
    INVOICE_LINE_FIGURES,
    Door,
    GenerationJob,
    GenerationRun,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
)
from invoicing.post_invoicing.invoice_admin import PostInvoicingInvoiceAdminMixin
from invoicing.services.partial_crediting import credit_note_draft, credit_note_issue
from invoicing.views.crediting import CreditNoteForm, credit_page_context

CREDIT_ONE_AT_A_TIME = _("Select one invoice to credit: a credit note names a single invoice.")
CREDIT_ISSUED = _("Credit note {note} issued against {invoice}.")


class InvoiceInline(ReadOnlyTabularInline):
    """A contract's or a schedule's invoices, newest first."""

    model = Invoice
    fields = (
        "number",
        "kind",
        "period_start",
        "period_end",
        "invoice_date",
        "due_date",
        "total_shown",
        "status",
    )
    ordering = ("-invoice_date", "-number")
    total_shown = money_display("total")


MONEY_SHOWN = {
    "unit_price": "unit_price_shown",
    "amount": "amount_shown",
    "tax_amount": "tax_amount_shown",
}


class InvoiceLineInline(ReadOnlyTabularInline):
    model = InvoiceLine
    show_change_link = False
    # The figures, their amounts shown in the invoice's currency as every page shows them.
    fields = (
        "position",
        *(MONEY_SHOWN.get(name, name) for name in INVOICE_LINE_FIGURES),
        "change",
    )
    unit_price_shown = money_display("unit_price", currency="invoice.currency", price=True)
    amount_shown = money_display("amount", currency="invoice.currency")
    tax_amount_shown = money_display("tax_amount", currency="invoice.currency")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("change__line", "invoice")


@admin.register(Invoice)
class InvoiceAdmin(PostInvoicingInvoiceAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "contract",
        "customer",
        "kind",
        "period_start",
        "period_end",
        "invoice_date",
        "due_date",
        "currency",
        "total_shown",
        "status",
        "generated_via",
    )
    list_select_related = ("contract__customer",)
    list_filter = (
        "status",
        "kind",
        "currency",
        "generated_via",
        ("paid_at", admin.EmptyFieldListFilter),
    )
    actions = (*PostInvoicingInvoiceAdminMixin.actions, "issue_credit_note_action")
    search_fields = ("number", "contract__number", "contract__customer__name")
    date_hierarchy = "invoice_date"
    # A filtered count over every invoice is a second full scan; the paginator's count is enough.
    show_full_result_count = False
    inlines = (InvoiceLineInline,)
    fieldsets = (
        (None, {"fields": ("number", "kind", "status", "contract_link", "schedule_link")}),
        (
            _("Period and dates"),
            {"fields": ("period_start", "period_end", "invoice_date", "due_date")},
        ),
        (
            _("Amounts"),
            {"fields": ("currency", "subtotal_shown", "tax_total_shown", "total_shown", "paid_at")},
        ),
        (_("Replacement"), {"fields": ("replaces_link", "replaced_by_link")}),
        (_("Audit"), {"fields": ("generated_by", "generated_via", "job_link", "created_at")}),
    )
    readonly_fields = tuple(field for _, box in fieldsets for field in box["fields"])
    subtotal_shown = money_display("subtotal")
    tax_total_shown = money_display("tax_total")
    total_shown = money_display("total")

    def has_issue_credit_note_permission(self, request) -> bool:
        return request.user.has_perm("invoicing.issue_credit_note")

    @admin.action(description=_("Issue a credit note…"), permissions=["issue_credit_note"])
    def issue_credit_note_action(self, request, queryset):
        """The credit note page inside the admin: amounts and reason, preview, confirm;
        the same service as the invoice's page, recorded as done in the admin."""
        if len(selected := list(queryset.select_related("contract__customer")[:2])) != 1:
            self.message_user(request, CREDIT_ONE_AT_A_TIME, messages.ERROR)
            return None
        invoice, preview = selected[0], None
        form = CreditNoteForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and not form.is_valid():
            for refusal in form.refusals():
                self.message_user(request, refusal, messages.ERROR)
        elif form.is_bound and "edit" not in request.POST:
            data = form.cleaned_data
            try:
                if "confirm" in request.POST:
                    note = credit_note_issue(
                        invoice=invoice,
                        amounts=data["amounts"],
                        reason=data["reason"],
                        user=request.user,
                        door=Door.ADMIN,
                    )
                    self.message_user(request, CREDIT_ISSUED.format(note=note, invoice=invoice))
                    return None
                preview = credit_note_draft(
                    invoice=invoice, amounts=data["amounts"], reason=data["reason"]
                )
            except BillingError as error:
                self.message_user(request, str(error), messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            **credit_page_context(invoice, form, preview),
            "title": _("Issue a credit note against {number}").format(number=invoice.number),
            "opts": self.model._meta,
            "extra_fields": format_html(
                '<input type="hidden" name="action" value="issue_credit_note_action">'
                '<input type="hidden" name="_selected_action" value="{}">',
                invoice.pk,
            ),
        }
        return TemplateResponse(request, "admin/invoicing/invoice/credit_note.html", context)

    @admin.display(description=_("customer"), ordering="contract__customer__name")
    def customer(self, invoice):
        return invoice.contract.customer

    @admin.display(description=_("contract"))
    def contract_link(self, invoice):
        return admin_link(invoice.contract)

    @admin.display(description=_("billing schedule"))
    def schedule_link(self, invoice):
        return admin_link(invoice.schedule)

    @admin.display(description=_("replaces"))
    def replaces_link(self, invoice):
        return admin_link(invoice.replaces)

    @admin.display(description=_("replaced by"))
    def replaced_by_link(self, invoice):
        return admin_link(getattr(invoice, "replaced_by", None))

    @admin.display(description=_("generation job"))
    def job_link(self, invoice):
        # The link has no database constraint (see the model): the job may be gone.
        try:
            return admin_link(invoice.job)
        except GenerationJob.DoesNotExist:
            return f"job #{invoice.job_id} (deleted)"


@admin.register(InvoiceNumberSequence)
class InvoiceNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bumped only inside a generating transaction: a manual edit would reuse or skip numbers."""

    list_display = ("prefix", "last_number")
    fields = ("prefix", "last_number")


RUN_COUNTS = {
    status: Count("jobs", filter=Q(jobs__status=status)) for status in GenerationJob.Status.values
}


@admin.register(GenerationRun)
class GenerationRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "trigger",
        "as_of_date",
        "status",
        "progress",
        "requested_by",
        "created_at",
        "finished_at",
    )
    list_select_related = ("requested_by",)
    list_filter = ("trigger", "status")
    date_hierarchy = "created_at"
    # No job inline: a bulk run over every contract has one job per contract; the jobs
    # changelist filtered on the run pages them instead.
    fields = (
        "trigger",
        "as_of_date",
        "status",
        "progress",
        "jobs_link",
        "parameters",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(**{f"n_{k}": v for k, v in RUN_COUNTS.items()})
        )

    @admin.display(description=_("jobs"))
    def progress(self, run):
        counts = {status: getattr(run, f"n_{status}", 0) for status in RUN_COUNTS}
        done = counts["succeeded"] + counts["skipped"] + counts["failed"]
        details = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        return f"{done} of {sum(counts.values())} done" + (f" ({details})" if details else "")

    @admin.display(description=_("job list"))
    def jobs_link(self, run):
        return changelist_link(GenerationJob, "Show this run's jobs", run__id__exact=run.pk)


@admin.register(GenerationJob)
class GenerationJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "run",
        "contract",
        "status",
        "invoice_count",
        "invoice_links",
        "attempts",
        "short_message",
        "started_at",
        "finished_at",
    )
    list_select_related = ("run", "contract")
    list_filter = ("status", "run__trigger")
    search_fields = ("contract__number", "contract__customer__name")
    show_full_result_count = False
    fields = (
        "run_link",
        "contract_link",
        "status",
        "message",
        "invoice_count",
        "invoice_links",
        "attempts",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("invoices")

    @admin.display(description=_("invoices"))
    def invoice_links(self, job):
        invoices = job.invoices.all()
        return format_html_join(", ", "{}", ((admin_link(inv),) for inv in invoices)) or "—"

    @admin.display(description=_("message"))
    def short_message(self, job):
        return job.message if len(job.message) <= 80 else job.message[:79] + "…"

    @admin.display(description=_("run"))
    def run_link(self, job):
        return admin_link(job.run)

    @admin.display(description=_("contract"))
    def contract_link(self, job):
        return admin_link(job.contract)
