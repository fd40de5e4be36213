"""Auto-Send: email an invoice with its PDF to the customer's billing email.

In the customer's language, as plain text with an HTML alternative, from the templates in
templates/invoicing/email/. Through Django's email framework (SMTP in production). Delivery is at least once: if
the worker dies between the server's acceptance and the commit that records it, the
email goes out again on the next attempt. Everything else runs exactly once.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils import timezone

from billing_site.locales import document_language
from invoicing.models import Invoice
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.errors import PermanentError, TransientError, invoice_ensure_live
from invoicing.post_invoicing.models import InvoiceEmail, PostInvoicingTask
from invoicing.post_invoicing.pdf import (
    PDF_CONTENT_TYPE,
    invoice_document_context,
    invoice_pdf_filename,
    invoice_pdf_render,
)

SUBJECT_TEMPLATE = "invoicing/email/subject.txt"
BODY_TEMPLATE = "invoicing/email/body.txt"
HTML_TEMPLATE = "invoicing/email/body.html"


def invoice_email_send(task: PostInvoicingTask) -> str:
    """Email the task's invoice to its customer's billing email and record it."""
    invoice = task.invoice
    invoice_ensure_live(invoice)
    recipient = billing_email_of(invoice)
    message = invoice_email_build(invoice=invoice, recipient=recipient)
    _deliver(message, recipient)
    InvoiceEmail.objects.create(
        invoice=invoice,
        task=task,
        recipient=recipient,
        subject=str(message.subject),
        message_id=message.extra_headers["Message-ID"],
        sent_at=timezone.now(),
    )
    return errors.SENT.format(email=recipient)


def billing_email_of(invoice: Invoice) -> str:
    """The customer's billing email; PermanentError when missing or invalid."""
    customer = invoice.contract.customer
    email = customer.billing_email.strip()
    if not email:
        raise PermanentError(errors.NO_BILLING_EMAIL.format(customer=customer.name))
    try:
        validate_email(email)
    except ValidationError as error:
        raise PermanentError(
            errors.INVALID_BILLING_EMAIL.format(customer=customer.name, email=email)
        ) from error
    return email


def invoice_email_build(*, invoice: Invoice, recipient: str) -> EmailMultiAlternatives:
    """The email of an invoice, its PDF attached, in its customer's language."""
    with document_language(invoice.contract.customer.language):
        context = invoice_document_context(invoice=invoice) | {
            # Legacy change-log invoices with a negative total read as credit notes too.
            "is_credit_note": invoice.is_credit_note or invoice.total < 0,
            "credited_invoice": invoice.credits,
        }
        # Subject lines are one line, whatever the template's trailing newline.
        subject = " ".join(render_to_string(SUBJECT_TEMPLATE, context).split())
        body = render_to_string(BODY_TEMPLATE, context)
        html = render_to_string(HTML_TEMPLATE, context | {"subject": subject})
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        # Set here rather than by Django so that it is known and recorded.
        headers={"Message-ID": make_msgid(idstring=invoice.number.replace(" ", ""))},
    )
    message.attach_alternative(html, "text/html")
    message.attach(
        invoice_pdf_filename(invoice), invoice_pdf_render(invoice=invoice), PDF_CONTENT_TYPE
    )
    return message


def _deliver(message: EmailMultiAlternatives, recipient: str) -> None:
    """Send; SMTP 5xx answers are permanent, 4xx answers and unreachable servers transient."""
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        code, reason = next(iter(error.recipients.values()))
        raise _refused(recipient, code, reason) from error
    except smtplib.SMTPResponseException as error:
        raise _refused(recipient, error.smtp_code, error.smtp_error) from error
    except (smtplib.SMTPException, OSError) as error:  # refused, timed out, disconnected
        raise TransientError(
            errors.SMTP_UNAVAILABLE.format(reason=str(error) or type(error).__name__)
        ) from error


def _refused(recipient: str, code: int, reason: bytes | str) -> Exception:
    if isinstance(reason, bytes):
        reason = reason.decode(errors="replace")
    message = errors.SMTP_REFUSED.format(email=recipient, code=code, reason=reason)
    return PermanentError(message) if code >= 500 else TransientError(message)
