"""Issue credit note… on an invoice's page: an amount to take back per line and a reason,
a preview of the credit note, then the confirmation. The admin action posts the same form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import View

from billing_site.errors import BillingError
from invoicing.models import Door, Invoice
from invoicing.selectors.lines_left import invoice_lines_left
from invoicing.services.crediting import REASON_CHARS
from invoicing.services.partial_crediting import credit_note_draft, credit_note_issue

AMOUNT_PREFIX = "amount_"
NOT_AN_AMOUNT = _("“{value}” is not an amount: type a number such as 12.50.")
NOT_A_LINE = _("“{name}” is not a line of this invoice: reload the page.")
ISSUED = _('Credit note <a href="{}">{}</a> issued against {}.')
REASON_REFUSED = _("Reason: {errors}")


class CreditNoteForm(forms.Form):
    """The reason, and an amount per line posted as amount_<invoice line id> (blank or 0:
    nothing taken back from that line). Ids are checked against the invoice by the service."""

    reason = forms.CharField(max_length=REASON_CHARS, strip=True)

    def clean(self):
        cleaned = super().clean()
        amounts: dict[int, Decimal] = {}
        for name, value in self.data.items():
            if not name.startswith(AMOUNT_PREFIX) or not value.strip():
                continue
            line_id = name.removeprefix(AMOUNT_PREFIX)
            if not line_id.isdigit() or len(line_id) > 18:
                raise forms.ValidationError(NOT_A_LINE.format(name=name))
            try:
                amount = Decimal(value.strip())
            except InvalidOperation:
                raise forms.ValidationError(NOT_AN_AMOUNT.format(value=value)) from None
            if not amount.is_finite():
                raise forms.ValidationError(NOT_AN_AMOUNT.format(value=value))
            if amount != 0:
                amounts[int(line_id)] = amount
        cleaned["amounts"] = amounts
        return cleaned

    def refusals(self) -> list[str]:
        """The form's errors as messages (a missing reason named as such)."""
        found = [str(error) for error in self.non_field_errors()]
        if "reason" in self.errors:
            found.append(REASON_REFUSED.format(errors=" ".join(self.errors["reason"])))
        return found


def credit_page_context(invoice: Invoice, form: CreditNoteForm, preview=None) -> dict:
    """What the page (and the admin's page) shows: each line with what is left of it and
    the amount typed for it, and the preview once it reads."""
    lines = invoice_lines_left([invoice.pk]).get(invoice.pk, [])
    typed = {name: value for name, value in form.data.items() if name.startswith(AMOUNT_PREFIX)}
    return {
        "invoice": invoice,
        "form": form,
        "rows": [(line, typed.get(f"{AMOUNT_PREFIX}{line.id}", "")) for line in lines],
        "typed": typed,
        "preview": preview,
    }


class CreditNoteView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET shows the lines; POST previews the credit note, or issues it once confirmed."""

    permission_required = "invoicing.issue_credit_note"
    http_method_names = ["get", "post"]

    def get(self, request, pk: int):
        return self.page(self.invoice(pk), CreditNoteForm())

    def post(self, request, pk: int):
        invoice = self.invoice(pk)
        form = CreditNoteForm(request.POST)
        if not form.is_valid():
            return self.refused(invoice, form, form.refusals())
        amounts, reason = form.cleaned_data["amounts"], form.cleaned_data["reason"]
        if "edit" in request.POST:  # back from the preview to the amounts
            return self.page(invoice, form)
        try:
            if "confirm" not in request.POST:
                preview = credit_note_draft(invoice=invoice, amounts=amounts, reason=reason)
                return self.page(invoice, form, preview=preview)
            note = credit_note_issue(
                invoice=invoice, amounts=amounts, reason=reason, user=request.user, door=Door.MANUAL
            )
        except BillingError as error:
            return self.refused(invoice, form, [str(error)])
        url = reverse("invoicing:invoice_detail", args=[note.pk])
        messages.success(request, format_html(ISSUED, url, note, invoice))
        return redirect("invoicing:invoice_detail", pk=invoice.pk)

    def invoice(self, pk: int) -> Invoice:
        return get_object_or_404(Invoice.objects.select_related("contract__customer"), pk=pk)

    def refused(self, invoice: Invoice, form: CreditNoteForm, refusals: list[str]):
        for refusal in refusals:
            messages.error(self.request, refusal)
        return self.page(invoice, form, status=400)

    def page(self, invoice: Invoice, form: CreditNoteForm, *, preview=None, status: int = 200):
        context = credit_page_context(invoice, form, preview)
        return render(self.request, "invoicing/credit_note.html", context, status=status)
