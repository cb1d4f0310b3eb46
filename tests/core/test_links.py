"""Row links built from one reverse() per table are the links reverse() builds for each row."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, resolve, reverse

from apps.core.links import RowLink

IDS = (
    "ten_0001",
    "auth0|42",
    "samlp|acme|ada@example.com",
    "google-oauth2|1 2",
    "x&y=<z>'\"#?%",
    "émile~:@!$()*+,;",
)


@pytest.mark.parametrize("url_name", ["tenants:detail", "members:detail"])
def test_row_link_matches_reverse_for_every_id(url_name: str) -> None:
    link = RowLink(url_name)
    for row_id in IDS:
        assert link.url(row_id) == reverse(url_name, args=[row_id]), row_id
        assert resolve(unquote(link.url(row_id))).kwargs.popitem()[1] == row_id


def test_an_id_the_route_cannot_take_is_refused_as_reverse_refuses_it() -> None:
    for row_id in ("ten_1/delete", ""):
        with pytest.raises(NoReverseMatch):
            reverse("tenants:detail", args=[row_id])
        with pytest.raises(NoReverseMatch):
            RowLink("tenants:detail").url(row_id)


@pytest.mark.parametrize("url_name", ["tenants:list", "authtenants:edit"])
def test_a_route_without_one_str_id_is_refused(url_name: str) -> None:
    with pytest.raises(ValueError, match=f"{url_name} must take one <str:...> id"):
        RowLink(url_name)


def test_template_links_are_escaped_like_the_url_tag() -> None:
    html = Template(
        '{% load links %}{% row_link "members:detail" as link %}'
        "{{ link|with_id:row_id }} {% url 'members:detail' row_id %}"
    ).render(Context({"row_id": "a&b|c"}))
    ours, django = html.split(" ")
    assert ours == django == "/members/a&amp;b%7Cc/"
