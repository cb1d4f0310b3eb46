"""Retry rules at the chokepoint, against local servers that answer as each case needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from apps.teamsapi.client import TeamsClient
from apps.teamsapi.errors import TeamsApiNotFound
from apps.teamsapi.tokens import TokenProvider
from tests.teamsapi.conftest import RecordingSleep
from tests.teamsapi.servers import CLIENT, OPAQUE_TOKEN, Recorder, connection_to

NOT_FOUND = {"status": 404, "type": "NOT_FOUND", "title": "No such member"}


def test_a_delete_whose_first_reply_was_lost_counts_as_done(
    serve: Callable[..., Recorder], recording_sleep: RecordingSleep
) -> None:
    auth = serve().answer(200, OPAQUE_TOKEN)
    api = serve().first(503, {"title": "Service Unavailable"}).answer(404, NOT_FOUND)
    connection = connection_to(api=api.url, auth=auth.url)

    with TeamsClient(connection, sleep=recording_sleep) as client:
        client.remove_member("auth0|gone")  # no error: the member is gone either way

    assert [method for method, *_ in api.hits] == ["DELETE", "DELETE"]
    assert len(recording_sleep.delays) == 1


def test_a_delete_answered_404_at_once_is_not_found(
    serve: Callable[..., Recorder], recording_sleep: RecordingSleep
) -> None:
    auth = serve().answer(200, OPAQUE_TOKEN)
    api = serve().answer(404, NOT_FOUND)

    with (
        TeamsClient(connection_to(api=api.url, auth=auth.url), sleep=recording_sleep) as client,
        pytest.raises(TeamsApiNotFound, match="No such member"),
    ):
        client.remove_member("auth0|never-there")

    assert len(api.hits) == 1


def test_a_retry_after_given_as_an_http_date_is_waited_for(
    serve: Callable[..., Recorder], recording_sleep: RecordingSleep
) -> None:
    auth = serve().answer(200, OPAQUE_TOKEN)
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    api = serve().first(503, {"title": "Busy"}, **{"Retry-After": later})
    api.answer(200, {"environments": ["US-3"]})

    with TeamsClient(connection_to(api=api.url, auth=auth.url), sleep=recording_sleep) as client:
        assert client.list_environments() == ["US-3"]

    assert len(recording_sleep.delays) == 1
    assert 1.0 < recording_sleep.delays[0] <= 3.0


def test_the_token_endpoint_honours_retry_after_like_the_api(
    serve: Callable[..., Recorder], recording_sleep: RecordingSleep
) -> None:
    auth = serve().first(429, {"error": "too_many_requests"}, **{"Retry-After": "2"})
    auth.answer(200, OPAQUE_TOKEN)
    connection = connection_to(api=auth.url, auth=auth.url)

    token = TokenProvider(sleep=recording_sleep).token(connection, CLIENT)

    assert token.value == "opaque-token"
    assert recording_sleep.delays == [2.0]
    assert [path for _, path, *_ in auth.hits] == ["/oauth/token"] * 2
