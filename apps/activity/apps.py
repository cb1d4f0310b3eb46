from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "apps.activity"
    label = "activity"

    def ready(self) -> None:
        from apps.activity import chain
        from apps.core import hashchain

        hashchain.register("activity", chain.chain_reports)
