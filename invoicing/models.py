"""Invoices and their lines, invoice numbering, and generation runs and jobs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The forecast, post-invoicing and totals models belong to this app: importing them here
# registers them with it.
from invoicing.forecasting.models import (  # noqa: F401
    ForecastBook,
    ForecastCycle,
    ForecastStale,
    ForecastUndrafted,
)
from invoicing.post_invoicing.models import InvoiceEmail, Payment, PostInvoicingTask  # noqa: F401
from invoicing.totals.models import InvoiceTotal  # noqa: F401


class Door(models.TextChoices):
    """Where a generation was asked for: kept on invoices and runs for the audit trail."""

    NIGHTLY = "nightly", _("Nightly job")
    MANUAL = "manual", _("Manual (web)")
    BULK = "bulk", _("Bulk")
    ADMIN = "admin", _("Admin")
    COMMAND = "command", _("Command line")


class InvoiceQuerySet(models.QuerySet):
    def live(self):
        """Issued invoices: neither replaced nor void (credit notes are not invoices)."""
        return self.filter(status=Invoice.Status.ISSUED, document=Invoice.Document.INVOICE)

    def credit_notes(self):
        return self.filter(document=Invoice.Document.CREDIT_NOTE)

    def live_regular(self):
        """Live regular invoices: at most one per schedule (the database enforces it)."""
        return self.live().filter(kind=Invoice.Kind.REGULAR)


class Invoice(models.Model):
    class Document(models.TextChoices):
        """What the document is. A credit note corrects an issued invoice, in full or in
        part, and always names it: its amounts are negative, its numbers its own series."""

        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Kind(models.TextChoices):
        REGULAR = "regular", pgettext_lazy("invoice kind", "Regular")
        CHANGE_LOG = "change_log", pgettext_lazy("invoice kind", "Change log")

    class Status(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
        REPLACED = "replaced", pgettext_lazy("invoice status", "Replaced")
        VOID = "void", pgettext_lazy("invoice status", "Void")

    number = models.CharField(max_length=40, unique=True)
    document = models.CharField(
        max_length=12, choices=Document.choices, default=Document.INVOICE, db_default="invoice"
    )
    # A credit note: the invoice it credits, and why.
    credits = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    credit_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    # An invoice: how much of its total credit notes have taken back so far (positive). The
    # database refuses a credit past the total (invoice_credited_within_total): two credits
    # written at once on one invoice serialize on its row, and the second one that would
    # exceed it fails.
    credited_total = models.DecimalField(max_digits=16, decimal_places=4, default=0, db_default=0)
    contract = models.ForeignKey(
        "contracts.BillingContract", on_delete=models.PROTECT, related_name="invoices"
    )
    schedule = models.ForeignKey(
        "schedules.BillingSchedule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    period_start = models.DateField()
    period_end = models.DateField()
    invoice_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=16, decimal_places=4)
    tax_total = models.DecimalField(max_digits=16, decimal_places=4)
    total = models.DecimalField(max_digits=16, decimal_places=4)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_via = models.CharField(max_length=10, choices=Door.choices)
    # Informational links, written by the batch generator only. They carry no database
    # constraint: PostgreSQL's per-row foreign-key triggers on them cost about 15 % of the
    # generation throughput (bench_generation), and losing one would lose no money.
    job = models.ForeignKey(
        "GenerationJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-invoice_date", "-number"]
        permissions = [
            ("generate_invoice", "Can generate invoices (manual and bulk)"),
            ("replace_invoice", "Can replace an existing invoice"),
            ("issue_credit_note", "Can issue a credit note on an invoice"),
        ]
        constraints = [
            # Rule 4: never two live regular invoices for one billing cycle.
            models.UniqueConstraint(
                fields=["schedule"],
                condition=Q(status="issued", kind="regular", document="invoice"),
                name="one_live_regular_invoice_per_schedule",
            ),
            models.CheckConstraint(
                condition=Q(document__in=["invoice", "credit_note"]), name="invoice_document_valid"
            ),
            models.CheckConstraint(
                condition=Q(document="invoice", credits__isnull=True)
                | Q(document="credit_note", credits__isnull=False, total__lte=0),
                name="credit_note_credits_an_invoice",
            ),
            models.CheckConstraint(
                condition=Q(credited_total=0)
                | Q(document="invoice", credited_total__gt=0, credited_total__lte=F("total")),
                name="invoice_credited_within_total",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax_total")), name="invoice_total_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="invoice_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("invoice_date")), name="invoice_due_not_before_date"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "replaced", "void"]), name="invoice_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="change_log") | Q(schedule__isnull=False),
                name="regular_invoice_has_schedule",
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "invoice_date"]),
            # The invoice list's order: its first page reads 50 index entries, not a sort of
            # every invoice (727 ms at a million invoices, bench_pages).
            models.Index(fields=["-invoice_date", "-number"], name="invoice_list_order"),
            # The list's currency filter offers the currencies invoiced, read from this index.
            models.Index(fields=["currency"], name="invoice_currency_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def is_credit_note(self) -> bool:
        return self.document == self.Document.CREDIT_NOTE

    @property
    def uncredited(self):
        """What credit notes may still take back from this invoice: unpaid, what the
        customer still owes on it (its open amount)."""
        return self.total - self.credited_total

    @property
    def is_fully_credited(self) -> bool:
        """Credit notes took back all of it: nothing is owed on it any more."""
        return self.credited_total > 0 and self.credited_total == self.total

    @property
    def is_creditable(self) -> bool:
        """Whether a credit note may still take something back: a live invoice, paid or
        not, not yet credited in full."""
        return self.is_live and not self.is_credit_note and self.credited_total < self.total

    @property
    def is_live(self) -> bool:
        """Issued: neither replaced nor void."""
        return self.status == self.Status.ISSUED

    @property
    def is_correctable(self) -> bool:
        """Whether it may still be voided or replaced: a live invoice not yet paid (a credit
        note is never voided: another invoice corrects it)."""
        return self.is_live and not self.is_paid and not self.is_credit_note


# What every document row written set-based says, in this order, after its id, number
# (and a credit note's own columns): the nightly writer (services/writing.py), the credit
# notes (services/crediting.py) and the benchmark's history (bench_history.py).
INVOICE_DOCUMENT_COLUMNS = (
    "contract_id",
    "schedule_id",
    "kind",
    "period_start",
    "period_end",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "status",
)


# What an invoice line bills, in the order the invoice admin and the line writer list it.
INVOICE_LINE_FIGURES = (
    "description",
    "quantity",
    "unit_price",
    "period_start",
    "period_end",
    "proration",
    "amount",
    "tax_rate",
    "tax_amount",
)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    # Informational, like Invoice.job: no database constraint (see there).
    contract_line = models.ForeignKey(
        "contracts.ContractLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    change = models.ForeignKey(
        "contracts.ContractChange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoice_lines",
    )
    # A credit note's line: the invoice line it takes back. Informational, like job (no
    # database constraint: a trigger per line written would slow every night's generation).
    credited_line = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_lines",
        db_constraint=False,
    )
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    period_start = models.DateField()
    period_end = models.DateField()
    # Exact proration is days active / days of the full cycle; stored for display.
    proration = models.DecimalField(max_digits=11, decimal_places=10)
    amount = models.DecimalField(max_digits=16, decimal_places=4)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax_amount = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["invoice_id", "position"]

    def __str__(self) -> str:
        return self.description


class InvoiceNumberSequence(models.Model):
    """The last number given per prefix: bumped inside the generating transaction, so a
    rolled-back generation gives its numbers back and numbers stay gap-free."""

    prefix = models.CharField(max_length=20, unique=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_number}"


class GenerationRunQuerySet(models.QuerySet):
    def left_behind(self, now):
        """Running runs with open jobs that no live process holds: their chunks never
        reached the queue, or the process working them stopped renewing its lease."""
        lapsed = now - timedelta(seconds=settings.BILLING_RUN_LEASE_SECONDS)
        return self.filter(status=GenerationRun.Status.RUNNING).filter(
            Q(enqueue_failed_at__isnull=False) | Q(heartbeat_at__lt=lapsed),
            Exists(GenerationJob.objects.open().filter(run_id=OuterRef("pk"))),
        )


class GenerationRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("run status", "Queued")
        RUNNING = "running", pgettext_lazy("run status", "Running")
        FINISHED = "finished", pgettext_lazy("run status", "Finished")

    OPEN_STATUSES = (Status.QUEUED, Status.RUNNING)

    # The door that opened the run; its invoices carry the same door.
    trigger = models.CharField(max_length=10, choices=Door.choices)
    as_of_date = models.DateField()
    parameters = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease: the process working the run renews it once per chunk; once it is older
    # than BILLING_RUN_LEASE_SECONDS with jobs still open, that process is gone.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    heartbeat_by = models.CharField(max_length=100, blank=True)
    # Set when the run's chunks could not be sent to the queue (broker unreachable) after
    # its jobs were committed; cleared once they are sent.
    enqueue_failed_at = models.DateTimeField(null=True, blank=True)

    objects = GenerationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Beat firing twice while a night's run is still going must not start a second one.
            models.UniqueConstraint(
                fields=["as_of_date"],
                condition=Q(trigger="nightly", status__in=["queued", "running"]),
                name="one_open_nightly_run_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} run #{self.pk} for {self.as_of_date}"

    def counts(self) -> dict[str, int]:
        """Jobs per status, every status present."""
        rows = self.jobs.values_list("status").annotate(n=models.Count("id")).order_by()
        counts = dict.fromkeys(GenerationJob.Status.values, 0)
        counts.update(dict(rows))
        return counts


class GenerationJobQuerySet(models.QuerySet):
    def open(self):
        """Jobs not done yet: queued, or taken by a worker."""
        return self.filter(status__in=GenerationJob.OPEN_STATUSES)


class GenerationJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("job status", "Succeeded")
        SKIPPED = "skipped", pgettext_lazy("job status", "Skipped")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    OPEN_STATUSES = (Status.QUEUED, Status.RUNNING)

    # No index of its own: the (run, contract) unique index serves lookups by run, and no
    # indexed column changes when a job finishes, so its update stays HOT (in-page).
    run = models.ForeignKey(
        GenerationRun, on_delete=models.CASCADE, related_name="jobs", db_index=False
    )
    contract = models.ForeignKey(
        "contracts.BillingContract", on_delete=models.CASCADE, related_name="generation_jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    invoice_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = GenerationJobQuerySet.as_manager()

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "contract"], name="one_job_per_contract_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"Job #{self.pk}: {self.contract_id} ({self.status})"


class AuditEvent(models.Model):
    """Who did what to billing, when, and through which door. Append-only.

    Invoices generated in batches carry their own audit (generated_by, generated_via,
    created_at); these rows record the deliberate acts of people: a manual generation,
    a replacement, a bulk run started, a retry.
    """

    class Action(models.TextChoices):
        INVOICE_GENERATED = "invoice_generated", _("Invoice generated")
        INVOICE_REPLACED = "invoice_replaced", _("Invoice replaced")
        INVOICE_VOIDED = "invoice_voided", _("Invoice voided")
        CREDIT_NOTE_ISSUED = "credit_note_issued", _("Credit note issued")
        CONTRACT_END_MOVED = "contract_end_moved", _("Contract end date set")
        POST_TASKS_RETRIED = "post_tasks_retried", _("Post-invoicing tasks retried")
        INVOICE_SENT_AGAIN = "invoice_sent_again", _("Invoice sent again")
        TRANSFER_RECORDED = "transfer_recorded", _("Bank transfer recorded")
        RUN_STARTED = "run_started", _("Generation run started")
        RUN_RETRIED = "run_retried", _("Failed jobs retried")
        RUN_RESUMED = "run_resumed", _("Stalled run resumed")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    door = models.CharField(max_length=10, choices=Door.choices)
    action = models.CharField(max_length=30, choices=Action.choices)
    contract = models.ForeignKey(
        "contracts.BillingContract",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    run = models.ForeignKey(
        GenerationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor or self.get_door_display()}"
