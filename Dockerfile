# The application image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the application needs (no .venv, db.sqlite3 or .celery from a work tree).
# A new app or top-level folder must be added here too.
COPY pyproject.toml README.md manage.py ./
COPY billing_site ./billing_site
COPY contracts ./contracts
COPY schedules ./schedules
COPY invoicing ./invoicing
COPY templates ./templates
RUN pip install .

# Run unprivileged; the filesystem broker's folder (unused with Redis) and static files are its own.
RUN useradd --create-home --uid 1000 billing \
    && python manage.py collectstatic --noinput \
    && chown -R billing:billing /app
USER billing

EXPOSE 8000
CMD ["gunicorn", "billing_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
