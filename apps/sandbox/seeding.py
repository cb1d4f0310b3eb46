"""Deterministic sample data for the sandbox: teams, tenants, members, roles and activity."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.core.db import analyze
from apps.sandbox import contract, keys
from apps.sandbox.auth import hash_secret
from apps.sandbox.models import (
    SandboxActivity,
    SandboxAuthTenant,
    SandboxClient,
    SandboxMember,
    SandboxOidcClient,
    SandboxTeam,
    SandboxTenant,
    SandboxTenantRole,
    SandboxUser,
)

GIVEN = (
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Radia",
    "Tim",
    "Frances",
    "Edsger",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
    "Shafi",
    "Leslie",
    "Sophie",
    "Niklaus",
    "Anita",
    "Bjarne",
    "Carol",
    "Guido",
    "Joan",
    "Yukihiro",
    "Mary",
    "Whitfield",
    "Adele",
    "Vint",
)
FAMILY = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Perlman",
    "Berners-Lee",
    "Allen",
    "Dijkstra",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Knuth",
    "Goldwasser",
    "Lamport",
    "Wilson",
    "Wirth",
    "Borg",
    "Stroustrup",
    "Shaw",
    "Rossum",
    "Clarke",
    "Matsumoto",
    "Keller",
    "Diffie",
    "Goldberg",
    "Cerf",
)
WORDS = (
    "billing",
    "checkout",
    "portal",
    "mobile",
    "partner",
    "identity",
    "store",
    "analytics",
    "support",
    "payments",
    "catalog",
    "loyalty",
    "search",
    "gateway",
    "booking",
    "insights",
    "console",
    "ledger",
)
TEAM_ROLE_NAMES = (
    "teams_owner",
    "teams_contributor",
    "teams_report_viewer",
    "teams_tenant_manager",
)
TEAM_ROLE_WEIGHTS = (1, 6, 2, 2)
USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
)
MACHINE_AGENTS = ("teams-admin/0.1.0", "python-requests/2.32.3", "auth0-teams-python/0.1.0")
TAG_SHORT = {"development": "dev", "production": "prod", "staging": "stg"}
ACTIVITY_BATCH = 20_000


@dataclass(frozen=True)
class SeedCounts:
    """What a seed run created."""

    tenants: int
    members: int
    activity: int


def ensure_auth_tenant(domain: str) -> SandboxAuthTenant:
    auth_tenant = SandboxAuthTenant.objects.filter(domain=domain).first()
    if auth_tenant is None:
        kid, pem = keys.generate_key()
        auth_tenant = SandboxAuthTenant.objects.create(domain=domain, kid=kid, private_key_pem=pem)
    return auth_tenant


def ensure_client(
    *,
    auth_domain: str,
    client_id: str,
    client_secret: str,
    scopes: str | Iterable[str],
    name: str,
    token_lifetime: int | None = None,
) -> SandboxClient:
    """Create or update an M2M client; the secret is stored hashed."""
    scope_text = scopes if isinstance(scopes, str) else " ".join(scopes)
    auth_tenant = ensure_auth_tenant(auth_domain)
    client, _ = SandboxClient.objects.update_or_create(
        auth_tenant=auth_tenant,
        client_id=client_id,
        defaults={
            "secret_hash": hash_secret(client_secret),
            "name": name,
            "scopes": " ".join(scope_text.split()),
            "token_lifetime": token_lifetime,
        },
    )
    return client


@dataclass(frozen=True)
class DemoSsoUser:
    """A person of the demo sign-in; the password is shown on the sandbox's sign-in page."""

    email: str
    password: str
    name: str
    roles: tuple[str, ...]
    email_verified: bool = True

    @property
    def user_id(self) -> str:
        return "auth0|" + hashlib.sha256(self.email.encode()).hexdigest()[:24]


DEMO_SSO_USERS = (
    DemoSsoUser("olivia@acme.example", "sso-owner", "Olivia Owner", ("teams-owners",)),
    DemoSsoUser("hugo@acme.example", "sso-helpdesk", "Hugo Helpdesk", ("teams-helpdesk",)),
    DemoSsoUser("ada@acme.example", "sso-auditor", "Ada Auditor", ("teams-auditors",)),
    DemoSsoUser("noah@acme.example", "sso-norole", "Noah Engineer", ("engineering",)),
    DemoSsoUser("uma@acme.example", "sso-unverified", "Uma Unverified", ("teams-auditors",), False),
)
# Where the dashboard receives sign-ins; a loopback callback matches on any port.
DASHBOARD_CALLBACK_PATH = "/accounts/login/sso/callback/"
DASHBOARD_REDIRECT_URIS = [
    f"http://{host}:8000{DASHBOARD_CALLBACK_PATH}" for host in ("127.0.0.1", "localhost")
]


