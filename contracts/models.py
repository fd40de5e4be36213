"""Customers, billing contracts, their lines and the change log of line quantities."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from stdnum import bic, iban

from contracts import errors
from contracts.vat import vat_id_compacted, vat_id_problem
from invoicing.money import CURRENCY_CODES
from schedules import cycles
from schedules.cycles import MAX_OFFSET_DAYS, MIN_OFFSET_DAYS

OFFSET_VALIDATORS = [MinValueValidator(MIN_OFFSET_DAYS), MaxValueValidator(MAX_OFFSET_DAYS)]
NON_NEGATIVE = [MinValueValidator(0)]
# CII (Factur-X) carries three address lines; postcode, city and country have fields of their own.
SELLER_ADDRESS_MAX_LINES = 3
# A contract's post-invoicing defaults, field -> name; a run or a manual generation may
# choose otherwise for its own invoices. These English names are what records say (the
# audit trail), whatever language the person asking reads; pages say POST_TASK_LABELS.
POST_TASKS = {"auto_send": "Auto-Send", "auto_charge": "Auto-Charge", "auto_sync": "Auto-Sync"}
POST_TASK_LABELS = {
    "auto_send": _("Auto-Send"),
    "auto_charge": _("Auto-Charge"),
    "auto_sync": _("Auto-Sync"),
}
# Lines one contract may have: a contract has a handful; hundreds is a mistake to refuse.
MAX_LINES_PER_CONTRACT = 100
# The terms that decide a contract's cycles, invoice dates and amounts: what generation
# reads of a contract, in the order its readers and the benchmark book write them.
BILLING_TERMS = (
    "start_date",
    "end_date",
    "billing_frequency",
    "billing_timing",
    "invoice_offset_days",
    "currency",
    "payment_terms_days",
)


class BillingSettings(models.Model):
    """The billing configuration: one row, edited in admin."""

    schedules_ahead = models.PositiveSmallIntegerField(
        _("schedules ahead"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_(
            "How many not-yet-invoiced cycles every active contract keeps as Pending schedules."
        ),
    )
    default_offset_days = models.SmallIntegerField(
        _("default invoice generation offset (days)"),
        default=1,
        validators=OFFSET_VALIDATORS,
        help_text=_("Offset given to new contracts: Invoice Date = Next Invoice Date + offset."),
    )
    invoice_number_prefix = models.CharField(
        _("invoice number prefix"), max_length=20, default="INV-"
    )
    credit_note_number_prefix = models.CharField(
        _("credit note number prefix"),
        max_length=20,
        default="CN-",
        db_default="CN-",
        help_text=_("Credit notes are numbered in a series of their own, gap-free."),
    )
    default_payment_terms_days = models.PositiveSmallIntegerField(
        _("default payment terms days"), default=30
    )
    change_log_nightly = models.BooleanField(
        _("bill the change log nightly"),
        default=False,
        help_text=_(
            "Each night, also bill on change-log invoices the unbilled quantity changes "
            "effective up to the day before, whose cycle was already invoiced."
        ),
    )
    # The seller's identity, printed on every invoice and credit note and written into
    # their Factur-X XML.
    seller_name = models.CharField(
        _("legal name"), max_length=200, default="Billing Back Office Ltd"
    )
    seller_address = models.TextField(
        _("address lines"),
        blank=True,
        help_text=format_lazy(
            _("Street and building, at most {lines} lines; postcode and city below."),
            lines=SELLER_ADDRESS_MAX_LINES,
        ),
    )
    seller_postcode = models.CharField(_("postcode"), max_length=20, blank=True, default="")
    seller_city = models.CharField(_("city"), max_length=100, blank=True, default="")
    seller_country = CountryField(_("country"), blank=True, default="")
    seller_vat_id = models.CharField(
        _("VAT ID"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("With its country prefix, e.g. FR40303265045; checked for EU countries."),
    )
    seller_registration = models.CharField(
        _("company registration"),
        max_length=100,
        blank=True,
        default="",
        help_text=_('As the register writes it, e.g. "RCS Paris 123 456 789".'),
    )
    seller_email = models.EmailField(_("email"), blank=True, default="")
    seller_bank_name = models.CharField(_("bank"), max_length=200, blank=True, default="")
    # Room for the spaces people type: saved compacted (34 and 11 characters at most).
    seller_iban = models.CharField(
        _("IBAN"),
        max_length=42,
        blank=True,
        default="",
        help_text=_("Printed for payment by transfer."),
    )
    seller_bic = models.CharField(_("BIC"), max_length=14, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("billing settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="billing_settings_singleton"),
            models.CheckConstraint(
                condition=Q(default_offset_days__gte=MIN_OFFSET_DAYS)
                & Q(default_offset_days__lte=MAX_OFFSET_DAYS),
                name="billing_settings_offset_range",
            ),
            models.CheckConstraint(
                condition=Q(schedules_ahead__gte=1), name="billing_settings_schedules_ahead_min"
            ),
            # One series each: a shared prefix would interleave invoices and credit notes.
            models.CheckConstraint(
                condition=~Q(credit_note_number_prefix=F("invoice_number_prefix")),
                name="billing_settings_number_series_apart",
                violation_error_message=_(
                    "Credit notes need a number prefix of their own, not the invoices' one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Billing settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.seller_vat_id = vat_id_compacted(self.seller_vat_id)
        self.seller_iban = iban.compact(self.seller_iban)
        self.seller_bic = bic.compact(self.seller_bic)
        if problems := self.seller_problems():
            raise ValidationError(problems)

    def seller_problems(self) -> dict[str, str]:
        """Why the seller's identity cannot be printed and filed as it is, per field."""
        problems = {}
        if len(self.seller_address.splitlines()) > SELLER_ADDRESS_MAX_LINES:
            problems["seller_address"] = errors.SELLER_ADDRESS_TOO_LONG.format(
                lines=SELLER_ADDRESS_MAX_LINES
            )
        if problem := vat_id_problem(self.seller_vat_id, self.seller_country.code or ""):
            problems["seller_vat_id"] = problem
        if self.seller_iban and not iban.is_valid(self.seller_iban):
            problems["seller_iban"] = errors.IBAN_INVALID.format(iban=self.seller_iban)
        if self.seller_bic and not bic.is_valid(self.seller_bic):
            problems["seller_bic"] = errors.BIC_INVALID.format(bic=self.seller_bic)
        return problems

    @classmethod
    def load(cls) -> BillingSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


