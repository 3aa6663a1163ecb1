"""gunicorn settings for labsite (deploy/entrypoint.sh passes this file).

Environment: PORT (8000), WEB_CONCURRENCY (workers: 2 × cores + 1),
GUNICORN_TIMEOUT (30 s), FORWARDED_ALLOW_IPS (the proxy's address, for
X-Forwarded-* headers; "*" inside docker-compose, where only the proxy can reach it).
Access and error logs go to stdout/stderr.
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# Docker's /tmp may be on a slow overlay; heartbeats go to shared memory when it exists.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn ≥ 25's control socket is not used (and the image user has no writable home).
control_socket_disable = True
