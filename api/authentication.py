"""API keys: `Authorization: Bearer <key>`; the key acts as its owner, with their permissions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.api_keys import api_key_matches, api_key_prefix
from accounts.models import ApiKey
from api import errors

# Recording every request's use would be a write per read; a minute is precise enough to
# tell a key in use from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not ours: session authentication may still apply
        prefix = api_key_prefix(key.strip())
        api_key = (
            ApiKey.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
        )
        if api_key is None or not api_key_matches(key.strip(), api_key.hashed_key):
            raise exceptions.AuthenticationFailed(errors.KEY_UNKNOWN)
        if api_key.is_revoked:
            raise exceptions.AuthenticationFailed(errors.KEY_REVOKED)
        if not api_key.user.is_active:
            raise exceptions.AuthenticationFailed(errors.KEY_OWNER_INACTIVE)
        _record_use(api_key)
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return self.keyword


def _record_use(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
