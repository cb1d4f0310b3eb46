"""The local copy of each Auth Tenant's Teams activity log, and where its sync stands."""

from __future__ import annotations

from django.db import models

from apps.core.hashchain import ChainHead


class ActivityEvent(models.Model):
    """One Teams API activity log entry, stored exactly once per Auth Tenant (contract §6)."""

    # No index of its own: every composite index below leads with it. A lone index also let
    # PostgreSQL, on stale statistics, answer "which of these ids are stored" by scanning every
    # row of the Auth Tenant instead of probing the unique index.
    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant",
        on_delete=models.CASCADE,
        related_name="activity_events",
        db_index=False,
    )
    external_id = models.CharField(max_length=64)
    type = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32)
    current_event = models.CharField(max_length=128, blank=True)
    actor_id = models.CharField(max_length=1024, blank=True)
    actor_type = models.CharField(max_length=32, blank=True)
    actor_name = models.CharField(max_length=512, blank=True)
    actor_picture = models.CharField(max_length=2048, blank=True)
    actor_is_member = models.BooleanField(null=True, blank=True)
    actor_team_role = models.CharField(max_length=64, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    user_agent = models.TextField(blank=True)
    version = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)
    stored_at = models.DateTimeField(auto_now_add=True)
    # Place and hash in the Auth Tenant's archive chain (apps/activity/chain.py): numbered in
    # the order rows were stored, which is not `created_at` order (the sync back-fills).
    chain_seq = models.PositiveBigIntegerField(null=True, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "external_id"], name="activity_event_unique_external_id"
            ),
            # Also the verify walk's order; two writers can never take the same place.
            models.UniqueConstraint(
                fields=["auth_tenant", "chain_seq"], name="activity_event_unique_chain_seq"
            ),
        ]
        indexes = [
            models.Index(
                fields=["auth_tenant", "-created_at", "-external_id"],
                name="activity_tenant_created",
            ),
            models.Index(
                fields=["auth_tenant", "type", "-created_at"], name="activity_tenant_type"
            ),
            models.Index(
                fields=["auth_tenant", "status", "-created_at"], name="activity_tenant_status"
            ),
            models.Index(
                fields=["auth_tenant", "actor_id", "-created_at"], name="activity_tenant_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type or 'event'} {self.current_event} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class ActivityActor(models.Model):
    """One actor (id and name) the Auth Tenant's stored events name: the actor filter's lookup
    table (apps/activity/actors.py). Database triggers add a row as events are stored; its
    unique key and the triggers are made by the migration, per database."""

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    actor_id = models.CharField(max_length=1024, blank=True)
    actor_name = models.CharField(max_length=512, blank=True)

    def __str__(self) -> str:
        return f"{self.actor_name or self.actor_id} (Auth Tenant {self.auth_tenant_id})"


class ActivityCheckpoint(models.Model):
    """How far an Auth Tenant's activity log is stored.

    `since` is durable: every entry created before it is stored, so the next walk asks
    `since=<since>` (inclusive; the boundary entries repeat and are ignored). The `walk_*` fields
    describe a walk in progress. They change in the same transaction as each stored page, so a
    worker killed mid-walk resumes below the oldest entry it stored and `since` only moves once a
    walk reaches the end.
    """

    auth_tenant = models.OneToOneField(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="activity_checkpoint"
    )
    since = models.DateTimeField(null=True, blank=True)
    walk_since = models.DateTimeField(null=True, blank=True)
    walk_until = models.DateTimeField(null=True, blank=True)
    walk_oldest = models.DateTimeField(null=True, blank=True)
    walk_newest = models.DateTimeField(null=True, blank=True)
    walk_pages = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"activity checkpoint of Auth Tenant {self.auth_tenant_id}"

    @property
    def walk_in_progress(self) -> bool:
        return self.walk_until is not None


class ActivityChainHead(ChainHead):
    """The last link of an Auth Tenant's activity chain; writers lock this row to append."""

    auth_tenant = models.OneToOneField(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="activity_chain_head"
    )

    def __str__(self) -> str:
        return f"activity chain of Auth Tenant {self.auth_tenant_id} at {self.seq}"


class ActivityPrune(models.Model):
    """One retention run for an Auth Tenant: which stored events it deleted.

    The chain continues from `last_hash` at `last_seq`, so what is kept stays verifiable. The
    range fields say what went: chain positions and the events' own dates.
    """

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="activity_prunes"
    )
    pruned_at = models.DateTimeField(auto_now=True)
    older_than = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)
    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField()
    last_hash = models.CharField(max_length=64)
    oldest_created_at = models.DateTimeField()
    newest_created_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seq"]
        indexes = [models.Index(fields=["auth_tenant", "-last_seq"], name="activity_prune_latest")]

    def __str__(self) -> str:
        return f"{self.count} events pruned from Auth Tenant {self.auth_tenant_id}"
