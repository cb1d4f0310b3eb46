"""Emails to the team's owners: the users in the owner role group who have an address."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from apps.core.capabilities import Role

logger = logging.getLogger(__name__)


def owner_emails() -> list[str]:
    """Addresses of active users in the owner group, each once, sorted."""
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.OWNER.value)
    return sorted({email for email in users.values_list("email", flat=True) if email})


def email_owners(*, subject: str, body: str) -> int:
    """Send one message to every owner; returns how many were addressed (0: none has an email).

    A mail server that fails is logged, never raised: the change it reports already happened.
    """
    recipients = owner_emails()
    if not recipients:
        logger.warning("no owner has an email address; not sent: %s", subject)
        return 0
    try:
        send_mail(
            f"[Teams Admin] {subject}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=False,
        )
    except (OSError, SMTPException) as exc:
        logger.error("owner email not sent (%s): %s", type(exc).__name__, subject)
        return 0
    logger.info("owners emailed: %s", subject, extra={"recipients": len(recipients)})
    return len(recipients)
