"""gunicorn for the benchmarks: started on a loopback port, waited for, stopped.

Used by bench/load.py (production settings, 2 workers, behind a simulated TLS
proxy) and bench/lighthouse.py (the site as a browser sees it); not part of the site.
"""

import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"X-Forwarded-Proto": "https"}  # what the TLS proxy adds (used with BEHIND_PROXY=1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`labsite.wsgi` under gunicorn on 127.0.0.1; ready when `probe` answers.

    `root` is the tree it runs from (its code, and relative paths in `args`):
    bench/load.py --compare serves another commit's tree beside this one.
    """

    def __init__(self, env, *, workers=2, port=None, probe="/", args=(), seconds=30, root=ROOT):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # A file, not a pipe: a full pipe would block gunicorn. Closed in stop().
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "labsite.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), *args,
            ],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.get(probe)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    self.log.seek(0)
                    sys.exit(f"gunicorn did not start:\n{self.log.read().decode()[-3000:]}")
                time.sleep(0.2)

    def get(self, path):
        request = urllib.request.Request(self.base + path, headers=HEADERS)
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()
