"""Writes of a person's own preferences."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from accounts.models import UserPreference


@transaction.atomic
def user_language_set(*, user: User, language: str) -> UserPreference:
    """Keep the user's language for the web UI (one of settings.LANGUAGES)."""
    preference = UserPreference.objects.select_for_update().filter(user=user).first()
    preference = preference or UserPreference(user=user)
    preference.language = language
    preference.full_clean()  # an unknown language is refused here, whatever the door
    preference.save()
    return preference
