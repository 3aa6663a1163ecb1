# labsite: gunicorn on a slim Python, as a non-root user; static files by WhiteNoise.
# Debian bookworm: its postgresql-client is 15, the version of compose's `db`
# (`manage.py backup` needs pg_dump >= the server; README, "Backup").
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# pg_dump, pg_restore and psql for `manage.py backup` and `restore`; Noto Sans CJK
# (OFL) for the Open Graph cards, drawn in Japanese and Latin (docs/design.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first (cached while only the code changes). pyproject.toml lists
# no packages, so this installs the dependencies alone.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected (hashed and compressed) into the image at build time.
RUN DEBUG=0 SECRET_KEY=build-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
        python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 1000 --home-dir /app --no-create-home labsite \
    && mkdir -p /app/media /app/backups \
    && chown labsite /app/media /app/backups

USER labsite
ENV MEDIA_ROOT=/app/media \
    BACKUP_DIR=/app/backups \
    COLLECTSTATIC=0 \
    PORT=8000
VOLUME ["/app/media", "/app/backups"]
EXPOSE 8000

ENTRYPOINT ["/app/deploy/entrypoint.sh"]
