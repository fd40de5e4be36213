from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        # Registers the API-key security scheme with drf-spectacular.
        from api import schema  # noqa: F401