def ensure_oidc_client(
    *, auth_domain: str, client_id: str, client_secret: str, name: str, redirect_uris: list[str]
) -> SandboxOidcClient:
    """Create or update a sign-in (OIDC) client; the secret is stored hashed."""
    client, _ = SandboxOidcClient.objects.update_or_create(
        auth_tenant=ensure_auth_tenant(auth_domain),
        client_id=client_id,
        defaults={
            "secret_hash": hash_secret(client_secret),
            "name": name,
            "redirect_uris": list(redirect_uris),
        },
    )
    return client


def ensure_demo_sign_in(auth_domain: str) -> None:
    """The demo people, and the dashboard as a sign-in client when the sandbox is its provider."""
    auth_tenant = ensure_auth_tenant(auth_domain)
    # A dashboard signing in elsewhere keeps its client secret out of the sandbox.
    if settings.TEAMSADMIN_OIDC_ISSUER == settings.SANDBOX_OIDC_ISSUER:
        ensure_oidc_client(
            auth_domain=auth_domain,
            client_id=settings.TEAMSADMIN_OIDC_CLIENT_ID,
            client_secret=settings.TEAMSADMIN_OIDC_CLIENT_SECRET,
            name="Teams Admin",
            redirect_uris=DASHBOARD_REDIRECT_URIS,
        )
    for person in DEMO_SSO_USERS:
        SandboxUser.objects.update_or_create(
            auth_tenant=auth_tenant,
            email=person.email,
            defaults={
                "user_id": person.user_id,
                "password_hash": hash_secret(person.password),
                "name": person.name,
                "email_verified": person.email_verified,
                "roles": list(person.roles),
            },
        )


def ensure_demo_clients(auth_domain: str) -> tuple[SandboxClient, SandboxClient]:
    ensure_demo_sign_in(auth_domain)
    owner = ensure_client(
        auth_domain=auth_domain,
        client_id=settings.TEAMSADMIN_SANDBOX_CLIENT_ID,
        client_secret=settings.TEAMSADMIN_SANDBOX_CLIENT_SECRET,
        scopes=contract.SCOPES,
        name="Teams Admin (owner)",
    )
    readonly = ensure_client(
        auth_domain=auth_domain,
        client_id=settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID,
        client_secret=settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET,
        scopes=contract.READONLY_SCOPES,
        name="Teams Admin (read-only)",
    )
    return owner, readonly


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _weighted_role(rng: random.Random) -> str:
    return rng.choices(TEAM_ROLE_NAMES, weights=TEAM_ROLE_WEIGHTS)[0]


def _client_ids(rng: random.Random) -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return ["".join(rng.choice(alphabet) for _ in range(32)) for _ in range(rng.randint(1, 2))]


