# Production image: one image, three roles (web, worker, beat) chosen by the command.
#   web:    (default) gunicorn on :8000
#   worker: celery -A dispatch worker --loglevel INFO
#   beat:   celery -A dispatch beat --loglevel INFO
# Configure with DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS (see README.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=dispatch.settings.base \
    DISPATCH_VAR_DIR=/var/lib/dispatch

RUN groupadd --system dispatch && useradd --system --gid dispatch --home /app dispatch
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY dispatch ./dispatch
COPY tickets ./tickets
COPY routing_model ./routing_model
COPY sla ./sla
RUN pip install --no-cache-dir -c constraints.txt .

COPY manage.py ./
COPY fixtures ./fixtures
RUN mkdir -p "$DISPATCH_VAR_DIR" \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
    && chown -R dispatch:dispatch "$DISPATCH_VAR_DIR"

USER dispatch
EXPOSE 8000
CMD ["gunicorn", "dispatch.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
