# One image, a role per container (README: "Production"):
#   docker run IMAGE web | worker | retrain-worker | beat | migrate
# Configure with DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and the variables in README.md.
# tests/dispatch/test_image.py replays this build without a Docker engine: keep COPY sources
# relative to the context and the build steps plain.

# --- build: dependencies in a virtualenv, static files collected ------------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first, in their own layer: rebuilt only when these two files change.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt
COPY . /app
RUN DISPATCH_VAR_DIR=/tmp/build-var STATIC_ROOT=/opt/static SECRET_KEY=build-only-not-secret \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q /app

# --- runtime: the code read-only, the data directory the only place the app writes -------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=dispatch.settings.base \
    DISPATCH_VAR_DIR=/var/lib/dispatch \
    STATIC_ROOT=/opt/static
RUN groupadd --system dispatch \
    && useradd --system --gid dispatch --home-dir /var/lib/dispatch --no-create-home dispatch \
    && mkdir -p /var/lib/dispatch && chown dispatch:dispatch /var/lib/dispatch
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/static /opt/static
COPY --from=build /app /app
WORKDIR /app
USER dispatch
EXPOSE 8000
VOLUME ["/var/lib/dispatch"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "dispatch.container", "health"]
ENTRYPOINT ["python", "-m", "dispatch.container"]
CMD ["web"]
