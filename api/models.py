"""What the API keeps of its own: the responses given to idempotency keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` of one user: the request it came with and, once answered, the
    answer. The unique (user, key) row is written before the work starts, so a second request
    with the key finds it, in progress or answered, and never does the work twice.
    Kept 24 hours (api.idempotency.KEY_LIFETIME), then the key may be used again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # sha256 of the request body as parsed JSON, keys sorted: the same request written with
    # other spacing or key order is the same request.
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_record_per_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path})"

    @property
    def answered(self) -> bool:
        return self.completed_at is not None
