"""Chain the events stored before the archive chain existed, per Auth Tenant in id order."""

from typing import Any

from django.db import migrations

from apps.activity.chain import CONTENT_FIELDS
from apps.core.hashchain import chain_existing


def chain_events(apps: Any, schema_editor: Any) -> None:
    event = apps.get_model("activity", "ActivityEvent")
    head = apps.get_model("activity", "ActivityChainHead")
    tenant_ids = event.objects.order_by().values_list("auth_tenant_id", flat=True).distinct()
    for tenant_id in list(tenant_ids):
        end = chain_existing(event.objects.filter(auth_tenant_id=tenant_id), CONTENT_FIELDS)
        head.objects.update_or_create(
            auth_tenant_id=tenant_id, defaults={"seq": end.seq, "hash": end.hash}
        )


class Migration(migrations.Migration):
    dependencies = [("activity", "0003_archive_chain")]

    operations = [migrations.RunPython(chain_events, migrations.RunPython.noop)]
