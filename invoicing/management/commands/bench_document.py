"""bench_document: the time to render one invoice's Factur-X PDF (PDF/A-3b with its XML).

Read-only: it renders an existing invoice (the latest, or --number) --repeat times in this
process, as the post-invoicing tasks and the download do, and prints the median.
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from invoicing.models import Invoice
from invoicing.post_invoicing.facturx_xml import invoice_facturx_xml
from invoicing.post_invoicing.pdf import invoice_pdf_render


class Command(BaseCommand):
    help = "Median time to render one invoice's PDF with its Factur-X XML."

    def add_arguments(self, parser):
        parser.add_argument("--number", help="the invoice to render (default: the latest)")
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, number=None, repeat=20, **options):
        invoices = Invoice.objects.select_related("contract__customer")
        invoice = invoices.filter(number=number).first() if number else invoices.first()
        if invoice is None:
            raise CommandError("No such invoice: give --number of an existing one.")
        invoice_pdf_render(invoice=invoice)  # fonts and schemas loaded once, as in a worker
        pdf_times, xml_times = [], []
        for _ in range(max(repeat, 1)):
            started = time.perf_counter()
            invoice_pdf_render(invoice=invoice)
            pdf_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            invoice_facturx_xml(invoice=invoice)
            xml_times.append(time.perf_counter() - started)
        self.stdout.write(
            f"bench_document: {invoice.number} ({invoice.lines.count()} lines), median of "
            f"{len(pdf_times)}: PDF with XML {statistics.median(pdf_times) * 1000:.1f} ms, "
            f"XML alone {statistics.median(xml_times) * 1000:.1f} ms"
        )
