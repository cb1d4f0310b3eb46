"""`python -m teamsadmin.healthcheck [URL]`: exit 0 when the URL (default: this container's
/readyz) answers 200, else 1 with the reason. For container healthchecks: the slim image has
no curl.

It sends a Host header the dashboard accepts (the first name in ALLOWED_HOSTS), since Django
answers 400 to a host it does not serve, and it imports nothing of Django, so it is cheap.
"""

from __future__ import annotations

import http.client
import os
import sys
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8000/readyz"


def host_header(allowed_hosts: str) -> str:
    """The first usable name of ALLOWED_HOSTS ("*" and ".example.com" forms are widened)."""
    for name in (part.strip() for part in allowed_hosts.split(",")):
        if name and name != "*":
            return "www" + name if name.startswith(".") else name
    return "localhost"


def probe(url: str, host: str, timeout: float = 5.0) -> tuple[bool, str]:
    """(ok, what happened) for one GET of `url` sent with `host` as the Host header."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout
    )
    try:
        connection.request("GET", parts.path or "/", headers={"Host": host})
        response = connection.getresponse()
        body = response.read(2000).decode("utf-8", "replace")
    except OSError as exc:
        return False, f"{url}: {type(exc).__name__}: {exc}"
    finally:
        connection.close()
    return response.status == 200, f"{url}: {response.status} {body}"


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else DEFAULT_URL
    ok, detail = probe(url, host_header(os.environ.get("ALLOWED_HOSTS", "")))
    if not ok:
        print(detail, file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