def _make_tenants(
    rng: random.Random, team: SandboxTeam, count: int, now: datetime
) -> list[SandboxTenant]:
    localities = list(contract.PUBLIC_LOCALITY_ENVIRONMENTS)
    spaces = list(team.private_environments.items())
    tenants = []
    for index in range(count):
        private = bool(spaces) and index % 4 == 3
        tag = rng.choice(contract.ENVIRONMENT_TAGS)
        name = f"{team.slug}-{rng.choice(WORDS)}-{TAG_SHORT[tag]}-{index + 1}"[:63]
        if private:
            environment, locality = spaces[(index // 4) % len(spaces)]
            domain = contract.PRIVATE_DOMAIN_TEMPLATE.format(
                tenant_name=name, environment=environment
            )
            tag = ""
        else:
            locality = localities[0] if index == 0 else rng.choice(localities)
            environment = contract.PUBLIC_LOCALITY_ENVIRONMENTS[locality]
            domain = contract.PUBLIC_DOMAIN_TEMPLATE.format(tenant_name=name, locality=locality)
        tenants.append(
            SandboxTenant(
                team=team,
                tenant_id=_uuid(rng),
                tenant_name=name,
                environment=environment,
                environment_tag=tag,
                domain=domain,
                locality=locality,
                private=private,
                created_at=_ms(now - timedelta(seconds=rng.randint(3600, 730 * 86400))),
            )
        )
    return SandboxTenant.objects.bulk_create(tenants)


def _member_id(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return "google-oauth2|" + "".join(rng.choice("0123456789") for _ in range(21))
    return contract.USER_ID_PREFIX + f"{rng.getrandbits(96):024x}"


def _make_members(rng: random.Random, team: SandboxTeam, count: int) -> list[SandboxMember]:
    members = []
    for index in range(count):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        nickname = f"{given}.{family}".lower().replace("-", "")
        members.append(
            SandboxMember(
                team=team,
                member_id=_member_id(rng),
                name=f"{given} {family}",
                given_name=given,
                family_name=family,
                nickname=nickname,
                email=f"{nickname}{index + 1}@{team.slug}.example.com",
                role=contract.OWNER_ROLE if index == 0 else _weighted_role(rng),
            )
        )
    return SandboxMember.objects.bulk_create(members)


def _make_roles(
    rng: random.Random, members: list[SandboxMember], tenants: list[SandboxTenant]
) -> None:
    if not tenants:
        return
    rows = []
    for member in members:
        for tenant in rng.sample(tenants, k=min(len(tenants), rng.randint(0, 3))):
            for role in rng.sample(contract.TENANT_ROLES, k=rng.randint(1, 2)):
                ids = _client_ids(rng) if role == contract.SPECIFIC_APPS_ROLE else []
                rows.append(
                    SandboxTenantRole(member=member, tenant=tenant, role=role, client_ids=ids)
                )
    SandboxTenantRole.objects.bulk_create(rows, batch_size=2000)


def _actor_pool(team: SandboxTeam, members: list[SandboxMember]) -> tuple[list[str], list[str]]:
    """Pre-serialised user and machine actors (JSON text), so a million rows cost little."""
    users = [
        json.dumps(
            {
                "id": m.member_id,
                "type": "user",
                "name": m.name,
                "picture": f"https://s.gravatar.com/avatar/{uuid.uuid5(uuid.NAMESPACE_URL, m.email).hex}?s=480",
                "isMember": True,
                "teamRole": m.role,
            }
        )
        for m in members
    ] or [
        json.dumps(
            {
                "id": "auth0|000000000000000000000000",
                "type": "user",
                "name": "Former member",
                "isMember": False,
            }
        )
    ]
    machines = [
        json.dumps({"id": c.client_id, "type": "machine", "name": c.name, "isMember": False})
        for c in SandboxClient.objects.filter(auth_tenant=team.auth_tenant).order_by("client_id")
    ] or [
        json.dumps(
            {
                "id": "seedMachineClient0001",
                "type": "machine",
                "name": "Provisioning job",
                "isMember": False,
            }
        )
    ]
    return users, machines


def _details(
    rng: random.Random,
    event: tuple[str, str],
    members: list[SandboxMember],
    tenants: list[SandboxTenant],
) -> dict[str, Any]:
    name = event[1]
    member = rng.choice(members) if members else None
    tenant = rng.choice(tenants) if tenants else None
    member_id = member.member_id if member else "auth0|000000000000000000000000"
    tenant_id = tenant.tenant_id if tenant else "00000000-0000-4000-8000-000000000000"
    if name == "member_invited":
        return {"email": f"invitee{rng.randint(1, 9999)}@example.com", "role": _weighted_role(rng)}
    if name == "member_role_updated":
        return {
            "member_id": member_id,
            "from_role": "teams_contributor",
            "to_role": _weighted_role(rng),
        }
    if name == "member_deleted":
        return {"member_id": member_id, "email": member.email if member else "gone@example.com"}
    if name == "tenant_created":
        return {
            "tenant_id": tenant_id,
            "tenant_name": tenant.tenant_name if tenant else "gone",
            "environment": tenant.environment if tenant else "US-3",
        }
    if name == "tenant_deleted":
        return {
            "tenant_id": _uuid(rng),
            "tenant_name": f"old-{rng.choice(WORDS)}-{rng.randint(1, 99)}",
        }
    if name in ("tenant_member_added", "tenant_member_updated"):
        return {
            "member_id": member_id,
            "tenant_id": tenant_id,
            "roles": [rng.choice(contract.TENANT_ROLES)],
        }
    if name == "tenant_member_removed":
        return {"member_id": member_id, "tenant_id": tenant_id}
    return {"source": "dashboard", "setting": name.rsplit("_", 1)[0]}


def _events() -> list[tuple[str, str]]:
    api_events = [
        contract.EVENT_INVITE,
        contract.EVENT_ROLE_UPDATED,
        contract.EVENT_MEMBER_DELETED,
        contract.EVENT_TENANT_CREATED,
        contract.EVENT_TENANT_DELETED,
        contract.EVENT_ACCESS_ADDED,
        contract.EVENT_ACCESS_UPDATED,
        contract.EVENT_ACCESS_REMOVED,
    ]
    seeded = [
        (type_, event) for type_, events in contract.SEED_ONLY_EVENTS.items() for event in events
    ]
    return api_events + seeded


def insert_activity(
    *,
    team: SandboxTeam,
    count: int,
    rng: random.Random,
    now: datetime,
    members: list[SandboxMember],
    tenants: list[SandboxTenant],
    created_at: datetime | None = None,
    days: int = 90,
) -> int:
    """Insert count entries with executemany in large batches (the seed's hot path)."""
    users, machines = _actor_pool(team, members)
    events = _events()
    now = _ms(now)  # the API emits milliseconds; stored values must round-trip exactly
    # Details are drawn from a pre-built pool: building a fresh dict per row dominates at 1M rows.
    pools = {
        event: [json.dumps(_details(rng, event, members, tenants)) for _ in range(64)]
        for event in events
    }
    if created_at is not None:
        stamps = [connection.ops.adapt_datetimefield_value(_ms(created_at))] * count
    else:
        offsets = sorted((rng.randrange(days * 86400 * 1000) for _ in range(count)), reverse=True)
        stamps = [
            connection.ops.adapt_datetimefield_value(now - timedelta(milliseconds=o))
            for o in offsets
        ]
    table = SandboxActivity._meta.db_table
    sql = (
        f"INSERT INTO {table} (id, team_id, created_at, type, status, current_event, actor, details, "  # noqa: S608
        "ip, hostname, user_agent, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    hostname = f"{team.slug}.teams.auth0.com"
    team_pk = team.pk
    version = contract.ACTIVITY_VERSION
    getrandbits, random_, choice = rng.getrandbits, rng.random, rng.choice
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, count, ACTIVITY_BATCH):
            batch = []
            for stamp in stamps[start : start + ACTIVITY_BATCH]:
                event = choice(events)
                machine = random_() < 0.3
                batch.append(
                    (
                        str(uuid.UUID(int=getrandbits(128), version=4)),
                        team_pk,
                        stamp,
                        event[0],
                        "Failure" if random_() < 0.05 else "Success",
                        event[1],
                        choice(machines) if machine else choice(users),
                        choice(pools[event]),
                        f"{choice((10, 172, 192, 203))}.{getrandbits(8)}.{getrandbits(8)}.{getrandbits(8)}",
                        hostname,
                        choice(MACHINE_AGENTS) if machine else choice(USER_AGENTS),
                        version,
                    )
                )
            cursor.executemany(sql, batch)
    if count >= ANALYZE_AFTER_ROWS:
        # Stale statistics made PostgreSQL sort the whole log for every page.
        analyze(SandboxActivity)
    return count


ANALYZE_AFTER_ROWS = 1000


def reset() -> None:
    """Remove every sandbox row (teams, Auth Tenants, data, request log, faults)."""
    from apps.sandbox import faults, ratelimit
    from apps.sandbox.models import SandboxFaults, SandboxRequest

    SandboxActivity.objects.all().delete()
    SandboxTeam.objects.all().delete()
    SandboxAuthTenant.objects.all().delete()
    SandboxRequest.objects.all().delete()
    SandboxFaults.objects.all().delete()
    ratelimit.clear()
    faults.current()


def seed(
    *,
    team_slug: str = "acme",
    auth_domain: str = "acme.us.auth0.com",
    tenants: int = 12,
    members: int = 120,
    activity: int = 5000,
    seed: int = 1,
) -> SeedCounts:
    """(Re)create one team with deterministic data; the Auth Tenant and its key survive."""
    if not contract.TEAM_SLUG_RE.match(team_slug):
        raise ValueError("team_slug must be a DNS label")
    rng = random.Random(f"{team_slug}:{seed}")  # noqa: S311 -- sample data, not secrets
    now = timezone.now()
    with transaction.atomic():
        auth_tenant = ensure_auth_tenant(auth_domain)
        ensure_demo_clients(auth_domain)
        old = SandboxTeam.objects.filter(slug=team_slug).first()
        if old is not None:
            SandboxActivity.objects.filter(team=old).delete()
            old.delete()
        team = SandboxTeam.objects.create(
            slug=team_slug,
            auth_tenant=auth_tenant,
            private_cloud_enabled=True,
            private_environments={
                f"{team_slug}-{suffix}": loc for suffix, loc in contract.SEED_PRIVATE_SPACES.items()
            },
        )
        tenant_rows = _make_tenants(rng, team, tenants, now)
        member_rows = _make_members(rng, team, members)
        _make_roles(rng, member_rows, tenant_rows)
    insert_activity(
        team=team, count=activity, rng=rng, now=now, members=member_rows, tenants=tenant_rows
    )
    return SeedCounts(len(tenant_rows), len(member_rows), activity)
