"""Teams Admin project package; exposes the Celery app so `celery -A teamsadmin` works."""

from teamsadmin.celery import app as celery_app

__all__ = ["celery_app"]
