"""Members pages: look people up, see their tenant access, invite, change roles, remove; the
invitations sent from here, resent or withdrawn.

Views stay thin: the services check capabilities, scopes and the contract's rules again and
say in words why something did not happen; a refused form comes back with what was typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.access import selectors as access_panels
from apps.authtenants.current import auth_tenant_for_request
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.core.capabilities import Capability, require
from apps.core.filters import page_of
from apps.core.htmx import HtmxRequest, page_or_partial
from apps.directory import invitations, pages
from apps.directory import selectors as mirror
from apps.directory.models import DirectoryMember, Invitation
from apps.members import selectors, services
from apps.members.forms import (
    TENANT_ORDER_WARNING,
    InvitationFilterForm,
    InvitationWithdrawForm,
    MemberFilterForm,
    MemberInviteForm,
    MemberRoleForm,
)
from apps.teamsapi.contract import role_label

INVITATIONS_PER_PAGE = 50


@require_GET
def member_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    return pages.mirror_list(
        request,
        template="members/member_list.html",
        partial="member-table",
        form=lambda auth_tenant: MemberFilterForm(
            request.GET, roles=mirror.member_roles(auth_tenant=auth_tenant)
        ),
        rows=lambda auth_tenant, filters: mirror.member_search(
            auth_tenant=auth_tenant, **filters
        ).annotate(joined_after_withdrawal=invitations.joined_after_withdrawal()),
    )


@require_GET
def member_detail(request: HtmxRequest, member_id: str) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    return pages.mirror_detail(
        request,
        template="members/member_detail.html",
        name="member",
        row=lambda auth_tenant: mirror.member_get(auth_tenant=auth_tenant, member_id=member_id),
        accesses=lambda member: mirror.member_access_history(member=member),
        extra=lambda auth_tenant, member: {
            **access_panels.member_access_panel(
                user=request.user, auth_tenant=auth_tenant, member=member
            ),
            "ledger": selectors.member_ledger(auth_tenant=auth_tenant, email=member.email),
        },
    )


def _auth_tenant(request: HtmxRequest) -> AuthTenant:
    auth_tenant = auth_tenant_for_request(request)
    if auth_tenant is None:
        raise Http404("No Auth Tenant is configured yet.")
    return auth_tenant


def _member(auth_tenant: AuthTenant, member_id: str) -> DirectoryMember:
    member = mirror.member_get(auth_tenant=auth_tenant, member_id=member_id)
    if member is None:
        raise Http404("No such member in this team's directory.")
    return member


@require_http_methods(["GET", "POST"])
def member_invite(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.INVITE_MEMBER)
    auth_tenant = _auth_tenant(request)
    tenants = selectors.tenant_choices(auth_tenant=auth_tenant)
    form = MemberInviteForm(request.POST or None, tenants=tenants)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def invite() -> str:
            invitation = services.member_invite(
                actor=request.user,  # type: ignore[arg-type]
                auth_tenant=auth_tenant,
                invite=services.InviteRequest(
                    email=data["email"],
                    role=data["role"],
                    tenant_ids=data["tenants"],
                    tenant_roles=data["tenant_roles"],
                    client_ids=data["client_ids"],
                ),
                request=request,
            )
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as {role_label(invitation.team_role)}.",
            )
            return reverse("members:invitations")

        done = formtokens.submit_once(
            request, form, pending_url=reverse("members:invitations"), act=invite
        )
        if done is not None:
            return done
    context = {
        "auth_tenant": auth_tenant,
        "form": form,
        "tenant_order_warning": TENANT_ORDER_WARNING,
    }
    return render(request, "members/member_invite.html", context)


@require_GET
def invitation_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    auth_tenant = auth_tenant_for_request(request)
    context: dict[str, Any] = {"auth_tenant": auth_tenant, "rows": [], "counts": {}}
    if auth_tenant is not None:
        form = InvitationFilterForm(request.GET, senders=invitations.senders(auth_tenant))
        filters = form.filters()
        rows = invitations.invitation_list(auth_tenant, **filters) if filters is not None else None
        page_obj = page_of(request, rows, per_page=INVITATIONS_PER_PAGE)
        context.update(
            form=form,
            page_obj=page_obj,
            rows=selectors.invitation_rows(auth_tenant=auth_tenant, invitations=list(page_obj)),
            counts=selectors.state_counts(auth_tenant=auth_tenant, chosen=form.data.get("state")),
            actions=selectors.member_actions(user=request.user, auth_tenant=auth_tenant),
            open_states=services.OPEN_STATES,
            expiry_days=settings.TEAMSADMIN_INVITATION_EXPIRY_DAYS,
        )
    return render(
        request, page_or_partial(request, "members/invitation_list.html", "table"), context
    )


def _invitation(auth_tenant: AuthTenant, pk: int) -> Invitation:
    invitation = invitations.invitation_get(auth_tenant, pk)
    if invitation is None:
        raise Http404("No such invitation was sent from Teams Admin.")
    return invitation


@require_http_methods(["GET", "POST"])
def invitation_resend(request: HtmxRequest, invitation_pk: int) -> HttpResponse:
    require(request.user, Capability.INVITE_MEMBER)
    auth_tenant = _auth_tenant(request)
    invitation = _invitation(auth_tenant, invitation_pk)
    list_url = reverse("members:invitations")
    # Bound even when empty, so a refusal can be shown on it.
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():

        def resend() -> str:
            sent = services.invitation_resend(
                actor=request.user,  # type: ignore[arg-type]
                invitation=invitation,
                request=request,
            )
            messages.success(
                request, f"Invitation sent again to {sent.email}; the earlier link no longer works."
            )
            return list_url

        done = formtokens.submit_once(request, form, pending_url=list_url, act=resend)
        if done is not None:
            return done
    context = {
        "auth_tenant": auth_tenant,
        "invitation": invitation,
        "row": selectors.invitation_rows(auth_tenant=auth_tenant, invitations=[invitation])[0],
        "form": form,
        "gate": selectors.member_actions(user=request.user, auth_tenant=auth_tenant).invite_gate,
    }
    return render(request, "members/invitation_resend.html", context)


@require_http_methods(["GET", "POST"])
def invitation_withdraw(request: HtmxRequest, invitation_pk: int) -> HttpResponse:
    require(request.user, Capability.INVITE_MEMBER)
    auth_tenant = _auth_tenant(request)
    invitation = _invitation(auth_tenant, invitation_pk)
    list_url = reverse("members:invitations")
    if invitation.state == Invitation.State.WITHDRAWN:
        messages.info(request, f"The invitation to {invitation.email} was already withdrawn.")
        return redirect(list_url)
    form = InvitationWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]

        def withdraw() -> str:
            services.invitation_withdraw(
                actor=request.user,  # type: ignore[arg-type]
                invitation=invitation,
                request=request,
                reason=reason,
            )
            messages.success(
                request,
                f"Invitation to {invitation.email} withdrawn here. Auth0 cannot revoke it, so "
                "if they join anyway they are flagged on the Members page.",
            )
            return list_url

        done = formtokens.submit_once(request, form, pending_url=list_url, act=withdraw)
        if done is not None:
            return done
    context = {
        "auth_tenant": auth_tenant,
        "invitation": invitation,
        "form": form,
        "cannot_revoke": services.CANNOT_REVOKE,
    }
    return render(request, "members/invitation_withdraw.html", context)


@require_http_methods(["GET", "POST"])
def member_role_change(request: HtmxRequest, member_id: str) -> HttpResponse:
    require(request.user, Capability.CHANGE_MEMBER_ROLE)
    auth_tenant = _auth_tenant(request)
    member = _member(auth_tenant, member_id)
    member_url = reverse("members:detail", args=[member_id])
    form = MemberRoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]

        def change() -> str:
            changed = services.member_role_change(
                actor=request.user,  # type: ignore[arg-type]
                auth_tenant=auth_tenant,
                member_id=member_id,
                role=role,
                request=request,
            )
            messages.success(
                request, f"{changed.email} is now a {role_label(changed.role)} of the team."
            )
            return member_url

        done = formtokens.submit_once(request, form, pending_url=member_url, act=change)
        if done is not None:
            return done
    context = {
        "auth_tenant": auth_tenant,
        "member": member,
        "form": form,
        "last_owner": services.is_last_owner(auth_tenant, member),
    }
    return render(request, "members/member_role.html", context)


@require_http_methods(["GET", "POST"])
def member_remove(request: HtmxRequest, member_id: str) -> HttpResponse:
    require(request.user, Capability.REMOVE_MEMBER)
    auth_tenant = _auth_tenant(request)
    member = _member(auth_tenant, member_id)
    list_url = reverse("members:list")
    if member.removed_at is not None:
        messages.info(request, f"{member.email} was already removed from the team.")
        return redirect(list_url)
    form = forms.Form(request.POST or None)
    if request.method == "POST":

        def remove() -> str:
            removal = services.member_remove(
                actor=request.user,  # type: ignore[arg-type]
                auth_tenant=auth_tenant,
                member_id=member_id,
                request=request,
            )
            messages.success(
                request,
                f"{member.email} was removed from the team with all their tenant access "
                f"({removal.accesses_ended} tenants).",
            )
            return list_url

        done = formtokens.submit_once(request, form, pending_url=list_url, act=remove)
        if done is not None:
            return done
    context = {
        "auth_tenant": auth_tenant,
        "member": member,
        "form": form,
        "accesses": mirror.member_access(member=member),
        "last_owner": services.is_last_owner(auth_tenant, member),
    }
    return render(request, "members/member_remove.html", context)
