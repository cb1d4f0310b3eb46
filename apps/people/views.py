"""People pages: find a person in every team, offboard them everywhere, follow the job.

Views stay thin: the services check the capability again and say in words why something did
not happen; a refused confirmation comes back with what was typed.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core import formtokens
from apps.core.capabilities import Capability, can, require
from apps.core.htmx import HtmxRequest, page_or_partial
from apps.people import selectors, services
from apps.people.forms import OffboardForm, PersonSearchForm
from apps.people.models import OffboardStep

POLL_SECONDS = 2
STEP_ID = re.compile(r"[0-9]{1,18}")  # what a BigAutoField can hold


@require_GET
def person_search(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    form = PersonSearchForm(request.GET)
    search = None
    if form.is_valid() and form.cleaned_data["email"]:
        search = selectors.person_search(email=form.cleaned_data["email"])
    can_offboard = can(request.user, Capability.REMOVE_MEMBER)
    context = {
        "form": form,
        "search": search,
        "can_offboard": can_offboard,
        "recent": selectors.offboard_job_recent() if can_offboard and search is None else [],
    }
    template = page_or_partial(request, "people/person_search.html", "person-results")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def offboard_confirm(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.REMOVE_MEMBER)
    form = OffboardForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    # The person asked about, read as the search reads it: text no email can hold (NUL) is none.
    asked = PersonSearchForm(request.POST if request.method == "POST" else request.GET)
    email = asked.cleaned_data["email"] if asked.is_valid() else ""
    search_url = f"{reverse('people:search')}?{urlencode({'email': email})}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def start() -> str:
            job = services.offboard_start(
                actor=request.user,  # type: ignore[arg-type]
                email=data["email"],
                confirmation=data["confirmation"],
                request=request,
            )
            messages.success(request, f"Offboarding of {job.email} started.")
            return reverse("people:job", args=[job.pk])

        done = formtokens.submit_once(request, form, pending_url=search_url, act=start)
        if done is not None:
            return done
    plan = selectors.offboard_plan(email=email) if email else None
    context = {"form": form, "email": email, "plan": plan, "search_url": search_url}
    return render(request, "people/offboard_confirm.html", context)


@require_GET
def offboard_job(request: HtmxRequest, job_id: int) -> HttpResponse:
    require(request.user, Capability.REMOVE_MEMBER)
    job = selectors.offboard_job_get(pk=job_id)
    if job is None:
        raise Http404("No such offboarding.")
    steps = list(job.steps.all())
    context = {
        "job": job,
        "steps": steps,
        "running": any(step.is_open for step in steps),
        "poll_seconds": POLL_SECONDS,
    }
    template = page_or_partial(request, "people/offboard_job.html", "offboard-steps")
    return render(request, template, context)


@require_POST
def offboard_step_retry(request: HtmxRequest, step_id: str) -> HttpResponse:
    # A str path argument, so the role is checked before the id: a refused role gets 403
    # whatever it sent, never a 404 that tells which steps exist.
    require(request.user, Capability.REMOVE_MEMBER)
    if not STEP_ID.fullmatch(step_id):
        raise Http404("No such offboarding step.")
    steps = OffboardStep.objects.select_related("job", "auth_tenant")
    step = get_object_or_404(steps, pk=int(step_id))
    job_url = reverse("people:job", args=[step.job_id])
    form = forms.Form(request.POST)

    def retry() -> str:
        services.offboard_step_retry(actor=request.user, step=step, request=request)  # type: ignore[arg-type]
        messages.success(request, f"Trying again in {step.auth_tenant_name}.")
        return job_url

    done = formtokens.submit_once(request, form, pending_url=job_url, act=retry)
    if done is not None:
        return done
    for error in form.non_field_errors():
        messages.error(request, str(error))
    return redirect(job_url)
