"""Dashboard users: giving a person a role, creating owners, and signing people in through
single sign-on."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts import oidc
from apps.accounts.models import SsoIdentity
from apps.accounts.oidc import OidcIdentity
from apps.audit.models import AuditAction, AuditOutcome
from apps.audit.services import audit_record
from apps.core.capabilities import Role, strongest_role


@transaction.atomic
def user_set_role(*, user: User, role: Role) -> None:
    """Make `role` the user's only dashboard role."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]).exclude(pk=group.pk))
    user.groups.add(group)


@transaction.atomic
def user_ensure(*, username: str, password: str, role: Role, email: str = "") -> tuple[User, bool]:
    """Create the user with this role if missing; an existing user keeps its password."""
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    user_set_role(user=user, role=role)
    return user, created


class SsoNoAccess(Exception):
    """A person the provider vouched for whose claims give no dashboard role."""

    def __init__(self, *, claim: str, values: list[str]) -> None:
        super().__init__(claim)
        self.claim = claim
        self.values = values


class SsoRefused(Exception):
    """A single sign-on that failed; `message` is for the person (and the audit entry)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def claim_values(claims: dict[str, Any], claim: str) -> list[str]:
    """The roles claim as strings: a list of names, or one space- or comma-separated string."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [item for item in value.replace(",", " ").split() if item]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str) and item]
    return []


def role_from_claims(values: list[str]) -> Role | None:
    """The most powerful role TEAMSADMIN_OIDC_ROLE_MAP gives these claim values; never a default."""
    mapped = {Role(role) for role, value in settings.TEAMSADMIN_OIDC_ROLE_MAP if value in values}
    return strongest_role(mapped)


def _sso_failure(
    message: str,
    *,
    request: HttpRequest,
    email: str = "",
    reason: str,
    actor: User | None = None,
    **details: Any,
) -> SsoRefused:
    """Record a refused single sign-on (a dashboard action) and return the error to raise."""
    audit_record(
        actor=actor,
        auth_tenant=None,
        action=AuditAction.SSO_SIGN_IN,
        target_type="person",
        target_label=email,
        parameters={"reason": reason, **details},
        outcome=AuditOutcome.FAILURE,
        message=message,
        request=request,
    )
    return SsoRefused(message)


def _username_for(email: str, identity: OidcIdentity) -> str:
    """The email when no one holds it as a username; else the email with a tag from the subject."""
    base = (email or identity.subject)[:130]
    if not User.objects.filter(username=base).exists():
        return base
    tag = hashlib.sha256(f"{identity.issuer} {identity.subject}".encode()).hexdigest()[:8]
    return f"{base}~{tag}"


def sso_sign_in(*, request: HttpRequest) -> User:
    """Finish a single sign-on and return the user to sign in, with the role read from claims.

    The role is re-read at every sign-in: claims that map to no role remove the user's role
    and raise SsoNoAccess. Every failure is a dashboard action with outcome failure; a role set
    or changed is one too. Raises SsoRefused for protocol and policy failures.
    """
    try:
        identity = oidc.complete(request)
    except oidc.OidcError as error:
        raise _sso_failure(error.message, request=request, reason=error.reason) from None
    email = identity.email
    if not email or "@" not in email:
        raise _sso_failure(
            "The provider did not share an email address for this person.",
            request=request,
            reason="no_email",
        )
    if not identity.email_verified:
        raise _sso_failure(
            f"The email address {email} is not verified at the single sign-on provider.",
            request=request,
            email=email,
            reason="email_not_verified",
        )
    domain = email.rsplit("@", 1)[1].lower()
    allowed = settings.TEAMSADMIN_OIDC_ALLOWED_DOMAINS
    if allowed and domain not in allowed:
        raise _sso_failure(
            f"Email addresses at {domain} may not sign in to this dashboard.",
            request=request,
            email=email,
            reason="domain_not_allowed",
        )
    claim = settings.TEAMSADMIN_OIDC_ROLES_CLAIM
    values = claim_values(identity.claims, claim)
    role = role_from_claims(values)
    with transaction.atomic():
        link = (
            SsoIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=identity.issuer, subject=identity.subject)
            .first()
        )
        if link is None and role is None:
            user = None
        elif link is None:
            user = User(username=_username_for(email, identity), email=email)
            user.set_unusable_password()
            user.save()
            link = SsoIdentity.objects.create(
                user=user, issuer=identity.issuer, subject=identity.subject, email=email
            )
        else:
            user = link.user
            link.email, link.last_sign_in_at = email, timezone.now()
            link.save(update_fields=["email", "last_sign_in_at"])
            if user.email != email:
                user.email = email
                user.save(update_fields=["email"])
        previous = _role_held(user) if user is not None else None
        if role is None:
            if user is not None:
                user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
            shown = ", ".join(values) if values else "nothing"
            lost = f" The {previous.value} role it gave before was removed." if previous else ""
            _sso_failure(
                f"No dashboard role: the {claim} claim held {shown}.{lost}",
                request=request,
                email=email,
                reason="no_role",
                actor=user,
                claim=claim,
                values=values[:20],
            )
    if role is None or user is None:
        raise SsoNoAccess(claim=claim, values=values)
    if not user.is_active:
        raise _sso_failure(
            "This person's dashboard account is deactivated; an owner can reactivate it.",
            request=request,
            email=email,
            reason="inactive",
        )
    if previous != role:
        with transaction.atomic():
            user_set_role(user=user, role=role)
            was = f"from {previous.value} " if previous else ""
            audit_record(
                actor=user,
                auth_tenant=None,
                action=AuditAction.SSO_ROLE_SET,
                target_type="user",
                target_id=str(user.pk),
                target_label=user.get_username(),
                parameters={"role": role.value, "previous": previous.value if previous else ""},
                message=f"Role set {was}to {role.value} from the {claim} claim.",
                request=request,
            )
    return user


def _role_held(user: User) -> Role | None:
    names = set(user.groups.values_list("name", flat=True))
    return strongest_role(Role(name) for name in names if name in Role._value2member_map_)


class OwnerExists(Exception):
    """The username is taken and the caller did not ask to update that user."""


@transaction.atomic
def owner_create(
    *, username: str, email: str, password: str, update: bool = False
) -> tuple[User, bool]:
    """Create a dashboard owner, or with `update` reset an existing user's password and make
    them owner. The password must pass AUTH_PASSWORD_VALIDATORS (ValidationError otherwise).

    Returns the user and whether it was created. Raises OwnerExists when the user exists and
    `update` is false.
    """
    user = User.objects.filter(username=username).first()
    if user is not None and not update:
        raise OwnerExists(username)
    created = user is None
    validate_password(password, user=user or User(username=username, email=email))
    if user is None:
        user = User.objects.create_user(username=username, email=email, password=password)
    else:
        user.set_password(password)
        fields = ["password"]
        if email:
            user.email = email
            fields.append("email")
        user.save(update_fields=fields)
    user_set_role(user=user, role=Role.OWNER)
    return user, created
