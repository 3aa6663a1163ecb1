"""Running the background queue inside a test: the real database backend and the real
worker's code (django-tasks-db's `Worker.run_task`), one task after another, now.

`db_worker --batch` does the same from the command line (tests/publications/
test_import_jobs.py runs it, in tests whose data is committed); this helper is for
tests inside a transaction, where the command's connection check would close the
test's connection.
"""

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

WORKER_ID = "tests"


def run_tasks():
    """Run every task that is ready, in the order the worker takes them; returns their
    results (DBTaskResult rows, status and return value included)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=WORKER_ID,
        excluded_queue_names=[],
    )
    results = []
    while True:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return results
            result.claim(WORKER_ID)
        worker.run_task(result)
        result.refresh_from_db()
        results.append(result)


def confirm(client, preview, data):
    """Confirm an import preview as an editor does: Confirm, the worker runs, and the
    progress page then shows where it went (a redirect to the batch, or back to the
    preview). Returns that response."""
    response = client.post(preview, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url.endswith("/progress/"), response.url
    run_tasks()
    return client.get(response.url)
