"""Webhook endpoints, the outbox of events, and one delivery per (event, endpoint)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from webhooks import errors
from webhooks.events import EVENT_TYPES, SUBSCRIBABLE
from webhooks.signing import secret_generate, secret_is_valid


def validate_events(value: list[str]) -> None:
    unknown = sorted(set(value) - SUBSCRIBABLE)
    if unknown:
        raise ValidationError(errors.UNKNOWN_EVENTS.format(names=", ".join(unknown)))
    if not value:
        raise ValidationError(errors.NO_EVENTS)


def validate_secret(value: str) -> None:
    if not secret_is_valid(value):
        raise ValidationError(errors.BAD_SECRET)


class WebhookEndpoint(models.Model):
    """A receiver registered by an admin: where to POST, the key to sign with, and the
    event types it wants."""

    url = models.URLField(
        _("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    # Shown to admins so they can give it to the receiver; generated when the endpoint is made.
    secret = models.CharField(
        _("secret"), max_length=200, default=secret_generate, validators=[validate_secret]
    )
    events = ArrayField(
        models.CharField(max_length=50, choices=EVENT_TYPES),
        verbose_name=_("events"),
        validators=[validate_events],
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="webhook_endpoint_url_http",
            ),
            models.CheckConstraint(
                condition=Q(secret__startswith="whsec_"), name="webhook_endpoint_secret_whsec"
            ),
            models.CheckConstraint(
                condition=Q(events__contained_by=sorted(SUBSCRIBABLE)) & ~Q(events=[]),
                name="webhook_endpoint_events_known",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookEvent(models.Model):
    """One thing that happened, as every receiver gets it: the same id and the same
    payload bytes on every attempt. The id is unique: recording an event twice (a retried
    task) finds the first one."""

    event_id = models.CharField(_("event id"), max_length=64, unique=True)
    type = models.CharField(_("type"), max_length=50)
    # Text, not JSON: the exact bytes signed and sent, never re-serialised.
    payload = models.TextField(_("payload"))
    occurred_at = models.DateTimeField(_("occurred at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    """An event for one endpoint, and how its attempts went. One per (event, endpoint): a
    retry, a lost message re-queued or a Redeliver all work on this row."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")
        DELIVERED = "delivered", pgettext_lazy("delivery status", "Delivered")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")

    event = models.ForeignKey(
        WebhookEvent,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("event"),
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt is due; the sweep re-queues a pending delivery left well past it.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.CharField(_("response body"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("redeliver_webhookdelivery", "Can redeliver webhook deliveries")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="one_webhook_delivery_per_endpoint"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]
        indexes = [
            # The sweep: pending deliveries overdue.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint}: {self.get_status_display()}"
