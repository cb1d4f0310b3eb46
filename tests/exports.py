"""Helpers for the export tests of every app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from django.http import StreamingHttpResponse


def chunks(response: StreamingHttpResponse) -> Iterator[bytes]:
    """The streamed body's chunks as the server would send them (exports stream synchronously)."""
    return iter(cast("Iterator[bytes]", response.streaming_content))


def client_goes_away(response: StreamingHttpResponse) -> None:
    """Stop a response mid-stream, as the server does when the client disconnects.

    The test client wraps the stream in a generator that, when closed, closes the response as
    its handler would while keeping the test's database connection open (response.close()
    alone would close the connection the test runs in).
    """
    response._iterator.close()  # type: ignore[attr-defined]
