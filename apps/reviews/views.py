"""Access review pages: the campaigns, creating one, a reviewer's queue, applying, the report.

Views stay thin: the services check the capability, the reviewer list and the campaign's state
again and say in words why something did not happen.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.authtenants.current import auth_tenant_for_request
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.core.capabilities import Capability, can, require
from apps.core.errors import ServiceError
from apps.core.exports import (
    ExportFormat,
    ExportFormatForm,
    ExportRequest,
    export_needs_post,
    export_refused,
    export_response,
)
from apps.core.filters import page_of
from apps.core.htmx import HtmxRequest
from apps.members import selectors as members
from apps.reviews import applying, selectors, services
from apps.reviews.exports import COLUMNS
from apps.reviews.forms import DecideForm, QueueForm, ReviewCreateForm, ReviewersForm
from apps.reviews.models import ReviewCampaign

QUEUE_PAGE_SIZE = 50


def _auth_tenant(request: HtmxRequest) -> AuthTenant:
    auth_tenant = auth_tenant_for_request(request)
    if auth_tenant is None:
        raise Http404("No Auth Tenant is configured yet.")
    return auth_tenant


def _campaign(request: HtmxRequest, campaign_pk: int) -> ReviewCampaign:
    campaign = selectors.campaign_get(auth_tenant=_auth_tenant(request), pk=campaign_pk)
    if campaign is None:
        raise Http404("No such access review for this Auth Tenant.")
    return campaign


@require_GET
def review_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.REVIEW_ACCESS)
    auth_tenant = auth_tenant_for_request(request)
    campaigns = (
        page_of(request, selectors.campaign_list(auth_tenant=auth_tenant), per_page=25)
        if auth_tenant is not None
        else page_of(request, None, per_page=25)
    )
    context = {
        "auth_tenant": auth_tenant,
        "page_obj": campaigns,
        "can_create": can(request.user, Capability.CREATE_REVIEWS),
    }
    return render(request, "reviews/review_list.html", context)


@require_http_methods(["GET", "POST"])
def review_create(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.CREATE_REVIEWS)
    auth_tenant = _auth_tenant(request)
    form = ReviewCreateForm(
        request.POST or None,
        tags=selectors.environment_tags(auth_tenant=auth_tenant),
        tenants=members.tenant_choices(auth_tenant=auth_tenant),
        reviewers=selectors.reviewer_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> str:
            campaign = services.plan_create(
                actor=request.user,
                auth_tenant=auth_tenant,
                plan=services.PlanRequest(
                    name=data["name"],
                    scope_kind=data["scope_kind"],
                    environment_tag=data["environment_tag"] or "",
                    tenant_ids=data["tenants"],
                    include_team_roles=data["include_team_roles"],
                    reviewer_roles=data["reviewer_roles"],
                    tenant_reviewers=form.tenant_reviewers(),
                    due_days=data["due_days"],
                    recurrence=data["recurrence"],
                    due_default=data["due_default"],
                    apply_on_close=data["apply_on_close"],
                ),
                request=request,
            )
            count = campaign.items.count()
            messages.success(
                request,
                f"Access review “{campaign}” opened with {count} item{'s' if count != 1 else ''}.",
            )
            return reverse("reviews:queue", args=[campaign.pk])

        done = formtokens.submit_once(
            request, form, pending_url=reverse("reviews:list"), act=create
        )
        if done is not None:
            return done
    return render(request, "reviews/review_create.html", {"auth_tenant": auth_tenant, "form": form})


@require_http_methods(["GET", "POST"])
def review_reviewers(request: HtmxRequest, campaign_pk: int) -> HttpResponse:
    require(request.user, Capability.CREATE_REVIEWS)
    campaign = _campaign(request, campaign_pk)
    plan = campaign.plan
    form = ReviewersForm(
        request.POST or None,
        initial={"reviewer_roles": plan.reviewer_roles},
        tenants=members.tenant_choices(auth_tenant=plan.auth_tenant),
        reviewers=selectors.reviewer_choices(),
        assigned=selectors.tenant_reviewer_ids(plan=plan),
    )
    report_url = reverse("reviews:report", args=[campaign_pk])
    if request.method == "POST" and form.is_valid():

        def change() -> str:
            moved = services.plan_reviewers_change(
                actor=request.user,
                campaign=campaign,
                reviewer_roles=form.cleaned_data["reviewer_roles"],
                tenant_reviewers=form.tenant_reviewers(),
                request=request,
            )
            moved_text = f"; {moved} item{'s' if moved != 1 else ''} changed hands" if moved else ""
            messages.success(request, f"Reviewers of “{plan}” saved{moved_text}.")
            return report_url

        done = formtokens.submit_once(request, form, pending_url=report_url, act=change)
        if done is not None:
            return done
    context = {
        "campaign": campaign,
        "form": form,
        "open_campaigns": plan.campaigns.filter(closed_at__isnull=True).count(),
    }
    return render(request, "reviews/review_reviewers.html", context)


def _queue_page(request: HtmxRequest, campaign: ReviewCampaign, form: DecideForm) -> HttpResponse:
    queue_form = QueueForm(request.GET)
    reviews = selectors.reviews_of(request.user, campaign)
    own_reviewers = selectors.reviewer_progress(campaign=campaign)
    show = queue_form.show_or_default(
        closed=not campaign.is_open, own_reviewers=bool(own_reviewers)
    )
    group = queue_form.group_or_default()
    items = selectors.queue(campaign=campaign, group=group, show=show, reviews=reviews)
    # Once closed, owners settle the items flagged for them at the due date.
    settling = not campaign.is_open and can(request.user, Capability.APPLY_REVIEWS)
    page = page_of(request, items, per_page=QUEUE_PAGE_SIZE)
    context = {
        "campaign": campaign,
        "queue_form": queue_form,
        "group": group,
        "page_obj": page,
        "choosable": selectors.choosable(page, reviews, settling=settling),
        "progress": selectors.progress(campaign=campaign),
        "by_reviewer": selectors.progress_by_reviewer(campaign=campaign),
        "own_reviewers": own_reviewers,
        "form": form,
        "chosen": request.POST.getlist("items"),  # ticked again when the form comes back
        "show": show,
        "settling": settling,
        # The team role pick, for whoever may decide team-role items (never a tenant's reviewer).
        "team_roles_decidable": campaign.plan.include_team_roles and (settling or reviews.by_role),
        "can_decide": settling
        or (campaign.is_open and selectors.is_reviewer(request.user, campaign, reviews)),
        "can_apply": can(request.user, Capability.APPLY_REVIEWS),
    }
    return render(request, "reviews/review_queue.html", context)


@require_GET
def review_queue(request: HtmxRequest, campaign_pk: int) -> HttpResponse:
    require(request.user, Capability.REVIEW_ACCESS)
    return _queue_page(request, _campaign(request, campaign_pk), DecideForm())


@require_POST
def review_decide(request: HtmxRequest, campaign_pk: int) -> HttpResponse:
    require(request.user, Capability.REVIEW_ACCESS)
    campaign = _campaign(request, campaign_pk)
    form = DecideForm(request.POST)
    queue_url = reverse("reviews:queue", args=[campaign_pk])
    back = queue_url + (f"?{request.GET.urlencode()}" if request.GET else "")
    if form.is_valid():
        data = form.cleaned_data

        def decide() -> str:
            result = services.items_decide(
                actor=request.user,
                campaign=campaign,
                item_ids=data["items"],
                decision=data["decision"],
                roles=data["roles"],
                team_role=data["team_role"],
                justification=data["justification"],
                request=request,
            )
            _decided_messages(request, result)
            return back

        done = formtokens.submit_once(request, form, pending_url=back, act=decide)
        if done is not None:
            return done
    return _queue_page(request, campaign, form)


def _decided_messages(request: HtmxRequest, result: services.DecideResult) -> None:
    if result.decided:
        noun = "item" if result.decided == 1 else "items"
        messages.success(request, f"Decision recorded for {result.decided} {noun}.")
    if result.closed:
        messages.info(
            request,
            f"{result.closed} item{'s' if result.closed != 1 else ''} closed on their own: "
            "the access had already ended.",
        )
    for refusal in result.refused:
        messages.warning(request, refusal)


def _owner_action(
    request: HtmxRequest, campaign_pk: int, act: Callable[[ReviewCampaign], str]
) -> HttpResponse:
    """Close, apply or stop: owners only, once per form token, back to the report with the outcome."""
    require(request.user, Capability.APPLY_REVIEWS)
    campaign = _campaign(request, campaign_pk)
    report_url = reverse("reviews:report", args=[campaign_pk])
    token = request.POST.get(formtokens.FIELD_NAME)
    try:
        replayed = formtokens.consume(request, token, result_url=report_url)
    except formtokens.FormTokenError as error:
        messages.error(request, error.message)
        return redirect(report_url)
    if replayed is not None:
        messages.info(request, formtokens.REPLAY_MESSAGE)
        return redirect(replayed)
    try:
        messages.success(request, act(campaign))
    except ServiceError as error:
        formtokens.release(request, token)
        messages.error(request, error.message)
    return redirect(report_url)


@require_POST
def review_close(request: HtmxRequest, campaign_pk: int) -> HttpResponse:
    def close(campaign: ReviewCampaign) -> str:
        services.campaign_close(actor=request.user, campaign=campaign, request=request)
        return f"Access review “{campaign}” closed; items not reviewed took its default."

    return _owner_action(request, campaign_pk, close)


@require_POST
def review_apply(request: HtmxRequest, campaign_pk: int) -> HttpResponse:
    def apply(campaign: ReviewCampaign) -> str:
        result = applying.campaign_apply(actor=request.user, campaign=campaign, request=request)
        return result.summary

    return _owner_action(request, campaign_pk, apply)


@require_POST
def review_stop(request: HtmxRequest, campaign_pk: int) -> HttpResponse:
    def stop(campaign: ReviewCampaign) -> str:
        plan = services.plan_stop(actor=request.user, campaign=campaign, request=request)
        return f"“{plan}” will not open again; the reviews it opened carry on to their due dates."

    return _owner_action(request, campaign_pk, stop)


@require_GET
def review_report(request: HtmxRequest, campaign_pk: int) -> HttpResponse:
    require(request.user, Capability.REVIEW_ACCESS)
    campaign = _campaign(request, campaign_pk)
    context = {
        "campaign": campaign,
        "items": campaign.items.order_by("tenant_name", "member_email", "pk"),
        "progress": selectors.progress(campaign=campaign),
        "by_reviewer": selectors.progress_by_reviewer(campaign=campaign),
        "own_reviewers": selectors.reviewer_progress(campaign=campaign),
        "can_apply": can(request.user, Capability.APPLY_REVIEWS),
        "can_change_reviewers": can(request.user, Capability.CREATE_REVIEWS)
        and (campaign.is_open or campaign.plan.repeats),
        "to_apply": selectors.to_apply(campaign=campaign).count(),
        "export_formats": ExportFormat.choices,
    }
    return render(request, "reviews/review_report.html", context)


@require_http_methods(["GET", "POST"])
def review_report_export(request: HtmxRequest, campaign_pk: int) -> HttpResponseBase:
    title = "Export the access review report"
    back = (reverse("reviews:report", args=[campaign_pk]), "the report")
    if request.method != "POST":
        return export_needs_post(request, title=title, back=back)
    require(request.user, Capability.REVIEW_ACCESS)
    campaign = _campaign(request, campaign_pk)
    export_format = ExportFormatForm(request.POST).export_format_or_none()
    if export_format is None:
        return export_refused(
            request, title=title, reason="the format is not one offered", back=back
        )
    export = ExportRequest(
        request=request,
        queryset=campaign.items.order_by("tenant_name", "member_email", "pk"),
        columns=COLUMNS,
        export_format=export_format,
        name="reviews",
        filename_stem=f"access-review-{campaign.pk}",
        auth_tenant=campaign.plan.auth_tenant,
        filters={"review_campaign": str(campaign), "review_campaign_id": campaign.pk},
    )
    chain = {
        "X-Activity-Chain-Head": campaign.activity_chain_head,
        "X-Audit-Chain-Head": campaign.audit_chain_head,
    }
    return export_response(export, headers={k: v for k, v in chain.items() if v})
