"""Walks the URLconf: every named route with a sample URL, so tests can cover each one.

A test built on the walk covers a new route the day it is added (or fails until it does).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver, reverse

ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")  # <converter:name> in a route
SAMPLE_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.uuid4()), "path": "x"}
# The simulated Teams API and Auth Tenant: bearer-token APIs and the provider's own sign-in
# page, not the dashboard's pages and forms.
SIMULATOR_PREFIXES = ("/sandbox/teams/", "/sandbox/auth/")


@dataclass(frozen=True)
class Route:
    name: str
    url: str  # the route with a sample value for each argument
    pattern: str  # the route as declared, e.g. /members/<str:member_id>/


def _walk(
    patterns: list[URLPattern | URLResolver],
    skip: tuple[str, ...],
    prefix: str = "",
    namespace: str = "",
) -> Iterator[Route]:
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, skip, prefix + route, ns)
            continue
        pattern = "/" + prefix + route
        if pattern.startswith(tuple("/" + p for p in skip)) or "(?P" in pattern or "^" in pattern:
            continue
        url = ARGUMENT.sub(lambda m: SAMPLE_BY_CONVERTER[m.group(1) or "str"], pattern)
        yield Route(name=f"{namespace}{entry.name or url}", url=url, pattern=pattern)


def routes(*, skip: tuple[str, ...]) -> list[Route]:
    """The routes whose path starts with none of `skip` (prefixes without the leading slash), by name.

    Regular-expression routes (Django's admin) are left out: they have no sample URL.
    """
    return sorted(set(_walk(get_resolver().url_patterns, skip)), key=lambda route: route.name)


def quote_any(text: str) -> str:
    """Percent-encode any text as a browser would send it, lone surrogates included."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def path_with(name: str, raw: str) -> str:
    """The path of the route `name` with `raw` (any text) as its one argument."""
    return reverse(name, args=["placeholder"]).replace("placeholder", quote_any(raw))
