# Production image: gunicorn serves the dashboard; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TEAMSADMIN_VAR_DIR=/app/var

WORKDIR /app
COPY pyproject.toml README.md ./
COPY teamsadmin ./teamsadmin
COPY apps ./apps
RUN pip install .
COPY . .

# collectstatic needs settings that pass the production checks; these values exist only at build time.
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret \
    TEAMSADMIN_ENCRYPTION_KEYS=dGVhbXNhZG1pbi1kZXZlbG9wbWVudC1rZXktMzJieXQ= \
    ALLOWED_HOSTS=localhost STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --no-input -v 0

RUN useradd --create-home --uid 10001 teamsadmin && mkdir -p /app/var/metrics && chown -R teamsadmin /app/var
USER teamsadmin
ENV STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "teamsadmin.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
