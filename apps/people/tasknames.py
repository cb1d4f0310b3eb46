"""The offboarding's Celery task names; this module imports nothing, so the beat schedule can
use it before Django is set up."""

from __future__ import annotations

OFFBOARD_RUN = "people.offboard_run"  # args: (offboard_job_id,)
OFFBOARD_RESUME = "people.offboard_resume"  # no args: queue again jobs whose worker stopped
