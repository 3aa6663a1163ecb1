#!/usr/bin/env bash
# CI's deployment check, without Docker: validate docker-compose.yml, then run the
# container's entrypoint (deploy/entrypoint.sh) against the local PostgreSQL with
# production settings (DEBUG off, behind a simulated TLS proxy) and 2 gunicorn
# workers, run `check --deploy` and deploy/smoke.py against it, and stop it.
# Uses a fresh database, labsite_smoke, so the empty-database start-up path runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

if command -v docker-compose >/dev/null 2>&1; then
    docker-compose -f docker-compose.yml --env-file .env.example config -q
    echo "docker-compose config: valid"
else
    echo "docker-compose not installed: compose file checked against the schema only"
fi
check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

PGHOST=127.0.0.1 PGUSER=postgres dropdb --if-exists labsite_smoke
PGHOST=127.0.0.1 PGUSER=postgres createdb labsite_smoke
PORT="${SMOKE_PORT:-8765}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/labsite_smoke"
export SECRET_KEY="ci-smoke-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS="127.0.0.1,localhost"
# The address the outside services are asked with (labsite.W001 warns without a real one);
# the smoke test itself asks none of them.
export CONTACT_EMAIL="webmaster@labsite-ci.jp"
export BEHIND_PROXY=1
export MEDIA_ROOT="$(mktemp -d)"
unset DEBUG REDIS_URL

python manage.py check --deploy --fail-level WARNING

log="$(mktemp)"
deploy/entrypoint.sh --bind "127.0.0.1:$PORT" --workers 2 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do
    if python -c "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:$PORT/robots.txt', headers={'X-Forwarded-Proto': 'https'}), timeout=2)" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$log"; echo "the entrypoint exited"; exit 1
    fi
    sleep 1
done
grep -q "Lab content loaded" "$log" || { cat "$log"; echo "the entrypoint did not load the content"; exit 1; }
python deploy/smoke.py "http://127.0.0.1:$PORT" --workers 2 || { tail -n 50 "$log"; exit 1; }
# The compose file's worker service: the same entrypoint, as `worker` (here until the queue is empty).
deploy/entrypoint.sh worker --batch --no-startup-delay | tee "$log.worker"
grep -q "No more tasks to run" "$log.worker" || { echo "the task worker did not run"; exit 1; }
