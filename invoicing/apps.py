from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from invoicing.post_invoicing.sync_following import on_delivery_settled
        from webhooks.signals import delivery_settled

        # Auto-Sync's state on the invoice follows its event's deliveries.
        delivery_settled.connect(on_delivery_settled, dispatch_uid="auto_sync_follows")
