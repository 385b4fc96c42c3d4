# syntax=docker/dockerfile:1
# ReelByte images. `docker build -t reelbyte .` gives the runtime image (the last stage: API,
# workers, one-off commands); `docker build --target nginx -t reelbyte-nginx .` the edge that
# serves the web bundle and proxies the API. compose.yaml builds both; docs/deploy.md explains running them.

# --- the web app's bundle (web/dist) ------------------------------------------------------------
FROM node:20-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- the Python virtualenv, built by uv from the lock file ---------------------------------------
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.8 /uv /uvx /bin/
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first (a layer that changes only with the lock file), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY src/ src/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev

# --- the edge: nginx with the web bundle, proxying the API ----------------------------------------
FROM nginx:1.27-alpine AS nginx
COPY deploy/nginx/reelbyte.conf /etc/nginx/conf.d/default.conf
COPY --from=web /src/web/dist/ /srv/web/
EXPOSE 80
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
    CMD ["wget", "-q", "--spider", "http://127.0.0.1/favicon.svg"]

# --- what runs: API, workers, migrations, backups -------------------------------------------------
FROM python:3.11-slim AS runtime
# ffmpeg comes from imageio-ffmpeg inside the virtualenv; pg_dump/pg_restore (for `reelbyte
# backup`) from the PostgreSQL 16 client tools of pgserver, also inside it.
RUN groupadd --system --gid 10001 reelbyte \
    && useradd --system --uid 10001 --gid reelbyte --home-dir /app --shell /usr/sbin/nologin reelbyte
WORKDIR /app
COPY --from=build --chown=reelbyte:reelbyte /app/.venv /app/.venv
# The project is installed editable (the virtualenv points at /app/src), so Alembic and the web
# bundle are found next to the source tree (core/migrate.py and webapp.py look in /app); with
# no web/package.json here the bundle is served as built, never rebuilt (webbuild.py).
COPY --chown=reelbyte:reelbyte src/ src/
COPY --chown=reelbyte:reelbyte alembic.ini ./
COPY --chown=reelbyte:reelbyte migrations/ migrations/
COPY --from=web --chown=reelbyte:reelbyte /src/web/dist/ web/dist/
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production \
    LOG_FORMAT=json \
    REELBYTE_DATA_DIR=/app/data
RUN mkdir -p /app/data && chown reelbyte:reelbyte /app /app/data
USER reelbyte
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=4).status == 200 else 1)"]
CMD ["reelbyte", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
