"""export_invoices_csv: the invoices dated in a range, as CSV, for accounting."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from invoicing.post_invoicing.export import invoices_csv_write


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = (
        "Write the invoices whose invoice date is in [--from, --to] (both included) as CSV, "
        "to --output or standard output. Replaced and void invoices are listed with their status."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, start, end, output, **options):
        start, end = _day(start), _day(end)
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}.")
        if output:
            with open(output, "w", newline="", encoding="utf-8") as out:
                count = invoices_csv_write(start=start, end=end, out=out)
            self.stderr.write(f"{count} invoice(s) from {start} to {end} written to {output}.")
        else:
            count = invoices_csv_write(start=start, end=end, out=self.stdout)
            self.stderr.write(f"{count} invoice(s) from {start} to {end}.")
