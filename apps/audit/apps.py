from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Dashboard actions"

    def ready(self) -> None:
        from apps.audit import chain
        from apps.core import hashchain

        hashchain.register("audit", chain.chain_reports)
