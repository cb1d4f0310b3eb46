"""The access reviews' Celery task names; this module imports nothing, so the beat schedule can
use it before Django is set up."""

from __future__ import annotations

OPEN_DUE = "reviews.open_due"  # open this period's campaign of every recurring plan
CLOSE_DUE = "reviews.close_due"  # close campaigns past their due date; retry failed applications
REMIND = "reviews.remind"  # email reviewers whose campaigns still wait for decisions
