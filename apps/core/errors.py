"""ServiceError: what a service raises when a person must be told why something did not happen."""

from __future__ import annotations


class ServiceError(Exception):
    """A failure with a message meant for the user and optional per-field errors for forms."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def __str__(self) -> str:
        return self.message
