# labsite: gunicorn on a slim Python, as a non-root user; static files by WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (cached while only the code changes). pyproject.toml lists
# no packages, so this installs the dependencies alone.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected (hashed and compressed) into the image at build time.
RUN DEBUG=0 SECRET_KEY=build-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
        python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 1000 --home-dir /app --no-create-home labsite \
    && mkdir -p /app/media \
    && chown labsite /app/media

USER labsite
ENV MEDIA_ROOT=/app/media \
    COLLECTSTATIC=0 \
    PORT=8000
VOLUME ["/app/media"]
EXPOSE 8000

ENTRYPOINT ["/app/deploy/entrypoint.sh"]
