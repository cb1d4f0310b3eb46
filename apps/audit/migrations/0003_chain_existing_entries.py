"""Chain the dashboard actions recorded before the archive chain existed, in id order."""

from typing import Any

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from apps.audit.chain import CONTENT_FIELDS
from apps.core.hashchain import chain_existing


def chain_entries(apps: Any, schema_editor: Any) -> None:
    entry = apps.get_model("audit", "AuditEntry")
    head = apps.get_model("audit", "AuditChainHead")
    entry.objects.update(chain_key=Coalesce(F("auth_tenant_id"), Value(0)))
    keys = entry.objects.order_by().values_list("chain_key", flat=True).distinct()
    for key in list(keys):
        end = chain_existing(entry.objects.filter(chain_key=key), CONTENT_FIELDS)
        head.objects.update_or_create(chain_key=key, defaults={"seq": end.seq, "hash": end.hash})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_archive_chain")]

    operations = [migrations.RunPython(chain_entries, migrations.RunPython.noop)]
