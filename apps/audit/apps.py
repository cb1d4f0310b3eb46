from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Dashboard actions"

    def ready(self) -> None:
        from apps.audit import chain, receivers
        from apps.core import hashchain
        from apps.core.exports import export_ended

        export_ended.connect(receivers.export_ended, dispatch_uid="audit")
        hashchain.register("audit", chain.chain_reports)
