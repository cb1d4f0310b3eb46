"""ServiceError: what a service raises when a person must be told why something did not happen."""

from __future__ import annotations

from django import forms


class ServiceError(Exception):
    """A failure with a message meant for the user and optional per-field errors for forms."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def __str__(self) -> str:
        return self.message


def apply_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a refused submission in the form: per-field messages, else the message on top."""
    placed = False
    for field, messages in error.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
