from django.apps import AppConfig


class WalletsConfig(AppConfig):
    name = "wallets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wallets import (  # noqa: F401  (metrics: registered at start, scraped even if zero)
            dbwatch,
            metrics,
        )

        dbwatch.install()
