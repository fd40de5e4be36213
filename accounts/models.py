"""What a person chooses for themselves: the language the web UI speaks to them in."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        help_text=_("The language of the web UI and of Django admin for this person."),
    )

    class Meta:
        verbose_name = _("preference")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


def user_language(user) -> str:
    """The language the user chose, "" when none (or not signed in); loaded with the user
    by accounts.backends, so asking costs no query."""
    if not getattr(user, "is_authenticated", False):
        return ""
    try:
        return user.preference.language
    except ObjectDoesNotExist:
        return ""
