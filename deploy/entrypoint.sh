#!/bin/sh
# Start labsite: wait for the database, migrate (which creates the cache table), collect
# static files (unless the image already has them), load the lab's content when
# the database is empty, then exec gunicorn with deploy/gunicorn.conf.py.
# Arguments are passed on to gunicorn (e.g. --bind 127.0.0.1:8765 --workers 2).
# `entrypoint.sh worker [ARGS]` starts the task worker instead (background imports:
# `manage.py db_worker`, ARGS passed on, e.g. --batch): it waits for the database and
# for the web service's migrations, and changes nothing itself.
# The Docker image runs it as its ENTRYPOINT; CI runs it directly against the
# local PostgreSQL. Environment: see README.md, "Configuration".
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

echo "entrypoint: waiting for the database"
tries="${DB_WAIT_SECONDS:-60}"
until "$PYTHON" - <<'PY'
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
import django
django.setup()
from django.db import connection
try:
    connection.ensure_connection()
except Exception as error:
    print(f"entrypoint: database not ready: {error}".splitlines()[0], file=sys.stderr)
    sys.exit(1)
PY
do
    tries=$((tries - 1))
    if [ "$tries" -le 0 ]; then
        echo "entrypoint: the database did not answer; giving up" >&2
        exit 1
    fi
    sleep 1
done

if [ "${1:-}" = worker ]; then
    shift
    # Two processes migrating at once could race: the web service migrates, the worker waits.
    tries="${DB_WAIT_SECONDS:-60}"
    until "$PYTHON" manage.py migrate --check >/dev/null 2>&1; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            echo "entrypoint: the database has unapplied migrations (the web service applies them); giving up" >&2
            exit 1
        fi
        sleep 1
    done
    echo "entrypoint: starting the task worker"
    exec "$PYTHON" manage.py db_worker --no-reload "$@"
fi

"$PYTHON" manage.py migrate --noinput
if [ "${COLLECTSTATIC:-1}" = 1 ]; then
    "$PYTHON" manage.py collectstatic --noinput -v0
fi
"$PYTHON" manage.py load_lab_content --if-empty

echo "entrypoint: starting gunicorn"
exec "$PYTHON" -m gunicorn labsite.wsgi:application --config deploy/gunicorn.conf.py "$@"
