"""Sandbox URLs: Teams API per team, Auth Tenant endpoints per domain, and the controls."""

from __future__ import annotations

from django.urls import path

from apps.sandbox import contract, views_auth, views_control
from apps.sandbox.api import activity, members, tenants
from apps.sandbox.dispatch import Operation, teams_api

app_name = "sandbox"

TEAM = "teams/<slug:team_slug>/api"
AUTH = "auth/<str:domain>"

urlpatterns = [
    path(
        f"{TEAM}/members",
        teams_api(
            {
                "GET": Operation(members.list_members, "read:members"),
                "POST": Operation(
                    members.invite_member, "create:invitations", contract.EVENT_INVITE
                ),
            }
        ),
        name="members",
    ),
    path(
        f"{TEAM}/members/<str:member_id>",
        teams_api(
            {
                "GET": Operation(members.read_member, "read:members"),
                "PATCH": Operation(
                    members.update_member, "update:members", contract.EVENT_ROLE_UPDATED
                ),
                "DELETE": Operation(
                    members.delete_member, "delete:members", contract.EVENT_MEMBER_DELETED
                ),
            }
        ),
        name="member",
    ),
    path(
        f"{TEAM}/members/<str:member_id>/tenants",
        teams_api(
            {
                "PUT": Operation(
                    members.add_member_tenants, "update:members", contract.EVENT_ACCESS_ADDED
                ),
                "PATCH": Operation(
                    members.update_member_tenants, "update:members", contract.EVENT_ACCESS_UPDATED
                ),
                "DELETE": Operation(
                    members.remove_member_tenants, "update:members", contract.EVENT_ACCESS_REMOVED
                ),
            }
        ),
        name="member-tenants",
    ),
    path(
        f"{TEAM}/members/<str:member_id>/tenants/<str:environment>",
        teams_api({"GET": Operation(members.member_tenants, "read:members")}),
        name="member-tenants-environment",
    ),
    path(
        f"{TEAM}/tenants",
        teams_api(
            {
                "GET": Operation(tenants.list_tenants, "read:tenants"),
                "POST": Operation(
                    tenants.create_tenant, "create:tenants", contract.EVENT_TENANT_CREATED
                ),
            }
        ),
        name="tenants",
    ),
    path(
        f"{TEAM}/tenants/<str:tenant_id>",
        teams_api(
            {
                "GET": Operation(tenants.read_tenant, "read:tenants"),
                "DELETE": Operation(
                    tenants.delete_tenant, "delete:tenants", contract.EVENT_TENANT_DELETED
                ),
            }
        ),
        name="tenant",
    ),
    path(
        f"{TEAM}/tenants/<str:tenant_id>/members",
        teams_api({"GET": Operation(tenants.tenant_members, "read:members")}),
        name="tenant-members",
    ),
    path(
        f"{TEAM}/environments",
        teams_api({"GET": Operation(tenants.environments, "read:members")}),
        name="environments",
    ),
    path(
        f"{TEAM}/activity/logs",
        teams_api({"GET": Operation(activity.list_activity, "read:team_activity")}),
        name="activity",
    ),
    path(f"{AUTH}/oauth/token", views_auth.token, name="token"),
    path(f"{AUTH}/authorize", views_auth.authorize, name="authorize"),
    path(f"{AUTH}/userinfo", views_auth.userinfo, name="userinfo"),
    path(f"{AUTH}/.well-known/jwks.json", views_auth.jwks, name="jwks"),
    path(
        f"{AUTH}/.well-known/openid-configuration",
        views_auth.openid_configuration,
        name="openid-configuration",
    ),
    path("__sandbox/reset", views_control.reset, name="control-reset"),
    path("__sandbox/seed", views_control.seed, name="control-seed"),
    path("__sandbox/faults", views_control.faults, name="control-faults"),
    path("__sandbox/clients", views_control.clients, name="control-clients"),
    path("__sandbox/requests", views_control.requests_log, name="control-requests"),
    path(
        "__sandbox/teams/<slug:team_slug>/invitations/accept",
        views_control.accept_invitation,
        name="control-accept-invitation",
    ),
    path(
        "__sandbox/teams/<slug:team_slug>/activity",
        views_control.add_activity,
        name="control-add-activity",
    ),
]
