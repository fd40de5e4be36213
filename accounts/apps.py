from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing_site.dates import message_day
from billing_site.errors import day_writer_set, message_translator_set


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The billing rules' messages live in pure modules (no Django import): they speak
        # the user's language through Django's catalogs, installed here, as accounts owns
        # the language a person is spoken to in.
        message_translator_set(gettext)
        # Their days too ("1 Apr 2026", "1 avril 2026", "1. April 2026").
        day_writer_set(message_day)
