"""Invoice numbers: unique, never reused, gap-free per prefix.

The sequence row is bumped inside the generating transaction: its row lock holds
other generators back until commit, and a rollback gives the numbers back. Callers
allocate as late as they can in their transaction to keep that lock short.
"""

from django.db.models import F

from contracts.models import BillingSettings
from invoicing.models import InvoiceNumberSequence

NUMBER_DIGITS = 6


def invoice_numbers_allocate(count: int, prefix: str | None = None) -> list[str]:
    """Take the next `count` numbers of the prefix (the configured one by default)."""
    if count == 0:
        return []
    prefix = BillingSettings.load().invoice_number_prefix if prefix is None else prefix
    InvoiceNumberSequence.objects.bulk_create(
        [InvoiceNumberSequence(prefix=prefix)], ignore_conflicts=True
    )
    sequence = InvoiceNumberSequence.objects.filter(prefix=prefix)
    sequence.update(last_number=F("last_number") + count)
    last = sequence.values_list("last_number", flat=True).get()
    return [f"{prefix}{number:0{NUMBER_DIGITS}d}" for number in range(last - count + 1, last + 1)]
