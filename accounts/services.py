"""Writes of a person's own settings: the language, the API keys."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts import api_keys
from accounts.models import ApiKey, UserPreference


@transaction.atomic
def user_language_set(*, user: User, language: str) -> UserPreference:
    """Keep the user's language for the web UI (one of settings.LANGUAGES)."""
    preference = UserPreference.objects.select_for_update().filter(user=user).first()
    preference = preference or UserPreference(user=user)
    preference.language = language
    preference.full_clean()  # an unknown language is refused here, whatever the door
    preference.save()
    return preference


@transaction.atomic
def api_key_create(*, user: User, name: str, created_by: User | None = None) -> tuple[ApiKey, str]:
    """Make a key for `user` and return it with the key itself, which is never shown again."""
    key, prefix, hashed_key = api_keys.api_key_make()
    api_key = ApiKey(user=user, name=name.strip(), prefix=prefix, hashed_key=hashed_key)
    api_key.full_clean()
    api_key.save()
    _log(api_key, actor=created_by or user, flag=ADDITION, message=[{"added": {}}])
    return api_key, key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, revoked_by: User) -> ApiKey:
    """Revoke the key for good; revoking it again changes nothing."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        _log(locked, actor=revoked_by, flag=CHANGE, message="Revoked.")
    return locked


@transaction.atomic
def api_keys_revoke(*, api_key_ids: list[int], revoked_by: User) -> int:
    """Revoke the named keys that are still in use (the admin's action); returns how many.
    Never more rows than named: one UPDATE over those ids, one audit row per key."""
    keys = list(
        ApiKey.objects.select_for_update()
        .filter(pk__in=api_key_ids, revoked_at__isnull=True)
        .order_by("pk")
    )
    ApiKey.objects.filter(pk__in=[key.pk for key in keys]).update(revoked_at=timezone.now())
    if keys:
        LogEntry.objects.log_actions(
            user_id=revoked_by.pk, queryset=keys, action_flag=CHANGE, change_message="Revoked."
        )
    return len(keys)


def _log(api_key: ApiKey, *, actor: User, flag: int, message: list | str) -> None:
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[api_key],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )
