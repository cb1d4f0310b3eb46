"""Request ids: a well-formed incoming X-Request-ID is kept, anything else replaced."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.core.requestid import request_id_from

UUID_HEX = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("incoming", ["abc-123_x.y", "A" * 64])
def test_well_formed_ids_are_kept(incoming: str) -> None:
    assert request_id_from(incoming) == incoming


@pytest.mark.parametrize("incoming", [None, "", "A" * 65, "evil\r\nX-Log: 1", "<script>", "a b"])
def test_malformed_or_missing_ids_are_replaced(incoming: str | None) -> None:
    assert UUID_HEX.fullmatch(request_id_from(incoming))


@pytest.mark.django_db
def test_every_response_carries_the_request_id(client: Client) -> None:
    kept = client.get("/accounts/login/", headers={"X-Request-ID": "trace-7"})
    assert kept["X-Request-ID"] == "trace-7"
    made = client.get("/accounts/login/", headers={"X-Request-ID": "bad id!"})
    assert UUID_HEX.fullmatch(made["X-Request-ID"])