def default_offset_days() -> int:
    return BillingSettings.load().default_offset_days


def default_payment_terms_days() -> int:
    return BillingSettings.load().default_payment_terms_days


# The languages documents and emails can be written in (the customer's choice).
DOCUMENT_LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]


class Customer(models.Model):
    name = models.CharField(_("legal name"), max_length=200)
    billing_email = models.EmailField(_("billing email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    country = CountryField(_("country"), blank=True, default="", db_default="")
    vat_id = models.CharField(
        _("VAT ID"),
        max_length=20,
        blank=True,
        default="",
        db_default="",
        help_text=_("With its country prefix, e.g. FR40303265045; checked for EU countries."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=DOCUMENT_LANGUAGES, default="en", db_default="en"
    )
    # Auto-Charge through Stripe: the customer and the saved payment method it charges.
    # db_default: bulk loaders (COPY) that name their columns need not know these.
    stripe_customer_id = models.CharField(
        _("Stripe customer id"), max_length=255, blank=True, default="", db_default=""
    )
    stripe_payment_method_id = models.CharField(
        _("Stripe payment method id"), max_length=255, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        self.vat_id = vat_id_compacted(self.vat_id)
        if problem := vat_id_problem(self.vat_id, self.country.code or ""):
            raise ValidationError({"vat_id": problem})


class ContractQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=BillingContract.Status.ACTIVE)


class BillingContract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("contract status", "Draft")
        ACTIVE = "active", pgettext_lazy("contract status", "Active")
        CANCELLED = "cancelled", pgettext_lazy("contract status", "Cancelled")
        ENDED = "ended", pgettext_lazy("contract status", "Ended")

    class Frequency(models.TextChoices):
        MONTHLY = cycles.Frequency.MONTHLY.value, _("Monthly")
        QUARTERLY = cycles.Frequency.QUARTERLY.value, _("Quarterly")
        SEMI_ANNUAL = cycles.Frequency.SEMI_ANNUAL.value, _("Semi-annual")
        ANNUAL = cycles.Frequency.ANNUAL.value, _("Annual")
        TRIENNIAL = cycles.Frequency.TRIENNIAL.value, _("Triennial")

    class Timing(models.TextChoices):
        ADVANCE = cycles.Timing.ADVANCE.value, _("In advance")
        ARREARS = cycles.Timing.ARREARS.value, _("In arrears")

    number = models.CharField(_("number"), max_length=40, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    billing_frequency = models.CharField(
        _("billing frequency"), max_length=12, choices=Frequency.choices
    )
    billing_timing = models.CharField(_("billing timing"), max_length=8, choices=Timing.choices)
    invoice_offset_days = models.SmallIntegerField(
        _("invoice generation offset (days)"),
        default=default_offset_days,
        validators=OFFSET_VALIDATORS,
        help_text=_(
            "Invoice Date = Next Invoice Date + offset. Negative generates before the "
            "anchor. It moves creation timing only, never the period or the amounts."
        ),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=[(code, code) for code in CURRENCY_CODES],
        default="EUR",
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms days"), default=default_payment_terms_days
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    auto_send = models.BooleanField(_("auto send"), default=False)
    auto_charge = models.BooleanField(_("auto charge"), default=False)
    auto_sync = models.BooleanField(_("auto sync"), default=False)
    # Denormalised for the contract list (filter, sort): the anchor of the first cycle not
    # yet invoiced, refreshed by the schedule and generation services.
    # Not indexed on purpose: generation rewrites it for every invoiced contract, and
    # without an index PostgreSQL does that in place (HOT); the list sorts and filters a
    # 100,000-row table on it in tens of milliseconds anyway (bench_pages).
    next_invoice_date = models.DateField(
        _("next invoice date"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing contract")
        verbose_name_plural = _("billing contracts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contract_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(invoice_offset_days__gte=MIN_OFFSET_DAYS)
                & Q(invoice_offset_days__lte=MAX_OFFSET_DAYS),
                name="contract_offset_range",
            ),
            models.CheckConstraint(
                condition=Q(billing_frequency__in=[f.value for f in cycles.Frequency]),
                name="contract_frequency_valid",
            ),
            models.CheckConstraint(
                condition=Q(billing_timing__in=[t.value for t in cycles.Timing]),
                name="contract_timing_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "cancelled", "ended"]),
                name="contract_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=CURRENCY_CODES), name="contract_currency_iso4217"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "billing_frequency"]),
            # The list's currency filter offers the currencies in use, read from this index.
            models.Index(fields=["currency"], name="contract_currency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"

    def clean(self) -> None:
        if self.start_date and self.billing_frequency:
            try:
                cycles.validate_terms(self.start_date, self.billing_frequency, self.end_date)
            except ValueError as error:
                raise ValidationError({"end_date": str(error)}) from error

    def cycle_at(self, index: int) -> cycles.Cycle:
        return cycles.cycle_at(self.start_date, self.billing_frequency, index, self.end_date)

    def cycle_containing(self, day) -> cycles.Cycle:
        return cycles.cycle_containing(self.start_date, self.billing_frequency, day, self.end_date)


class ContractLine(models.Model):
    contract = models.ForeignKey(
        BillingContract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=4, validators=NON_NEGATIVE
    )
    # Null while a line is still being priced: generation refuses such a contract.
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Percent: 20 means 20 %."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        ordering = ["contract_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="line_quantity_not_negative"),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0),
                name="line_unit_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="line_tax_rate_percent"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="line_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The line's end date is before its start date."})


class ContractChangeQuerySet(models.QuerySet):
    def not_after_contract_end(self):
        """Changes effective on or before their contract's end (all of an open-ended one).

        Billing ignores a change dated after the end: nothing is billed after it, and the
        end credited those days already. Ending the contract later again makes the change
        billable again, so it is left unbilled rather than marked."""
        return self.filter(
            Q(line__contract__end_date__isnull=True)
            | Q(effective_date__lte=F("line__contract__end_date"))
        )


class ContractChange(models.Model):
    """The change log: one row per change of a line's quantity."""

    # PROTECT: a line with a change log is history; end it (end date) rather than delete it.
    line = models.ForeignKey(
        ContractLine, verbose_name=_("line"), on_delete=models.PROTECT, related_name="changes"
    )
    effective_date = models.DateField(_("effective date"))
    quantity_before = models.DecimalField(_("quantity before"), max_digits=14, decimal_places=4)
    quantity_after = models.DecimalField(_("quantity after"), max_digits=14, decimal_places=4)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The invoice that billed this change (a regular invoice's segment or a change-log invoice).
    billed_invoice = models.ForeignKey(
        "invoicing.Invoice",
        verbose_name=_("billed invoice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billed_changes",
    )

    objects = ContractChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")
        ordering = ["line_id", "effective_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_before__gte=0) & Q(quantity_after__gte=0),
                name="change_quantities_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.quantity_before} → {self.quantity_after} from {self.effective_date}"

    @property
    def delta(self):
        return self.quantity_after - self.quantity_before
