"""Strict readers for environment variables: a malformed value stops start-up and names itself."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str) -> str:
    """A string variable; an empty value counts as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (case-insensitive); anything else stops start-up naming the variable."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {list(choices)}, got {raw!r}.")
    return raw


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_optional_int(name: str, *, minimum: int | None = None) -> int | None:
    """A whole number, or None when unset or empty (the feature it bounds is off)."""
    if not os.environ.get(name, "").strip():
        return None
    return env_int(name, 0, minimum=minimum)


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE", "").strip()
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points at an unreadable file ({exc.strerror})."
            ) from None
    return env_str(name, default)


def env_pairs(
    name: str, default: list[tuple[str, str]], *, keys: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Comma-separated `key=value` items, each key among `keys` (a key may repeat)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return list(default)
    pairs: list[tuple[str, str]] = []
    for item in raw.split(","):
        key, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not key or not value:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated key=value items, got {item.strip()!r}."
            )
        if key not in keys:
            raise ImproperlyConfigured(f"{name}: {key!r} is not one of {', '.join(keys)}.")
        pairs.append((key, value))
    return pairs


_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")


def header_name(name: str, value: str) -> str:
    """`value` as the META key Django stores that request header under (X-Forwarded-Proto ->
    HTTP_X_FORWARDED_PROTO)."""
    if not _HEADER_NAME.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name} must be an HTTP header name such as X-Forwarded-Proto, got {value!r}."
        )
    return "HTTP_" + value.upper().replace("-", "_")


def url_origin(name: str, url: str) -> str:
    """The origin (https://host[:port]) of an https URL; `name` is the variable it came from."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must hold https:// URLs, got {url!r}.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} holds a URL with a bad port: {url!r}.") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"https://{host}" + (f":{port}" if port and port != 443 else "")


def env_origins(name: str) -> list[str]:
    """A comma-separated list of https URLs, each reduced to its origin."""
    return [url_origin(name, url) for url in env_list(name, [])]
