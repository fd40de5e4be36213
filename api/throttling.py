"""Rate limits per API key (and per signed-in user for the browsable docs), kept in Redis."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class PerKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read when asked, not when the class was defined, so a changed setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if request.auth is not None and hasattr(request.auth, "prefix"):
            ident = f"key:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anon:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
