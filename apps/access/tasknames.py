"""Celery task names of the access app, importable before Django's apps are loaded (beat)."""

EXPIRED_REVOKE = "access.expired_revoke"
