"""Webhook endpoints, the outbox of events, and one delivery per (event, endpoint)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

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
        "URL", max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    # Shown to admins so they can give it to the receiver; generated when the endpoint is made.
    secret = models.CharField(max_length=200, default=secret_generate, validators=[validate_secret])
    events = ArrayField(
        models.CharField(max_length=50, choices=EVENT_TYPES), validators=[validate_events]
    )
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "webhook endpoint"
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

    event_id = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=50)
    # Text, not JSON: the exact bytes signed and sent, never re-serialised.
    payload = models.TextField()
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = "webhook event"

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    """An event for one endpoint, and how its attempts went. One per (event, endpoint): a
    retry, a lost message re-queued or a Redeliver all work on this row."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due; the sweep re-queues a pending delivery left well past it.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
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
