from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo book and its login: `seed_demo` and `ensure_demo_admin`. It sits above every
    other app, since it writes its history through their services; nothing imports it."""

    name = "demo"
    verbose_name = _("Demo book")
