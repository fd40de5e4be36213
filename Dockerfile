# The application image: web (gunicorn), Celery worker and beat all run from it.
# No Docker engine runs on our machines: tests/test_image.py builds what this file builds
# (the COPY lines below, pip install ., collectstatic, gunicorn) in a fresh virtual environment.
# Pinned to bookworm: the apt package names below are Debian 12's.
FROM python:3.11-slim-bookworm

# PYTHONPATH: gunicorn, celery and manage.py all import the project from /app, where settings
# find templates/ and static/ beside it, never a second copy from site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (invoice PDFs) lays text out with Pango and subsets fonts with HarfBuzz; the slim
# image has no fonts, and a PDF without one has no glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Only what the application needs (no .venv, .env, tests or a work tree's staticfiles/).
# A new app or top-level folder must be added here too: tests/test_image.py copies exactly these.
COPY pyproject.toml README.md manage.py ./
COPY billing_site ./billing_site
COPY accounts ./accounts
COPY webhooks ./webhooks
COPY contracts ./contracts
COPY schedules ./schedules
COPY invoicing ./invoicing
COPY demo ./demo
COPY api ./api
COPY templates ./templates
COPY locale ./locale
COPY static ./static
RUN pip install .

# Static files are collected once, into the image; WhiteNoise serves them. Settings need a
# database, a broker and a key to load, but collectstatic connects to none of them.
RUN DATABASE_URL=postgres://build@localhost/build \
    CELERY_BROKER_URL=redis://localhost:6379/0 \
    SECRET_KEY=build-only \
    python manage.py collectstatic --noinput

# Run unprivileged, on code and static files it cannot change (it writes nothing under /app).
# No HEALTHCHECK here: worker and beat serve no HTTP; compose checks web's /healthz.
RUN useradd --create-home --uid 1000 billing
USER billing

EXPOSE 8000
CMD ["gunicorn", "billing_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
