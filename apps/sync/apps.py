from django.apps import AppConfig
from django.db.models.signals import post_save


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"

    def ready(self) -> None:
        from apps.authtenants.models import AuthClient, AuthTenant
        from apps.core.metrics import register_collector
        from apps.sync import receivers
        from apps.sync.metrics import SyncCollector

        post_save.connect(receivers.auth_tenant_created, sender=AuthTenant, dispatch_uid="sync")
        post_save.connect(receivers.auth_client_created, sender=AuthClient, dispatch_uid="sync")
        register_collector(SyncCollector())
