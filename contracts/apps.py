from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts"

    def ready(self) -> None:
        import billing_site.lookups  # noqa: F401  (registers the `__any` lookup)
