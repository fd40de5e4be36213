"""Reads of a person's own settings: their API keys."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import ApiKey


def api_keys_of(*, user: User) -> QuerySet[ApiKey]:
    """The person's keys, newest first, revoked ones included (they say when)."""
    return ApiKey.objects.filter(user=user).order_by("-created_at", "-id")
