"""Which hosts may receive client secrets: public https DNS names only, checked without resolving DNS.

The server posts client secrets to the configured domain and sends bearer tokens to the API base, so
a host that points inside the network (metadata service, loopback, private ranges) would turn the
form into a request-forgery tool. Everything here is syntax only; nothing is ever fetched or resolved.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Forms that libc's inet_aton accepts as IPv4 parts: decimal, 0x-hex and 0-octal numbers.
_NUMERIC_PART = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_RESERVED_SUFFIXES = (
    "localhost",
    "local",
    "localdomain",
    "internal",
    "lan",
    "home.arpa",
    "arpa",
    "invalid",
)
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_FORBIDDEN_CHARACTERS = frozenset(" \t\r\n\\%")


def allowed_hosts() -> frozenset[str]:
    """TEAMSADMIN_ALLOWED_API_HOSTS, lower-cased: "host" or "host:port" entries."""
    return frozenset(h.strip().lower() for h in settings.TEAMSADMIN_ALLOWED_API_HOSTS if h.strip())


def _check_host_name(host: str) -> None:
    """Raise ValidationError unless `host` is a public-looking DNS host name."""
    if not host:
        raise ValidationError("Enter a host name.", code="host")
    if not host.isascii():
        raise ValidationError(
            "Use an ASCII host name; international (non-ASCII) names are not accepted.", code="host"
        )
    host = host.lower()
    if host.endswith("."):
        raise ValidationError("Remove the trailing dot from the host name.", code="host")
    labels = host.split(".")
    if any(not label for label in labels):
        raise ValidationError("The host name has an empty label (two dots in a row).", code="host")
    if _is_ip_literal(host):
        raise ValidationError(
            "IP addresses are not accepted; enter the tenant's DNS host name.", code="host"
        )
    if host == "localhost" or any(
        host == suffix or host.endswith("." + suffix) for suffix in _RESERVED_SUFFIXES
    ):
        raise ValidationError(
            "Local and internal host names are not accepted; enter a public host name.", code="host"
        )
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            "A host name may hold only letters, digits, hyphens and dots (labels of 1-63 characters).",
            code="host",
        )
    if any(label.startswith("xn--") for label in labels):
        raise ValidationError(
            "Punycode (xn--) host names are not accepted; enter a plain ASCII host name.",
            code="host",
        )
    if len(labels) < 2:
        raise ValidationError(
            "Enter a fully qualified host name such as acme.us.auth0.com.", code="host"
        )
    if labels[-1].isdigit():
        raise ValidationError("The host name cannot end in a number.", code="host")


def _is_ip_literal(host: str) -> bool:
    """True for every spelling an HTTP library might turn into an IP address."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return True
    # 2130706433, 0x7f000001, 0x7f.1, 017700000001, 127.1: numeric dotted forms of IPv4.
    parts = host.split(".")
    return 1 <= len(parts) <= 4 and all(_NUMERIC_PART.match(part) for part in parts)


def _is_sandbox_loopback(host: str) -> bool:
    return bool(settings.TEAMSADMIN_SANDBOX) and host.lower().strip("[]") in _LOOPBACK_NAMES


def validate_domain(value: str) -> None:
    """Validate the Auth Tenant domain field: a bare public DNS host name (no scheme, port or path)."""
    if not value or any(c in _FORBIDDEN_CHARACTERS for c in value):
        raise ValidationError("Enter the tenant's host name, e.g. acme.us.auth0.com.", code="host")
    if "://" in value or value.lower().startswith(("http:", "https:")):
        raise ValidationError(
            "Enter only the host name (e.g. acme.us.auth0.com), without http:// or https://.",
            code="host",
        )
    if "@" in value:
        raise ValidationError("A host name cannot contain '@' (user@host forms).", code="host")
    if any(c in value for c in "/?#"):
        raise ValidationError(
            "Enter only the host name, without a path or query string.", code="host"
        )
    if value.lower() in allowed_hosts():
        return
    if ":" in value:
        raise ValidationError("Enter the host name without a port.", code="host")
    _check_host_name(value)


def validate_base_url(value: str) -> None:
    """Validate an override URL: https on a public host (sandbox loopback and allow-listed hosts excepted)."""
    if any(c in _FORBIDDEN_CHARACTERS for c in value):
        raise ValidationError("The URL contains spaces, backslashes or escapes.", code="url")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValidationError("Enter a valid URL.", code="url") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationError("Enter a full URL starting with https://.", code="url")
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValidationError("Remove the query string or fragment from the URL.", code="url")
    netloc = parts.netloc
    if "@" in netloc:
        raise ValidationError("URLs with a user name (user@host) are not accepted.", code="url")
    host, port = _split_host_port(netloc)
    if _is_sandbox_loopback(host):
        return
    if netloc.lower() in allowed_hosts() or host.lower() in allowed_hosts():
        if scheme != "https":
            raise ValidationError("Use https:// so the secret is never sent in clear.", code="url")
        return
    if scheme != "https":
        raise ValidationError("Use https:// so the secret is never sent in clear.", code="url")
    if port is not None and port != 443:
        raise ValidationError("Only the default https port (443) is accepted.", code="url")
    _check_host_name(host)


def _split_host_port(netloc: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        host, _, rest = netloc[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else rest
        if not host or (port_text and not port_text.isdigit()):
            raise ValidationError("Enter a valid host and port.", code="url")
        return f"[{host}]", int(port_text) if port_text else None
    host, colon, port_text = netloc.rpartition(":")
    if not colon:
        return netloc, None
    if not port_text.isdigit() or not host:
        raise ValidationError("Enter a valid host and port.", code="url")
    return host, int(port_text)
